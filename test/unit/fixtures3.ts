import type { z } from 'zod';
import { DomainError, describeIssues } from '../../domain/shared/errors';
import { newProspect } from '../../domain/pipeline/lifecycle';
import { ProcessDefinitionSchema, type ProcessDefinition, type ProcessDefinitionInput } from '../../domain/process/process';
import type { ProspectInfoInput, ProspectState } from '../../domain/pipeline/prospect';

/**
 * Examples for the issue-3 unit tests (process definitions, rules, tasks, calls, support,
 * migration): one process with three teams (two field teams by territory and a support
 * desk), marketing's qualification rules and task templates for several stages.
 */

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A Monday, 09:00 UTC. */
export const MONDAY = '2026-03-02T09:00:00.000Z';
export const FRIDAY = '2026-03-06T16:30:00.000Z';
export const SATURDAY = '2026-03-07T10:00:00.000Z';
export const SUNDAY = '2026-03-08T10:00:00.000Z';
export const T0 = MONDAY;

/** An ISO time `ms` after `from` (T0 by default). */
export function at(ms: number, from: string = T0): string {
  return new Date(Date.parse(from) + ms).toISOString();
}

export const SALES: ProcessDefinitionInput = {
  name: 'sales',
  version: 1,
  description: 'Two field teams by territory and a support desk.',
  teams: [
    {
      name: 'north',
      manager: { id: 'mia', name: 'Mia Manager', email: 'mia@example.com' },
      reps: [
        { id: 'alice', name: 'Alice Rep', email: 'alice@example.com' },
        { id: 'bob', name: 'Bob Rep', email: 'bob@example.com' },
      ],
    },
    {
      name: 'south',
      manager: { id: 'sven', email: 'sven@example.com' },
      reps: [{ id: 'carol', email: 'carol@example.com' }],
    },
    {
      name: 'desk',
      manager: { id: 'sue', email: 'sue@example.com' },
      reps: [{ id: 'sam', name: 'Sam Support', email: 'sam@example.com' }],
    },
  ],
  assignment: {
    strategy: 'territory',
    rules: [{ field: 'fields.territory', op: 'eq', value: 'south', team: 'south' }],
    defaultTeam: 'north',
  },
  qualification: {
    threshold: 50,
    rules: [
      { name: 'budget over 10k', field: 'answers.budget', op: 'gte', value: 10_000, weight: 40 },
      { name: 'decision maker known', field: 'answers.authority', op: 'exists', weight: 20 },
      { name: 'buying this year', field: 'answers.timeline', op: 'in', value: ['Q1', 'Q2', 'Q3', 'Q4', 'now'], weight: 20 },
      { name: 'referral', field: 'source', op: 'eq', value: 'referral', weight: 10 },
    ],
    knockouts: [{ name: 'student', field: 'fields.segment', op: 'eq', value: 'student', reason: 'students are not a target segment' }],
  },
  tasks: {
    contact: [{ kind: 'call', title: 'Introduce us to {{name}}', due: '4h', escalateAfter: '1d' }],
    qualified: [{ kind: 'call', title: 'First call with {{name}} ({{company}})', due: '1bd', escalateAfter: '4h' }],
    inquiry: [{ kind: 'demo', title: 'Product demonstration for {{company}}', due: '2bd', escalateAfter: '1bd' }],
    won: [{ kind: 'follow_up', title: 'Welcome call for {{id}}', due: '7d', escalateAfter: '1d' }],
  },
  support: { team: 'desk', answerWithin: '4h', escalateAfter: '2h' },
  calls: { escalateAfter: '1bd', defaultDuration: '30m' },
  quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d', currency: 'EUR', followUpDueIn: '1d' },
};

export const SALES_DEF: ProcessDefinition = ProcessDefinitionSchema.parse(SALES);

/** The same process with a change; `version` is what a registry would have stamped. */
export function salesV(version: number, change: Partial<ProcessDefinitionInput> = {}): ProcessDefinitionInput {
  return { ...structuredClone(SALES), ...change, version };
}

export const LEAD: ProspectInfoInput = {
  id: 'P1',
  name: 'Ada Buyer',
  company: 'Acme',
  email: 'ada@acme.example',
  phone: '+49 30 1234',
  rep: 'alice',
  source: 'referral',
  fields: { territory: 'north' },
};

export function lead(info: Partial<ProspectInfoInput> = {}, process: ProcessDefinitionInput = SALES, now: string = T0): ProspectState {
  return newProspect({ ...LEAD, ...info }, process, now);
}

/** A JSON copy of a value, to prove a command left its input untouched. */
export function snapshot(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/**
 * Runs something that must be refused with a DomainError; returns the message and proves
 * (when `untouched` is given) that the value it was handed is unchanged.
 */
export function refusal(run: () => unknown, untouched?: unknown): string {
  const before = untouched === undefined ? undefined : snapshot(untouched);
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DomainError);
  if (untouched !== undefined) expect(snapshot(untouched)).toEqual(before);
  return (caught as DomainError).message;
}

/** The messages (`path: rule`) a schema refuses a value with; fails the test if it is accepted. */
export function problems(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  if (result.success) throw new Error(`expected a refusal, got ${JSON.stringify(result.data)}`);
  return describeIssues(result.error);
}

/** iCalendar content lines with folding undone (RFC 5545 3.1). */
export function unfoldedLines(ics: string): string[] {
  return ics.replace(/\r\n[ \t]/g, '').split('\r\n').filter((line) => line !== '');
}

/** The value of the first property `name` (parameters skipped) in an iCalendar text. */
export function icsProp(ics: string, name: string): string | undefined {
  const line = unfoldedLines(ics).find((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));
  return line?.slice(line.indexOf(':') + 1);
}
