import type { ProspectState, StageEntry } from '../pipeline/prospect';
import { prospectWorkflowId } from '../pipeline/prospect';
import { recordVersion } from '../pipeline/record';
import { fromCustomer } from '../pipeline/contact';
import type { Stage } from '../pipeline/stages';
import { DEFAULT_STAGE_PROBABILITIES, teamOf } from '../process/process';

/**
 * The reporting read model is a projection of each prospect's state: a snapshot row (what
 * the prospect is now) and event rows (what happened to it). Both are pure functions of the
 * state, so the rows the workflow feeds as it goes and the rows `report rebuild` makes from
 * the prospect's query are the same rows.
 *
 * Every event is keyed by (workflow id, seq). An event's seq and content never change once
 * the event exists (it is made only from parts of the state that are never edited again:
 * list entries, sent revisions, finished tasks), so writing an event twice (a retried
 * batch, a rebuild) changes nothing. The seq is the event's place in its list of the
 * prospect's record, in blocks per list:
 *
 * | block | list | n |
 * | --- | --- | --- |
 * | 0 | stage log | index |
 * | 1 | contact log | index counting archived entries |
 * | 2 | escalations | index counting archived entries |
 * | 3 | quotation revisions | revision × 10 + step (1 created, 2 sent, 3 answered, 4 superseded) |
 * | 4 | tasks | task number × 10 + step (1 created, 2 done, 3 cancelled) |
 */
export const SEQ_BLOCK = 100_000_000;

export const EVENT_KINDS = [
  'stage',
  'contact',
  'quote_created',
  'quote_sent',
  'quote_accepted',
  'quote_rejected',
  'quote_superseded',
  'quote_reminder',
  'quote_escalation',
  'quote_expired',
  'task_created',
  'task_done',
  'task_cancelled',
  'task_overdue',
  'task_escalated',
  'call_overdue',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface ReportEvent {
  seq: number;
  at: string;
  kind: EventKind;
  /** stage: the stage entered. */
  stage?: Stage;
  /** Who acted: a contact's author (none when the customer wrote), the rep a task or an escalation was for. */
  rep?: string;
  channel?: string;
  direction?: 'inbound' | 'outbound';
  quoteRevision?: number;
  /** quote_sent/accepted/rejected: the revision's net value; stage won: the accepted value. */
  valueCents?: number;
  taskId?: string;
  taskKind?: string;
  /** stage lost: why; quote_rejected: the customer's reason. */
  reason?: string;
  /** A campaign's contact (`campaign:<id>` wrote it). */
  campaign?: string;
  /** quote_accepted/rejected: time from sending to the answer; task_done: whether it was done by its due time (1/0). */
  ms?: number;
  onTime?: boolean;
}

export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed'] as const;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];

/** What the prospect is now: one row per prospect, replaced by newer versions only. */
export interface ProspectSnapshot {
  prospectId: string;
  /**
   * Who it is, for the search of every prospect (`GET /api/prospects?q=`): visibility keeps
   * them in the memo, which a list query cannot match. Absent in batches of workflows that
   * ran before search (their rows get them at the next write or `salesflow report rebuild`).
   */
  name?: string;
  company?: string | null;
  email?: string | null;
  /** The prospect's record version (domain/pipeline/record.ts): an older batch never overwrites a newer row. */
  version: number;
  rep: string;
  team: string | null;
  process: string;
  processVersion: number;
  source: string;
  campaign: string | null;
  stage: Stage;
  createdAt: string;
  closedAt: string | null;
  /** The current revision's net value (0 without a quotation). */
  valueCents: number;
  currency: string;
  /** The chance of winning it, from the process's stage probabilities (won 1, lost 0). */
  probability: number;
  /** Open: the current quotation's end of validity (when the customer must answer; none once it expired); closed: when it closed. */
  expectedClose: string | null;
  category: ForecastCategory | null;
  lostReason: string | null;
  /** Milliseconds spent in each stage left so far (summed when a stage is entered again). */
  stageMs: Partial<Record<Stage, number>>;
  /** Every stage it ever entered. */
  reached: Stage[];
}

export interface ProspectProjection {
  workflowId: string;
  snapshot: ProspectSnapshot;
  events: ReportEvent[];
}

export function campaignOfSource(source: string): string | null {
  return source.startsWith('campaign:') ? source.slice('campaign:'.length) || null : null;
}

/**
 * The stage log of a prospect begun before it was kept, rebuilt from what the record holds
 * (the same dates the pipeline board shows).
 */
export function stageLogOf(state: ProspectState): StageEntry[] {
  if (state.stages) return state.stages;
  const log: StageEntry[] = [{ stage: 'contact', at: state.createdAt }];
  const qualifiedAt = state.changes.find((c) => /^(qualified|recorded qualification)/.test(c.what))?.at;
  if (state.qualification && state.qualification.outcome !== 'disqualified') {
    log.push({ stage: 'qualification', at: qualifiedAt ?? state.qualification.decidedAt ?? state.qualification.updatedAt });
  }
  const inquiryAt = state.inquiry?.versions[0]?.changedAt;
  if (inquiryAt) log.push({ stage: 'inquiry', at: inquiryAt });
  if (state.quotes[0]) log.push({ stage: 'quotation', at: state.quotes[0].createdAt });
  if (state.stage === 'won' || state.stage === 'lost') {
    log.push({ stage: state.stage, at: state.closedAt ?? state.createdAt, ...(state.stage === 'lost' && state.lostReason ? { reason: state.lostReason } : {}) });
  }
  return log;
}

function probabilityOf(state: ProspectState, stage: Stage): number {
  if (stage === 'won') return 1;
  if (stage === 'lost') return 0;
  // States from before the definition carried probabilities hold none.
  return state.process.stageProbabilities?.[stage] ?? DEFAULT_STAGE_PROBABILITIES[stage];
}

function categoryOf(state: ProspectState): ForecastCategory | null {
  const quote = state.quotes[state.quotes.length - 1];
  switch (state.stage) {
    case 'won':
      return 'closed';
    case 'lost':
      return null;
    case 'quotation':
      // A sent quotation is a binding offer awaiting an answer: committed. One that expired
      // unanswered is no offer any more: back in the pipeline until a new revision goes out.
      if (quote?.status === 'sent') return 'commit';
      return quote?.status === 'expired' ? 'pipeline' : 'best_case';
    case 'inquiry':
      return 'best_case';
    default:
      return 'pipeline';
  }
}

function expectedCloseOf(state: ProspectState): string | null {
  if (state.stage === 'won' || state.stage === 'lost') return state.closedAt ?? null;
  const quote = state.quotes[state.quotes.length - 1];
  // Without a quotation, or with one that ran out unanswered, nothing is expected to close.
  if (!quote || quote.status === 'expired') return null;
  return quote.validTo ?? quote.requestedValidTo ?? new Date(Date.parse(quote.createdAt) + state.process.quotePolicy.validity).toISOString();
}

function taskNumber(taskId: string): number {
  return Number(/-T(\d+)$/.exec(taskId)?.[1] ?? 0);
}

const ms = (from: string, to: string) => Math.max(Date.parse(to) - Date.parse(from), 0);

export function projectProspect(state: ProspectState): ProspectProjection {
  const workflowId = prospectWorkflowId(state.info.id);
  const events: ReportEvent[] = [];
  const stages = stageLogOf(state);

  stages.forEach((entry, i) => {
    const accepted = entry.stage === 'won' ? state.quotes.find((q) => q.status === 'accepted') : undefined;
    events.push({
      seq: i,
      at: entry.at,
      kind: 'stage',
      stage: entry.stage,
      ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
      ...(accepted ? { valueCents: accepted.totals.netCents } : {}),
    });
  });

  const archivedContacts = state.archived?.contacts ?? 0;
  state.contacts.forEach((c, i) => {
    const campaign = c.by.startsWith('campaign:') ? c.by.slice('campaign:'.length) : undefined;
    // A customer's own mail or answer has no rep: its `by` is the customer (or the page).
    events.push({ seq: SEQ_BLOCK + archivedContacts + i, at: c.at, kind: 'contact', ...(fromCustomer(c) ? {} : { rep: c.by }), channel: c.channel, direction: c.direction, ...(campaign ? { campaign } : {}) });
  });

  const archivedEscalations = state.archived?.escalations ?? 0;
  state.escalations.forEach((e, i) => {
    // A skipped deadline (the quotation had expired already) told nobody: nothing happened.
    if (e.skipped !== undefined) return;
    // An expired revision carries its value, as an answered one does: what ran out unanswered.
    const expired = e.kind === 'quote_expired' ? state.quotes.find((q) => q.revision === e.quoteRevision) : undefined;
    events.push({
      seq: 2 * SEQ_BLOCK + archivedEscalations + i,
      at: e.at,
      kind: e.kind,
      rep: e.to,
      ...(e.quoteRevision !== undefined ? { quoteRevision: e.quoteRevision } : {}),
      ...(expired ? { valueCents: expired.totals.netCents } : {}),
      ...(e.taskId !== undefined ? { taskId: e.taskId } : {}),
    });
  });

  for (const q of state.quotes) {
    const base = 3 * SEQ_BLOCK + q.revision * 10;
    events.push({ seq: base + 1, at: q.createdAt, kind: 'quote_created', quoteRevision: q.revision });
    // A draft's value changes until it is sent; from then on the revision is never edited.
    if (q.sentAt) events.push({ seq: base + 2, at: q.sentAt, kind: 'quote_sent', quoteRevision: q.revision, valueCents: q.totals.netCents });
    if ((q.status === 'accepted' || q.status === 'rejected') && q.respondedAt) {
      events.push({
        seq: base + 3,
        at: q.respondedAt,
        kind: q.status === 'accepted' ? 'quote_accepted' : 'quote_rejected',
        quoteRevision: q.revision,
        valueCents: q.totals.netCents,
        ...(q.status === 'rejected' && q.reason ? { reason: q.reason } : {}),
        ...(q.sentAt ? { ms: ms(q.sentAt, q.respondedAt) } : {}),
      });
    }
    if (q.supersededBy !== undefined) {
      const next = state.quotes.find((n) => n.revision === q.supersededBy);
      if (next) events.push({ seq: base + 4, at: next.createdAt, kind: 'quote_superseded', quoteRevision: q.revision });
    }
  }

  for (const t of state.tasks) {
    const base = 4 * SEQ_BLOCK + taskNumber(t.id) * 10;
    // The rep of an open task can change (reassignment); only a finished task's is settled.
    events.push({ seq: base + 1, at: t.createdAt, kind: 'task_created', taskId: t.id, taskKind: t.kind });
    if (t.state === 'done' && t.doneAt) {
      events.push({ seq: base + 2, at: t.doneAt, kind: 'task_done', taskId: t.id, taskKind: t.kind, rep: t.rep, onTime: Date.parse(t.doneAt) <= Date.parse(t.dueAt) });
    }
    if (t.state === 'cancelled' && t.doneAt) events.push({ seq: base + 3, at: t.doneAt, kind: 'task_cancelled', taskId: t.id, taskKind: t.kind, rep: t.rep });
  }

  // Time in each stage left so far: from entering it to entering the next.
  const stageMs: Partial<Record<Stage, number>> = {};
  for (let i = 0; i + 1 < stages.length; i++) {
    const s = stages[i]!.stage;
    stageMs[s] = (stageMs[s] ?? 0) + ms(stages[i]!.at, stages[i + 1]!.at);
  }
  const quote = state.quotes[state.quotes.length - 1];
  const snapshot: ProspectSnapshot = {
    prospectId: state.info.id,
    name: state.info.name,
    company: state.info.company ?? null,
    email: state.info.email ?? null,
    version: recordVersion(state),
    rep: state.info.rep,
    team: teamOf(state.process, state.info.rep)?.name ?? null,
    process: state.process.name,
    processVersion: state.process.version,
    source: state.info.source,
    campaign: campaignOfSource(state.info.source),
    stage: state.stage,
    createdAt: state.createdAt,
    closedAt: state.stage === 'won' || state.stage === 'lost' ? (state.closedAt ?? null) : null,
    valueCents: quote?.totals.netCents ?? 0,
    currency: quote?.currency ?? state.process.quotePolicy.currency,
    probability: probabilityOf(state, state.stage),
    expectedClose: expectedCloseOf(state),
    category: categoryOf(state),
    lostReason: state.stage === 'lost' ? (state.lostReason ?? null) : null,
    stageMs,
    reached: [...new Set(stages.map((s) => s.stage))],
  };
  return { workflowId, snapshot, events };
}

/** The events of `projection` not in `sent` (seqs already written by this run). */
export function unsent(projection: ProspectProjection, sent: ReadonlySet<number>): ReportEvent[] {
  return projection.events.filter((e) => !sent.has(e.seq));
}

/** What the prospect workflow hands the read model's activity: its snapshot and the events not yet written. */
export interface ReadModelBatch {
  workflowId: string;
  snapshot: ProspectSnapshot;
  events: ReportEvent[];
}
