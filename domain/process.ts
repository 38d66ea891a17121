import { z } from 'zod';
import { DurationSchema } from './duration';

/**
 * A process definition is the sales ops team's product: who works the leads and how long
 * each step may take. It is part of every prospect workflow's input, so a prospect keeps
 * the version it started with until it is explicitly migrated.
 */

export const PersonIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be a lower-case id of letters, digits, ".", "_" or "-"');

export const PersonSchema = z.object({
  id: PersonIdSchema,
  name: z.string().min(1).optional(),
  email: z.email('must be an email address'),
});
export type Person = z.infer<typeof PersonSchema>;

export const TeamSchema = z.object({
  name: z.string().min(1),
  manager: PersonSchema,
  reps: z.array(PersonSchema).min(1, 'a team needs at least one rep'),
});
export type Team = z.infer<typeof TeamSchema>;

export const QuotePolicySchema = z
  .object({
    /** How long a sent quotation is binding. */
    validity: DurationSchema,
    /** No customer response for this long: remind the rep. */
    staleAfter: DurationSchema,
    /** No customer response for this long: mail the team's manager. */
    escalateAfter: DurationSchema,
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO currency code').default('EUR'),
    /** When the follow-up task that an expired quotation creates is due. */
    followUpDueIn: DurationSchema.default(86_400_000),
  })
  .refine((p) => p.staleAfter < p.escalateAfter, {
    message: 'staleAfter must be shorter than escalateAfter',
    path: ['escalateAfter'],
  });
export type QuotePolicy = z.infer<typeof QuotePolicySchema>;

export const ProcessNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and "-"');

export const ProcessDefinitionSchema = z
  .object({
    name: ProcessNameSchema,
    version: z.number().int().positive().default(1),
    description: z.string().optional(),
    teams: z.array(TeamSchema).min(1, 'a process needs at least one team'),
    quotePolicy: QuotePolicySchema,
  })
  .superRefine((def, ctx) => {
    const seen = new Map<string, string>();
    def.teams.forEach((team, t) =>
      team.reps.forEach((rep, r) => {
        const other = seen.get(rep.id);
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['teams', t, 'reps', r, 'id'],
            message: `rep "${rep.id}" is already in team "${other}"; a rep belongs to one team`,
          });
        }
        seen.set(rep.id, team.name);
      }),
    );
  });

/** What a process file holds (durations as text). */
export type ProcessDefinitionInput = z.input<typeof ProcessDefinitionSchema>;
/** A validated process (durations in milliseconds). */
export type ProcessDefinition = z.output<typeof ProcessDefinitionSchema>;

/** The built-in process, used when a prospect is created without `--process`. */
export const DEFAULT_PROCESS_INPUT: ProcessDefinitionInput = {
  name: 'default',
  version: 1,
  description: 'Built-in process: one team, quotations valid for 30 days.',
  teams: [
    {
      name: 'sales',
      manager: { id: 'maria', name: 'Maria Manager', email: 'maria@example.com' },
      reps: [
        { id: 'alice', name: 'Alice Rep', email: 'alice@example.com' },
        { id: 'bob', name: 'Bob Rep', email: 'bob@example.com' },
        { id: 'carol', name: 'Carol Rep', email: 'carol@example.com' },
      ],
    },
  ],
  quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d', currency: 'EUR', followUpDueIn: '1d' },
};

export const DEFAULT_PROCESS: ProcessDefinition = ProcessDefinitionSchema.parse(DEFAULT_PROCESS_INPUT);

/** The team a rep works in, with its manager; undefined when the rep is not in the process. */
export function teamOf(process: ProcessDefinition, repId: string): Team | undefined {
  return process.teams.find((team) => team.reps.some((rep) => rep.id === repId));
}

export function findRep(process: ProcessDefinition, repId: string): Person | undefined {
  return teamOf(process, repId)?.reps.find((rep) => rep.id === repId);
}

export function allReps(process: ProcessDefinition): Person[] {
  return process.teams.flatMap((team) => team.reps);
}
