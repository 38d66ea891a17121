import { DEFAULT_PROCESS, type ProcessDefinition } from '../domain/process/process';
import { managesTeam, type Actor } from '../domain/accounts/access';
import type { ServerDeps } from './app';

/**
 * The teams of the built-in process and of the latest version of every published one: what
 * an account's team and person id are checked against, and the teams a process makes a
 * person the manager of. Undefined while Temporal cannot be asked (the callers then do
 * without).
 */
export async function publishedTeams(deps: Pick<ServerDeps, 'ops'>): Promise<ProcessDefinition['teams'] | undefined> {
  const published = await deps.ops.listProcesses().catch(() => undefined);
  if (!published) return undefined;
  const latest = await Promise.all(published.map(async (p) => (await deps.ops.version(p.name)).definition)).catch(() => undefined);
  if (!latest) return undefined;
  return [DEFAULT_PROCESS, ...latest].flatMap((d) => d.teams);
}

/**
 * The teams a manager's lookups in the read model go by: their account's team and those the
 * published processes make their person the manager of (`managesTeam`). A process given
 * inline, not published, is not among them; callers that read prospects add its teams.
 */
export async function managedTeams(deps: Pick<ServerDeps, 'ops'>, actor: Pick<Actor, 'team' | 'personId'>): Promise<Set<string>> {
  const teams = await publishedTeams(deps);
  return new Set<string>([...(actor.team ? [actor.team] : []), ...(teams ?? []).filter((t) => managesTeam(actor, t)).map((t) => t.name)]);
}
