import { z } from 'zod';
import { DomainError, parseOrThrow } from '../shared/errors';
import type { InputRules } from '../shared/inputRules';
import { processDefinitionSchema, type ProcessDefinition } from './process';
import { holds, type Facts } from './rules';
import { shareable } from '../shared/shareable';

/**
 * The versions of one named process, as the registry workflow keeps them, and the
 * round-robin counters that assignment needs. Pure rules; the workflow holds the state.
 */


export interface PublishedVersion {
  version: number;
  definition: ProcessDefinition;
  publishedAt: string;
  publishedBy: string;
}

export interface RegistryState {
  name: string;
  versions: PublishedVersion[];
  /** Next round-robin position per team. */
  roundRobin: Record<string, number>;
}

export const PublishSchema = shareable(z.object({ definition: z.unknown(), by: z.string().min(1).default('unknown') }));
export type Publish = z.input<typeof PublishSchema>;

export const AssignSchema = shareable(z.object({
  fields: z.record(z.string(), z.unknown()).default({}),
  source: z.string().optional(),
  company: z.string().optional(),
  email: z.string().optional(),
  version: z.number().int().positive().optional(),
}));
export type AssignRequest = z.input<typeof AssignSchema>;
export interface Assignment {
  rep: string;
  team: string;
  version: number;
}

/** Definitions compared without their version number: publishing the same thing twice is refused. */
function sameContent(a: ProcessDefinition, b: ProcessDefinition): boolean {
  return JSON.stringify({ ...a, version: 0 }) === JSON.stringify({ ...b, version: 0 });
}

export function latest(state: RegistryState): PublishedVersion | undefined {
  return state.versions[state.versions.length - 1];
}

export function versionOf(state: RegistryState, version?: number): PublishedVersion {
  if (state.versions.length === 0) throw new DomainError(`process "${state.name}" has no published version`);
  if (version === undefined) return latest(state)!;
  const found = state.versions.find((v) => v.version === version);
  if (!found) throw new DomainError(`process "${state.name}" has no version ${version} (1..${state.versions.length})`);
  return found;
}

/** Stores the definition as the next version; the file's own `version` is replaced. */
export function publish(state: RegistryState, raw: unknown, now: string, rules: InputRules = 'current'): { state: RegistryState; version: PublishedVersion } {
  const cmd = parseOrThrow(PublishSchema, raw, 'publish');
  const definition = parseOrThrow(processDefinitionSchema(rules), cmd.definition, 'process definition');
  if (definition.name !== state.name) throw new DomainError(`the file defines process "${definition.name}", not "${state.name}"`);
  const last = latest(state);
  if (last && sameContent(last.definition, definition)) {
    throw new DomainError(`nothing to publish: the file is the same as version ${last.version}`);
  }
  const number = (last?.version ?? 0) + 1;
  const version = { version: number, definition: { ...definition, version: number }, publishedAt: now, publishedBy: cmd.by };
  return { state: { ...state, versions: [...state.versions, version] }, version };
}

/** Picks the team (territory rules, else the default) and the next rep in it, round-robin. */
export function assign(state: RegistryState, raw: unknown): { state: RegistryState; assignment: Assignment } {
  const req = parseOrThrow(AssignSchema, raw, 'assignment request');
  const { version, definition } = versionOf(state, req.version);
  const facts: Facts = { fields: req.fields, source: req.source, company: req.company, email: req.email };
  const rules = definition.assignment?.strategy === 'territory' ? definition.assignment.rules : [];
  const teamName = rules.find((rule) => holds(rule, facts))?.team ?? definition.assignment?.defaultTeam;
  const team = definition.teams.find((t) => t.name === teamName) ?? definition.teams[0]!;
  const position = state.roundRobin[team.name] ?? 0;
  const rep = team.reps[position % team.reps.length]!;
  return {
    state: { ...state, roundRobin: { ...state.roundRobin, [team.name]: position + 1 } },
    assignment: { rep: rep.id, team: team.name, version },
  };
}

export interface DiffLine {
  path: string;
  from: unknown;
  to: unknown;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The key that names each element of both lists (teams by `name`, reps and products by `id`),
 * when every element has one and no two share it; undefined for lists of plain values or rules.
 */
function elementKey(a: unknown[], b: unknown[]): 'id' | 'name' | undefined {
  for (const key of ['id', 'name'] as const) {
    const keyed = (list: unknown[]) => list.every((x) => isObj(x) && typeof x[key] === 'string') && new Set(list.map((x) => (x as Record<string, unknown>)[key])).size === list.length;
    if (a.length + b.length > 0 && keyed(a) && keyed(b)) return key;
  }
  return undefined;
}

/**
 * Field-by-field differences between two definitions, for `process diff`. Elements of lists
 * that name them (a team, a rep) are matched by that name, and the path says it
 * (`teams[north].reps[carol]`): a rep removed from the middle of a team is that rep removed,
 * not every rep after it changed.
 */
export function diffDefinitions(a: unknown, b: unknown, path = ''): DiffLine[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const key = elementKey(a, b);
    if (key) {
      const byKey = (list: unknown[]) => new Map(list.map((x) => [(x as Record<string, string>)[key]!, x]));
      const [from, to] = [byKey(a), byKey(b)];
      const names = [...from.keys(), ...[...to.keys()].filter((k) => !from.has(k))];
      return names.flatMap((name) => diffDefinitions(from.get(name), to.get(name), `${path}[${name}]`));
    }
    const out: DiffLine[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...diffDefinitions(a[i], b[i], `${path}[${i}]`));
    return out;
  }
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffDefinitions(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return [{ path: path || '(root)', from: a, to: b }];
}
