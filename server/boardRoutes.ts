import { z } from 'zod';
import { can, managesTeam, prospectResource, reassignRefusal, type Actor } from '../domain/accounts/access';
import { currentQuote } from '../domain/pipeline/lifecycle';
import { customerResponded, nextDueAt } from '../domain/pipeline/deadlines';
import type { ProspectState } from '../domain/pipeline/prospect';
import { OPEN_STAGES, STAGES, type Stage } from '../domain/pipeline/stages';
import { recentlyClosedProspects } from '../db/reporting';
import { allReps, teamOf } from '../domain/process/process';
import { actorOf, requirePrincipal } from './auth';
import type { App, ServerDeps } from './app';
import { ProblemSchema } from './problem';
import { managedTeams } from './publishedTeams';

/**
 * The pipeline board (the web app's manager screen) in one request: the open prospects the
 * caller may see (at most `limit`) and those closed in the last `closedDays` (at most
 * CLOSED_LIMIT, the latest first), with what a card shows that visibility does not hold — how
 * long it has been in its stage and whether its quotation went stale or anything escalated.
 * Each prospect's state is read once, as GET /api/prospects does for a manager's team. The
 * closed ones come from the reporting read model, which has their close time; without the
 * window the Won and Lost columns would grow for ever and take the open deals' places.
 */

/** The closed cards a board shows at most: the latest, the count of the rest in `closed.total`. */
export const CLOSED_LIMIT = 100;

const MARKS = ['stale', 'escalated', 'overdue', 'idle'] as const;

const BoardCardSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    company: z.string().optional(),
    stage: z.enum(STAGES),
    rep: z.string(),
    team: z.string().optional(),
    /** The current quotation's net value: a draft, sent or accepted one (none when rejected or expired). */
    valueCents: z.number().optional(),
    currency: z.string(),
    stageSince: z.string(),
    /** A lost prospect's reason, as the card shows it. */
    lostReason: z.string().optional(),
    lastActivityAt: z.string(),
    nextDue: z.string().optional(),
    /**
     * stale: a sent quotation unanswered past the process's staleAfter; escalated: a quotation
     * or task went to the manager; overdue: a task is past due; idle: nothing happened on an
     * open prospect for longer than staleAfter.
     */
    marks: z.array(z.enum(MARKS)),
    /** The current quotation's status, whatever it is (a rejected or expired one has no valueCents). */
    quoteStatus: z.string().optional(),
    /** The reps of the prospect's process version the caller may hand it to (a manager: their team's). */
    reps: z.array(z.string()),
    process: z.object({ name: z.string(), version: z.number() }),
  })
  .meta({ id: 'BoardCard' });

const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 503: ProblemSchema };

/** When the prospect entered its current stage, from the record of what happened. */
function stageSince(state: ProspectState): string {
  switch (state.stage as Stage) {
    case 'contact':
      return state.createdAt;
    case 'qualification':
      return state.changes.find((c) => /^(qualified|recorded qualification)/.test(c.what))?.at ?? state.qualification?.updatedAt ?? state.createdAt;
    case 'inquiry':
      return state.inquiry?.versions[0]?.changedAt ?? state.createdAt;
    case 'quotation':
      return state.quotes[0]?.createdAt ?? state.createdAt;
    default:
      return state.closedAt ?? state.changes[state.changes.length - 1]?.at ?? state.createdAt;
  }
}

export function boardCard(state: ProspectState, now: number, actor?: Actor): z.infer<typeof BoardCardSchema> {
  const quote = currentQuote(state);
  const policy = state.process.quotePolicy;
  const open = state.stage !== 'won' && state.stage !== 'lost';
  const marks = new Set<(typeof MARKS)[number]>();
  if (open && quote?.status === 'sent' && quote.sentAt && !customerResponded(state, quote) && (quote.remindedAt || now >= Date.parse(quote.sentAt) + policy.staleAfter)) marks.add('stale');
  // As the prospect page says it ("expired · escalated"): the manager was told, whatever the
  // quotation did since; a new revision (the current quote then) starts afresh.
  if (open && quote?.escalatedAt) marks.add('escalated');
  if (state.tasks.some((t) => t.state === 'escalated')) marks.add('escalated');
  if (state.tasks.some((t) => t.state === 'overdue')) marks.add('overdue');
  const times = [...state.changes.map((c) => c.at), ...state.contacts.map((c) => c.at), state.createdAt];
  const lastActivityAt = times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
  if (open && now - Date.parse(lastActivityAt) > policy.staleAfter) marks.add('idle');
  const due = nextDueAt(state);
  return {
    id: state.info.id,
    name: state.info.name,
    ...(state.info.company ? { company: state.info.company } : {}),
    stage: state.stage,
    rep: state.info.rep,
    ...(teamOf(state.process, state.info.rep) ? { team: teamOf(state.process, state.info.rep)!.name } : {}),
    // What the quotation is worth while it can still be won, or was: a rejected or expired
    // one binds nobody and counts in no column.
    ...(quote && quote.status !== 'rejected' && quote.status !== 'expired' ? { valueCents: quote.totals.netCents } : {}),
    ...(quote ? { quoteStatus: quote.status } : {}),
    currency: policy.currency,
    stageSince: stageSince(state),
    ...(state.stage === 'lost' && state.lostReason ? { lostReason: state.lostReason } : {}),
    lastActivityAt,
    ...(due !== undefined ? { nextDue: new Date(due).toISOString() } : {}),
    marks: [...marks],
    // Who the caller may hand it to: a manager, their team's reps (domain/accounts/access.ts).
    reps: allReps(state.process)
      .map((r) => r.id)
      .filter((r) => !actor || reassignRefusal(actor, r, prospectResource(state).teams) === undefined),
    process: { name: state.process.name, version: state.process.version },
  };
}

export async function registerBoardRoutes(api: App, deps: ServerDeps): Promise<void> {
  api.get(
    '/board',
    {
      schema: {
        tags: ['prospects'],
        summary: 'the pipeline board: a card per prospect the caller may see, with age in stage and stale/escalated marks',
        querystring: z.strictObject({
          rep: z.string().min(1).max(100).optional(),
          team: z.string().min(1).max(100).optional(),
          /** At most this many open prospects' cards. */
          limit: z.coerce.number().int().min(1).max(500).default(200),
          /** The Won and Lost columns: prospects closed within this many days. */
          closedDays: z.coerce.number().int().min(1).max(365).default(30),
        }),
        response: {
          200: z.object({
            cards: z.array(BoardCardSchema),
            reps: z.array(z.object({ id: z.string(), team: z.string() })),
            /** Open prospects were left off at `limit` (a rep or team filter shows the rest). */
            moreOpen: z.boolean(),
            /** The closed cards: closed since `since`; `total` of them, the latest CLOSED_LIMIT shown. */
            closed: z.object({ since: z.string(), total: z.number() }),
          }),
          ...problems,
        },
      },
    },
    async (request) => {
      const actor = actorOf(requirePrincipal(request));
      const { rep, team, limit, closedDays } = request.query;
      const now = (deps.now ?? Date.now)();
      // From the start of a UTC day: the answer (and its ETag) stays the same all day.
      const since = new Date((Math.floor(now / 86_400_000) - closedDays) * 86_400_000);
      const nothing = { cards: [], reps: [], moreOpen: false, closed: { since: since.toISOString(), total: 0 } };
      if (actor.role === 'rep' && (!actor.personId || (rep !== undefined && rep !== actor.personId))) return nothing;
      const scopedRep = actor.role === 'rep' ? actor.personId! : rep;
      // A manager's closed deals are looked up by team: their account's, and those the
      // published processes make them manager of (domain/accounts/access.ts).
      const [open, managed] = await Promise.all([deps.sales.listProspects({ rep: scopedRep, stages: OPEN_STAGES }), actor.role === 'manager' ? managedTeams(deps, actor) : new Set<string>()]);
      const cards: z.infer<typeof BoardCardSchema>[] = [];
      const reps = new Map<string, string>();
      /** Reads the prospects' states a few at a time (each is a query on the worker) into cards, until `max` of them. */
      const read = async (ids: readonly string[], max: number): Promise<boolean> => {
        let taken = 0;
        for (let i = 0; i < ids.length; i += 8) {
          const states = await Promise.all(ids.slice(i, i + 8).map((id) => deps.sales.findProspect(id)));
          for (const state of states) {
            if (!state || !can(actor, 'read', prospectResource(state))) continue;
            for (const t of state.process.teams) {
              const theirs = managesTeam(actor, t);
              // A process given inline (not published) names its managers only in its prospects.
              if (actor.role === 'manager' && theirs) managed.add(t.name);
              if (actor.role !== 'manager' || theirs) for (const r of t.reps) reps.set(r.id, t.name);
            }
            const card = boardCard(state, now, actor);
            if (team !== undefined && card.team !== team) continue;
            if (taken === max) return true;
            cards.push(card);
            taken++;
          }
        }
        return false;
      };
      const moreOpen = await read(open.map((row) => row.id), limit);
      const closed = await recentlyClosedProspects(deps.db, {
        since,
        limit: CLOSED_LIMIT,
        ...(scopedRep !== undefined ? { rep: scopedRep } : {}),
        ...(team !== undefined ? { team } : {}),
        ...(actor.role === 'manager' ? { manager: { teams: [...managed], personId: actor.personId } } : {}),
      });
      await read(closed.ids, CLOSED_LIMIT);
      return {
        cards,
        reps: [...reps].map(([id, t]) => ({ id, team: t })).sort((a, b) => a.id.localeCompare(b.id)),
        moreOpen,
        closed: { since: since.toISOString(), total: closed.total },
      };
    },
  );
}
