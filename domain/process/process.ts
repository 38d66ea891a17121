import { z } from 'zod';
import { DurationSchema } from '../shared/duration';
import { OffsetSchema } from './offset';
import type { InputRules } from '../shared/inputRules';
import { ConditionSchema, knockoutRuleSchema, scoringRuleSchema } from './rules';
import { STAGES } from '../pipeline/stages';
import { multiLineText, singleLineText } from '../shared/text';
import { DEFAULT_TIME_ZONE, TimeZoneSchema } from '../shared/timeZone';
import { sellerSchema } from './seller';
import { MailTemplatesSchema, templateIssues } from './mailTemplates';
import { POST_SALES_DURATIONS, PostSalesSchema } from '../customer/postSales';
import { shareable, shareableEach, emailSchema } from '../shared/shareable';

/**
 * A process definition is the sales ops team's product: who works the leads and how long
 * each step may take. It is part of every prospect workflow's input, so a prospect keeps
 * the version it started with until it is explicitly migrated.
 */

export const PersonIdSchema = shareable(z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be a lower-case id of letters, digits, ".", "_" or "-"'));

export type Person = z.infer<ReturnType<typeof definitionSchemas>['PersonSchema']>;
export type Team = z.infer<ReturnType<typeof definitionSchemas>['TeamSchema']>;

export const QuotePolicySchema = shareable(z
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
  .refine((p) => !(Number.isFinite(p.staleAfter) && Number.isFinite(p.escalateAfter)) || p.staleAfter < p.escalateAfter, {
    message: 'staleAfter must be shorter than escalateAfter',
    path: ['escalateAfter'],
  }));
export type QuotePolicy = z.infer<typeof QuotePolicySchema>;

export const TASK_KINDS = [
  'call',
  'demo',
  'prepare_quotation',
  'follow_up',
  'support',
  'custom',
  // After the sale: the customer's workflow raises these (domain/customer/schedule.ts).
  'onboarding',
  'check_in',
  'satisfaction',
  'renewal',
  'reorder',
  'referral',
  'repair',
  'going_cold',
] as const;
export const TaskKindSchema = shareable(z.enum(TASK_KINDS));
export type TaskKind = z.infer<typeof TaskKindSchema>;

/**
 * A task the prospect workflow creates when the prospect enters a stage. `due` is counted
 * from entering the stage (the stage's SLA); an open task past due reminds its rep, and
 * `escalateAfter` later mails the team's manager.
 */
export type TaskTemplate = z.infer<ReturnType<typeof definitionSchemas>['TaskTemplateSchema']>;
export type QualificationCriteria = z.infer<ReturnType<typeof definitionSchemas>['QualificationCriteriaSchema']>;

export const AssignmentSchema = shareable(z.object({
  /**
   * round-robin: the default team's reps in turn (other teams, such as a support desk,
   * get no new leads); territory: the first rule that matches picks the team, then
   * round-robin in it. Rules see the prospect as created (fields, source, company, email),
   * not qualification answers, which come later.
   */
  strategy: z.enum(['round-robin', 'territory']).default('round-robin'),
  rules: z.array(ConditionSchema.and(z.object({ team: z.string().min(1) }))).default([]),
  /** The team for prospects no rule matches; the first team when absent. */
  defaultTeam: z.string().min(1).optional(),
}));
export type Assignment = z.infer<typeof AssignmentSchema>;

export const SupportPolicySchema = shareable(z.object({
  /** The sales-support team that answers customers' telephone queries. */
  team: z.string().min(1),
  answerWithin: OffsetSchema,
  escalateAfter: OffsetSchema,
}));

const Probability = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

/** How likely an open prospect in each stage is to be won, when the process does not say. */
export const DEFAULT_STAGE_PROBABILITIES = { contact: 0.05, qualification: 0.15, inquiry: 0.3, quotation: 0.6 } as const;

/**
 * The weighted forecast's probabilities of winning an open prospect by its stage (won
 * counts 1, lost 0). Each one the definition leaves out takes its default.
 */
export const StageProbabilitiesSchema = shareable(z.object({
  contact: Probability.default(DEFAULT_STAGE_PROBABILITIES.contact),
  qualification: Probability.default(DEFAULT_STAGE_PROBABILITIES.qualification),
  inquiry: Probability.default(DEFAULT_STAGE_PROBABILITIES.inquiry),
  quotation: Probability.default(DEFAULT_STAGE_PROBABILITIES.quotation),
}));
export type StageProbabilities = z.infer<typeof StageProbabilitiesSchema>;

export const ProcessNameSchema = shareable(z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and "-"'));

/**
 * The schemas of a definition that hold text people write (names, titles) or rules added
 * later, per rules level: workflows parse definitions again (at start, on migration, on
 * publish) in handlers that replay, so they use the `recorded` level (domain/shared/inputRules.ts).
 */
function definitionSchemas(lenient: boolean) {
  const PersonSchema = z.object({
    id: PersonIdSchema,
    name: singleLineText(200, lenient).min(1).optional(),
    email: emailSchema('must be an email address'),
  });

  const TeamSchema = z.object({
    name: singleLineText(100, lenient).min(1),
    manager: PersonSchema,
    reps: z.array(PersonSchema).min(1, 'a team needs at least one rep'),
  });

  /**
   * A task the prospect workflow creates when the prospect enters a stage. `due` is counted
   * from entering the stage (the stage's SLA); an open task past due reminds its rep, and
   * `escalateAfter` later mails the team's manager.
   */
  const TaskTemplateSchema = z.object({
    kind: TaskKindSchema,
    /** `{{name}}`, `{{company}}` and `{{id}}` are filled from the prospect. */
    title: singleLineText(200, lenient).min(1),
    due: OffsetSchema,
    escalateAfter: OffsetSchema,
  });

  const QualificationCriteriaSchema = z.object({
    threshold: z.number(),
    rules: z.array(scoringRuleSchema(lenient)).default([]),
    knockouts: z.array(knockoutRuleSchema(lenient)).default([]),
  });

  const CallPolicySchema = z
    .object({
      /** A scheduled call not marked done this long after its end escalates. */
      escalateAfter: OffsetSchema.default({ businessDays: 1 }),
      defaultDuration: DurationSchema.default(1_800_000),
      /** Longer calls are refused as typos; a working day unless the process says otherwise. */
      maxDuration: DurationSchema.default(36_000_000),
    })
    .refine((c) => lenient || !(c.defaultDuration > c.maxDuration), {
      message: 'defaultDuration must not be longer than maxDuration',
      path: ['defaultDuration'],
    });

  const ProcessDefinitionSchema = z
    .object({
      name: ProcessNameSchema,
      version: z.number().int().positive().default(1),
      description: multiLineText(2000, lenient).optional(),
      teams: z.array(TeamSchema).min(1, 'a process needs at least one team'),
      quotePolicy: QuotePolicySchema,
      qualification: QualificationCriteriaSchema.optional(),
      assignment: AssignmentSchema.optional(),
      /**
       * Task templates per stage, created when the prospect enters that stage; `qualified`
       * fires when qualification decides for the lead (the first call, typically).
       */
      tasks: z.partialRecord(z.enum([...STAGES, 'qualified']), z.array(TaskTemplateSchema)).default({}),
      support: SupportPolicySchema.optional(),
      calls: CallPolicySchema.default({ escalateAfter: { businessDays: 1 }, defaultDuration: 1_800_000, maxDuration: 36_000_000 }),
      /**
       * The zone the process's mails show times in (`Europe/Berlin`); without it, the
       * SALESFLOW_TIMEZONE of the client that created (or migrated) the prospect.
       */
      timezone: TimeZoneSchema.optional(),
      /** Who makes the offers: documents, mail sender, terms (domain/process/seller.ts). */
      seller: sellerSchema(lenient).optional(),
      /** Per-process overrides of the customer mails (domain/process/mailTemplates.ts). */
      mailTemplates: MailTemplatesSchema.optional(),
      /** For the weighted forecast (reports); absent on definitions published before it. */
      stageProbabilities: StageProbabilitiesSchema.prefault({}),
      /**
       * How customers are cared for after the sale (domain/customer/postSales.ts); the
       * defaults there when absent.
       */
      postSales: PostSalesSchema.optional(),
    })
    // Cross-checks run even when other parts of the file are invalid, so `process validate`
    // reports every problem in one pass; they therefore read the value defensively.
    .superRefine((value, ctx) => crossCheck(value as unknown, ctx), { when: () => true });

  return { PersonSchema, TeamSchema, TaskTemplateSchema, QualificationCriteriaSchema, CallPolicySchema, ProcessDefinitionSchema };
}

const CURRENT = definitionSchemas(false);
const RECORDED = definitionSchemas(true);

export const { PersonSchema, TeamSchema, TaskTemplateSchema, QualificationCriteriaSchema, CallPolicySchema, ProcessDefinitionSchema } = shareableEach(CURRENT);

export function processDefinitionSchema(rules: InputRules): typeof ProcessDefinitionSchema {
  return rules === 'recorded' ? RECORDED.ProcessDefinitionSchema : CURRENT.ProcessDefinitionSchema;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const field = (v: unknown, key: string): unknown => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function crossCheck(def: unknown, ctx: { addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void }): void {
  // A template naming a variable its mail does not have is refused at validation and publish
  // time, not when a customer's mail is due.
  for (const issue of templateIssues(field(def, 'mailTemplates'))) ctx.addIssue({ code: 'custom', ...issue });
  const teams = list(field(def, 'teams'));
  const teamNames = new Set(teams.map((t) => text(field(t, 'name'))).filter((n): n is string => n !== undefined));
  const checkTeam = (name: unknown, path: (string | number)[]) => {
    if (typeof name === 'string' && !teamNames.has(name)) {
      ctx.addIssue({ code: 'custom', path, message: `no team "${name}" (teams: ${[...teamNames].join(', ')})` });
    }
  };
  const assignment = field(def, 'assignment');
  list(field(assignment, 'rules')).forEach((rule, i) => {
    checkTeam(field(rule, 'team'), ['assignment', 'rules', i, 'team']);
    if (text(field(rule, 'field'))?.startsWith('answers')) {
      ctx.addIssue({
        code: 'custom',
        path: ['assignment', 'rules', i, 'field'],
        message: 'assignment happens at creation, before any qualification answers; use fields, source, company or email',
      });
    }
  });
  checkTeam(field(assignment, 'defaultTeam'), ['assignment', 'defaultTeam']);
  checkTeam(field(field(def, 'support'), 'team'), ['support', 'team']);
  const teamSeen = new Set<string>();
  const repTeam = new Map<string, string>();
  teams.forEach((team, t) => {
    const name = text(field(team, 'name')) ?? '';
    if (teamSeen.has(name)) ctx.addIssue({ code: 'custom', path: ['teams', t, 'name'], message: `team "${name}" is defined twice` });
    teamSeen.add(name);
    list(field(team, 'reps')).forEach((rep, r) => {
      const id = text(field(rep, 'id'));
      if (id === undefined) return;
      const other = repTeam.get(id);
      if (other !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['teams', t, 'reps', r, 'id'], message: `rep "${id}" is already in team "${other}"; a rep belongs to one team` });
      }
      repTeam.set(id, name);
    });
  });
}

/**
 * Where a process file holds durations. The schema also takes numbers (milliseconds),
 * because workflow inputs and continue-as-new carry parsed definitions; a person writing
 * `staleAfter: 10` means days or hours, never 10 ms, so files must give the unit.
 */
const DURATION_FIELDS: { section: string; fields: string[] }[] = [
  { section: 'quotePolicy', fields: ['validity', 'staleAfter', 'escalateAfter', 'followUpDueIn'] },
  { section: 'calls', fields: ['escalateAfter', 'defaultDuration', 'maxDuration'] },
  { section: 'support', fields: ['answerWithin', 'escalateAfter'] },
  { section: 'postSales', fields: [...POST_SALES_DURATIONS] },
];

/** Every duration written as a bare number in a process file as people write it. */
export function bareDurationNumbers(file: unknown): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const check = (value: unknown, path: (string | number)[]) => {
    if (typeof value === 'number') {
      out.push({ path, message: `${value} has no unit: write it with one, e.g. ${value}d, ${value}h or ${value}m (rule: every duration carries its unit)` });
    }
  };
  for (const { section, fields } of DURATION_FIELDS) {
    for (const f of fields) check(field(field(file, section), f), [section, f]);
  }
  const postSales = field(file, 'postSales');
  check(field(field(postSales, 'renewal'), 'escalateBefore'), ['postSales', 'renewal', 'escalateBefore']);
  list(field(field(postSales, 'renewal'), 'remindBefore')).forEach((v, i) => check(v, ['postSales', 'renewal', 'remindBefore', i]));
  check(field(field(postSales, 'referral'), 'askAfter'), ['postSales', 'referral', 'askAfter']);
  const tiers = field(postSales, 'tiers');
  if (tiers !== null && typeof tiers === 'object') for (const tier of Object.keys(tiers)) check(field(field(tiers, tier), 'checkInEvery'), ['postSales', 'tiers', tier, 'checkInEvery']);
  const products = field(postSales, 'products');
  if (products !== null && typeof products === 'object') {
    for (const product of Object.keys(products)) {
      for (const f of ['term', 'noticePeriod', 'reorderEvery']) check(field(field(products, product), f), ['postSales', 'products', product, f]);
    }
  }
  const tasks = field(file, 'tasks');
  if (tasks !== null && typeof tasks === 'object') {
    for (const [stage, templates] of Object.entries(tasks)) {
      list(templates).forEach((t, i) => {
        check(field(t, 'due'), ['tasks', stage, i, 'due']);
        check(field(t, 'escalateAfter'), ['tasks', stage, i, 'escalateAfter']);
      });
    }
  }
  return out;
}

/** The variables a task title may name (domain/tasks/tasks.ts fills them from the prospect). */
export const TASK_TITLE_VARIABLES = ['name', 'company', 'id'] as const;

/**
 * What a process file, as people write it, gets wrong without the schema noticing: a duration
 * without its unit, a key the schema does not know at the top level (`timezon:` would be
 * dropped silently, leaving the default), a task title naming a variable there is none of
 * (`{{nmae}}` would reach every task as written). Checked on files (validate, publish,
 * create --process), not on definitions already published, which replay as recorded.
 */
export function processFileProblems(file: unknown): { path: (string | number)[]; message: string }[] {
  const out = bareDurationNumbers(file);
  if (file !== null && typeof file === 'object' && !Array.isArray(file)) {
    const known = new Set(Object.keys(ProcessDefinitionSchema.shape));
    for (const key of Object.keys(file)) {
      if (!known.has(key)) out.push({ path: [key], message: `is not a setting of a process (settings: ${[...known].join(', ')})` });
    }
  }
  const tasks = field(file, 'tasks');
  if (tasks !== null && typeof tasks === 'object') {
    for (const [stage, templates] of Object.entries(tasks)) {
      list(templates).forEach((t, i) => {
        const title = text(field(t, 'title'));
        for (const m of title?.matchAll(/\{\{\s*(\w+)\s*\}\}/g) ?? []) {
          if (!(TASK_TITLE_VARIABLES as readonly string[]).includes(m[1]!)) {
            out.push({ path: ['tasks', stage, i, 'title'], message: `{{${m[1]}}} is not a variable of a task title (there are: ${TASK_TITLE_VARIABLES.map((v) => `{{${v}}}`).join(', ')})` });
          }
        }
      });
    }
  }
  return out;
}

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
  seller: {
    legalName: 'Example Sales GmbH',
    address: 'Musterstraße 1\n10115 Berlin\nGermany',
    taxId: 'DE123456789',
    email: 'sales@example.com',
    locale: 'en-GB',
    tax: { name: 'VAT', rate: '19' },
    paymentTerms: 'Payment within 30 days of invoice, without deduction.',
    deliveryTerms: 'Delivery ex works (EXW Berlin), within 4 weeks of order.',
    mailSignature: 'Example Sales GmbH · Musterstraße 1 · 10115 Berlin',
  },
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

/** Why `repId` cannot hold a prospect of this process version, in the words every refusal uses; undefined when it can. */
export function notARep(process: ProcessDefinition, repId: string): string | undefined {
  if (findRep(process, repId)) return undefined;
  return `"${repId}" is not a rep of process "${process.name}" v${process.version} (reps: ${allReps(process).map((r) => r.id).join(', ')})`;
}

/** The zone a prospect's mails are written in. */
export function mailTimeZone(process: Pick<ProcessDefinition, 'timezone'>): string {
  return process.timezone ?? DEFAULT_TIME_ZONE;
}

/** The definition with `zone` as its mail time zone, unless it names one itself. */
export function withTimeZone<P extends { timezone?: string }>(process: P, zone: string | undefined): P {
  return process.timezone !== undefined || zone === undefined ? process : { ...process, timezone: zone };
}
