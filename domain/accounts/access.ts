import type { CustomerState } from '../customer/customer';
import type { ProspectState } from '../pipeline/prospect';
import type { Role } from './accounts';

/**
 * Who may do what through the salesflow server, as one pure function so the rules are read
 * (and tested) in one place. The server loads the resource (the prospect, the task) first and
 * asks `can` about it; it never trusts a client's claim of whose prospect it is.
 *
 * - admin: everything, and the user accounts.
 * - ops: processes (publish, migrate), campaigns and the suppression list; reads everything.
 * - manager: prospects and tasks of their team: the account's `team` names a team of the
 *   prospect's process definition, or that definition names the account's person the team's
 *   manager, and the prospect's (or task's) rep is in that team.
 * - rep: prospects and tasks assigned to their person id.
 * - support: support tasks and support queries (open, answer), reading any prospect to do so.
 *
 * Customer accounts (after the sale) follow the same rules with the account owner as the
 * rep: the owner and their manager work it, support reads it to answer post-sales queries,
 * ops and admin everything.
 */

export interface Actor {
  role: Role;
  /** The rep or manager id of the process definitions this account acts as. */
  personId: string | null;
  team: string | null;
}

export interface TeamView {
  name: string;
  reps: readonly string[];
  /** The team's manager's person id in that process version. */
  manager?: string;
}

/** What a rule needs to know about a prospect: its rep and its process definition's teams. */
export interface ProspectResource {
  kind: 'prospect';
  rep: string;
  teams: readonly TeamView[];
}

export interface TaskResource {
  kind: 'task';
  rep: string;
  taskKind: string;
  /** The task's prospect, for a manager's team check. */
  prospect?: ProspectResource;
}

/** A customer account: its owner and its process definition's teams. */
export interface CustomerResource {
  kind: 'customer';
  /** The account owner. */
  rep: string;
  teams: readonly TeamView[];
}

export type Resource = ProspectResource | TaskResource | CustomerResource | { kind: 'process' } | { kind: 'campaign' } | { kind: 'users' };

export const ACTIONS = [
  'read',
  /** Create a prospect. */
  'create',
  /** A lifecycle command, a call, a reassignment, a task completion. */
  'command',
  /** Open or answer a support query on a prospect. */
  'support',
  /** Publish a process, migrate prospects, start or steer a campaign, unsuppress. */
  'manage',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Task kinds that belong to the support desk. */
export function isSupportTask(taskKind: string): boolean {
  return taskKind === 'support';
}

/**
 * Whether `rep` is in a team `actor` manages: the account's team, or any team the process
 * version names the account's person the manager of (a process file making maria manager of
 * north and of sales reaches her one account, and her escalation mails open).
 */
function inTeam(actor: Actor, rep: string, teams: readonly TeamView[]): boolean {
  return teams.some((t) => t.reps.includes(rep) && managesTeam(actor, { name: t.name, manager: t.manager }));
}

/**
 * Whether `actor` manages `team` (a team of a process version, its manager by person id): the
 * account's team, or one the process names the account's person the manager of. The one rule
 * the access checks, the board and the web app's reassign list share.
 */
export function managesTeam(actor: Pick<Actor, 'team' | 'personId'>, team: { name: string; manager?: string | { id: string } | undefined }): boolean {
  const manager = typeof team.manager === 'object' ? team.manager.id : team.manager;
  return (actor.team !== null && team.name === actor.team) || (actor.personId !== null && manager === actor.personId);
}

export function can(actor: Actor, action: Action, resource: Resource): boolean {
  if (actor.role === 'admin') return true;
  if (resource.kind === 'users') return false;
  if (actor.role === 'ops') return true;
  if (resource.kind === 'process' || resource.kind === 'campaign') {
    // Reading a process (its teams, its rules) is everyone's; changing it is ops's.
    return action === 'read' && resource.kind === 'process';
  }
  const own = actor.personId !== null && resource.rep === actor.personId;
  switch (actor.role) {
    case 'rep':
      // A rep creates prospects for themself only; the server sets the rep to theirs.
      return own && action !== 'manage';
    case 'manager': {
      const teams = resource.kind === 'task' ? (resource.prospect?.teams ?? []) : resource.teams;
      const ours = own || inTeam(actor, resource.rep, teams);
      return ours && action !== 'manage';
    }
    case 'support':
      if (resource.kind === 'prospect' || resource.kind === 'customer') return action === 'read' || action === 'support';
      return isSupportTask(resource.taskKind) && (action === 'read' || action === 'command');
  }
}

/**
 * Whether `actor` may hand a prospect or account they may command to `to`: a manager keeps it
 * within their team (handing it to another team's rep would put it beyond their own reach, a
 * decision for ops or an admin); anyone else whom `can` lets command it may. The reason when not.
 */
export function reassignRefusal(actor: Actor, to: string, teams: readonly TeamView[]): string | undefined {
  if (actor.role !== 'manager' || to === actor.personId || inTeam(actor, to, teams)) return undefined;
  const theirs = teams.find((t) => t.reps.includes(to));
  return `managers reassign within their team (${actor.team ?? 'none'})${theirs ? `: ${to} is in ${theirs.name}` : ''}; ops or an admin moves a prospect to another team`;
}

/** A prospect as the rules see it: its rep and its process version's teams. */
export function prospectResource(state: Pick<ProspectState, 'info' | 'process'>): ProspectResource {
  return { kind: 'prospect', rep: state.info.rep, teams: teamViews(state.process.teams) };
}

/** A customer account as the rules see it: its owner and its process version's teams. */
export function customerResource(state: Pick<CustomerState, 'info' | 'process'>): CustomerResource {
  return { kind: 'customer', rep: state.info.owner, teams: teamViews(state.process.teams) };
}

function teamViews(teams: readonly { name: string; manager: { id: string }; reps: readonly { id: string }[] }[]): TeamView[] {
  return teams.map((t) => ({ name: t.name, reps: t.reps.map((r) => r.id), manager: t.manager.id }));
}
