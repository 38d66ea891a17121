import {
  ActivityFailure,
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../../activities';
import { applyDueDeadlines, applyDueDeadlinesLegacy, nextDeadlineAt, nextDueAt } from '../../domain/pipeline/deadlines';
import { DomainError } from '../../domain/shared/errors';
import { salesflowMetrics } from '../shared/metricsSink';
import { currentQuote, logContact, migrationBlocker, newProspect, runCommand, type CommandName } from '../../domain/pipeline/lifecycle';
import { ProcessDefinitionSchema, findRep, teamOf, type ProcessDefinitionInput } from '../../domain/process/process';
import {
  isActiveTask,
  prospectWorkflowId,
  type CommandResult,
  type OutboundMail,
  type ProspectInfo,
  type ProspectInfoInput,
  type ProspectState,
  type RepTask,
} from '../../domain/pipeline/prospect';
import type { ProcessDefinition } from '../../domain/process/process';
import { keepRecentRecord, recordVersion } from '../../domain/pipeline/record';
import { quotationDocument, type QuotationDocument } from '../../domain/pipeline/quotationDocument';
import { withAttachmentHashes } from '../../domain/pipeline/notifications';
import type { StoredDocument } from '../../activities/pipeline/documents';
import { TaskChangeSchema, applyTaskChange, isStaleTaskChange, type TaskChange } from '../../domain/tasks/tasks';
import { PROSPECT_GENERATION, ProspectSA, checkMigration, contactObserved, contactsObserved, getProspect, prospectUpdates, taskChanged } from './contract';
import { TASK_GENERATION, taskControl, taskSearchAttributes, taskWorkflowId } from '../tasks/contract';
import { taskWorkflow } from '../tasks/task';
import { startedWithSearchAttribute } from '../shared/searchAttributes';
import { codeGeneration, patchedBefore, runGeneration } from '../shared/generations';
import { DeadlineTimer, dueAfter, untilWokeOrDue } from '../shared/deadlineTimer';
import { InTaskReadModelFeed, feedReadModel } from '../reporting/readModelFeed';
import { dealClosedReport } from '../../domain/customer/customer';
import { isClosed } from '../../domain/pipeline/stages';
import { dealReportMissed, deals, type DealClosedInput } from '../customer/contract';

export interface ProspectWorkflowInput {
  info: ProspectInfoInput;
  process: ProcessDefinitionInput;
  /**
   * Carried over by continue-as-new; absent on first start. Runs since the input stopped
   * carrying them twice leave `info` and `process` out of it (they are the input's).
   */
  state?: CarriedState;
  /**
   * Recorded in older histories (false on the time-skipping test server); no longer read:
   * a run publishes search attributes when it started with them (workflows/shared/searchAttributes.ts).
   */
  searchAttributes?: boolean;
  /** The code generation it was started in (workflows/shared/generations.ts); absent on starts from before generations. */
  generation?: number;
}

export type CarriedState = Omit<ProspectState, 'info' | 'process'> & Partial<Pick<ProspectState, 'info' | 'process'>>;

// Booking a won deal on its account is retried for as long as Temporal refuses: a won
// deal must become (or reach) its customer.
const { reportDealClosed } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

// Mail is retried for as long as SMTP stays down: a reminder must never be lost, and the
// Message-ID fixed in the domain lets a receiver recognise a repeat.
const { sendMail } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

// Rendering a quotation PDF and storing it; retried like mail, since the mail waits for it.
// Runs of 'lean-history-4' do both in one activity, sendQuotationMail: the PDF is stored
// before the mail goes out, and the activity returns its hash.
const { storeQuotationDocument, sendQuotationMail } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** Keep each run's history small: a prospect can live for years in post-sales care. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

/**
 * A mail that failed for a reason other than its recipient's refusal (the activity is
 * retried for as long as SMTP is down, so this is a non-retryable sender-side failure) is
 * tried again after this pause; it is never dropped for the sender's problem.
 */
const MAIL_RETRY_AFTER = '5m';

/** The only failures that drop a mail from the outbox: the recipient was refused. */
const RECIPIENT_REFUSED = new Set(['SmtpRecipientRefused', /* recorded before the split */ 'SmtpPermanentFailure']);

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

export async function prospectWorkflow(input: ProspectWorkflowInput): Promise<ProspectState> {
  // newProspect validates the input; a bad input fails the workflow task with a clear
  // message instead of starting a prospect on garbage. The client validates first too.
  // Recorded rules: the client checked today's, and a start recorded under older ones
  // must replay (domain/shared/inputRules.ts).
  let state: ProspectState = input.state
    ? // The input's info and process are the ones the previous run handed over.
      { ...input.state, info: input.state.info ?? (input.info as ProspectInfo), process: input.state.process ?? (input.process as ProcessDefinition) }
    : newProspect(input.info, input.process, nowIso(), 'recorded');
  let version = 0;

  // Behaviour added since histories were recorded; a run that started without them keeps
  // the old behaviour to its end, so its history replays (the next run gets them).
  // Runs started since 'lean-history' take every behaviour patched in before it without a
  // marker each: each patch's marker and its TemporalChangeVersion upsert (which repeats the
  // list so far) made up a fifth of a won prospect's history. Older runs ask as they did.
  // A second generation, 'lean-history-2', likewise takes every behaviour patched in before
  // it (including those after 'lean-history': the read model's regular activity) under one
  // marker, and batches read-model writes (workflows/reporting/readModelFeed.ts). It is asked
  // first, so a new run records one marker; runs begun before it find none and go on as before.
  // The third, 'lean-history-3', writes the read model within the workflow task, through
  // the worker's sink, instead of an activity per batch (workflows/reporting/contract.ts).
  // The fourth, 'lean-history-4', renders and stores a quotation's PDF in the activity that
  // mails it (one activity and workflow task fewer per quotation; see deliverOne). The fifth,
  // 'lean-history-5', books a closed deal within the workflow task, through the worker's
  // sink, instead of an activity (workflows/customer/contract.ts).
  // Since generations (workflows/shared/generations.ts), a run started in generation 6 or
  // later takes all of these without a marker at all.
  // A run a worker from before generations began asked 'lean-history-5' first (runGeneration).
  const generation = runGeneration(codeGeneration(input.generation, PROSPECT_GENERATION, 'prospect'), 'lean-history-5');
  const lean5 = patchedBefore(generation, 6, 'lean-history-5');
  const deadlines = generation >= 7 ? new DeadlineTimer() : undefined;
  const lean4 = lean5 || patched('lean-history-4');
  const lean3 = lean4 || patched('lean-history-3');
  const lean2 = lean3 || patched('lean-history-2');
  const lean = lean2 || patched('lean-history');
  const has = (patch: string): boolean => lean || patched(patch);
  const everyMissedDeadline = has('every-missed-deadline');
  const outboxBesideLoop = has('outbox-beside-loop');
  const syncSentKey = has('task-sync-sent-key');

  const indexed = startedWithSearchAttribute(ProspectSA.stage);

  setHandler(getProspect, () => state);

  // Set when the worker could not book the deal the sink was handed: it is booked again,
  // through the activity, for the rest of the run.
  let dealReportDurably = false;
  if (lean5) {
    setHandler(dealReportMissed, () => {
      dealReportDurably = true;
      if (!state.closeReported) return;
      state = { ...state, closeReported: false };
      version++;
    });
  }

  setHandler(checkMigration, (definition: unknown) => {
    const parsed = ProcessDefinitionSchema.safeParse(definition);
    if (!parsed.success) return 'the definition is invalid';
    return migrationBlocker(state, parsed.data) ?? null;
  });

  setHandler(taskChanged, (raw) => {
    const change = TaskChangeSchema.safeParse(raw);
    if (!change.success) {
      log.warn('dropped a malformed task change', { error: change.error.message });
      return;
    }
    if (!syncSentKey) {
      state = applyTaskChange(state, change.data);
      // The task workflow knows this already: nothing to signal back.
      state = { ...state, tasks: state.tasks.map((t) => (t.id === change.data.taskId ? { ...t, synced: syncKey(t) } : t)) };
      version++;
      return;
    }
    const task = state.tasks.find((t) => t.id === change.data.taskId);
    // A report about a due time moved here, or a task cancelled here, is stale: what the
    // prospect decided stands, and the loop still tells the task workflow.
    if (!task || !isActiveTask(task) || isStaleTaskChange(task, change.data)) return;
    state = keepRecentRecord(applyTaskChange(state, change.data));
    // The task workflow knows what it reported: mark that, not whatever the task is now.
    const known = reportedKey(task, change.data);
    state = { ...state, tasks: state.tasks.map((t) => (t.id === task.id ? { ...t, synced: known } : t)) };
    version++;
  });

  // What the validator just computed, for its handler: the SDK decodes the arguments again
  // for the handler, so a match is the same command (as JSON) on the same state at the same
  // time. By the rules' contract (domain/shared/inputRules.ts) what `current` accepted
  // `recorded` turns into the same state, so the handler need not run the command twice; on
  // replay (no validator) it runs it with the recorded rules.
  let validated: { name: CommandName; json: string; on: ProspectState; at: string; after: ProspectState } | undefined;
  for (const name of Object.keys(prospectUpdates) as CommandName[]) {
    setHandler(
      prospectUpdates[name],
      (command: unknown): CommandResult => {
        const before = recordVersion(state);
        const at = nowIso();
        const reuse = validated && validated.name === name && validated.on === state && validated.at === at && validated.json === JSON.stringify(command);
        const after = reuse ? validated!.after : undefined;
        validated = undefined;
        // The handler applies what the validator accepted. Validators do not run on replay,
        // so it must not re-check today's stricter input rules: an update recorded under
        // older rules still applies as it did (domain/shared/inputRules.ts).
        state = keepRecentRecord(after ?? runCommand(name, state, command, at, 'recorded'));
        version++;
        const added = state.changes.slice(Math.max(state.changes.length - (recordVersion(state) - before), 0));
        return { version: recordVersion(state), stage: state.stage, summary: added.map((c) => c.what).join('; ') };
      },
      {
        // The validator runs today's rules on a throwaway result; throwing refuses the
        // update before anything is written to history.
        validator: (command: unknown) => {
          validated = undefined;
          const at = nowIso();
          const after = runCommand(name, state, command, at, 'current');
          validated = { name, json: JSON.stringify(command), on: state, at, after };
        },
      },
    );
  }

  const observe = (contacts: readonly unknown[]) => {
    let next = state;
    for (const contact of contacts) {
      try {
        // A signal has no validator: like an update's handler it applies recorded rules.
        next = logContact(next, contact, nowIso(), 'recorded');
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        log.warn('dropped a malformed observed contact', { error: err.message });
      }
    }
    if (next === state) return;
    state = keepRecentRecord(next);
    version++;
  };
  setHandler(contactObserved, (contact) => observe([contact]));
  setHandler(contactsObserved, (contacts) => {
    if (!Array.isArray(contacts)) log.warn('dropped observed contacts that were not a list');
    else observe(contacts);
  });

  const get = () => state;
  const set = (next: ProspectState) => (state = next);
  // Mail goes out beside the loop, so an SMTP outage holds up nothing else: tasks start,
  // deadlines apply, commands stay cheap, and continue-as-new carries the outbox over.
  if (outboxBesideLoop) {
    void deliverBesideLoop(get, set, has, lean4).catch((err: unknown) => {
      // A cancelled prospect ends through the loop; any other error is a bug and fails the
      // workflow task, as it would in the loop.
      if (!isCancellation(err)) throw err;
    });
  }

  // The reporting read model (workflows/reporting/readModelFeed.ts): from generation 8 fed by
  // the loop at each round, before that beside it.
  const feed = generation >= 8 ? new InTaskReadModelFeed(get) : undefined;
  if (!feed && has('report-read-model')) void feedReadModel(get, has, { lean2, inTask: lean3 });

  let published = '';
  // Lean runs upsert only the attributes that changed since the start (or the last upsert).
  const listed = lean && indexed ? startedWith(workflowInfo().typedSearchAttributes) : undefined;
  for (;;) {
    // Taken before publishing and delivering: a command that lands while a mail is being
    // sent must wake the next round, or its stage change would never be published.
    const seen = version;
    feed?.write();
    if (listed) publishChanged(state, listed);
    else if (indexed) published = publishSearchAttributes(state, published);
    if (!outboxBesideLoop) await deliverOutbox(get, set, has, lean4);
    // Prospects closed before accounts existed replay as they ran: no report (the marker
    // is recorded only by runs that make it).
    if (isClosed(state.stage) && !state.closeReported && has('report-close-to-customer')) {
      if (lean5 && !dealReportDurably) reportCloseInTask(state);
      else await reportClose(state);
      state = { ...state, closeReported: true };
    }
    // Histories from before task workflows existed kept tasks inside the prospect only.
    if (state.tasks.some(needsSync) && has('task-workflows')) {
      await syncTasks(get, set, { searchAttributes: indexed, markSent: syncSentKey });
    }

    // Workflows started before task workflows also woke for task due times (and, with
    // nothing to apply, spun once a task was past due); they replay as they ran.
    const dueAt = has('wake-for-quote-deadlines-only') ? nextDeadlineAt(state) : nextDueAt(state);
    // Generation 7 keeps one timer while the deadline stays or moves later (a contact, a
    // reply or the sent mail while a quotation is open no longer restarts it).
    const woke = () => version !== seen || (!outboxBesideLoop && state.outbox.length > 0) || feed?.behind === true;
    const waited = await untilWokeOrDue(deadlines, dueAt, woke);
    if (dueAfter(deadlines, waited)) {
      const now = nowIso();
      const applied = (everyMissedDeadline ? applyDueDeadlines : applyDueDeadlinesLegacy)(state, now);
      // How late each deadline fired (a sink: no command, not called on replay).
      for (const e of applied.escalations.slice(state.escalations.length)) {
        if (e.dueAt) salesflowMetrics.deadlineFired(e.kind, Math.max(Date.parse(now) - Date.parse(e.dueAt), 0));
      }
      // A kept timer may fire before a deadline that moved later: nothing is due then.
      if (applied !== state || !deadlines) {
        state = keepRecentRecord(applied);
        version++;
      }
    }

    if (workflowInfo().historyLength > CONTINUE_AS_NEW_AFTER_EVENTS || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (outboxBesideLoop) {
        // The outbox travels in the state. A delivery still in flight is sent again by the
        // next run under the same Message-ID, so a receiver can tell the repeat.
        const { info, process, ...carried } = state;
        await continueAsNew<typeof prospectWorkflow>({ ...input, info, process, state: carried, generation: PROSPECT_GENERATION });
      } else if (state.outbox.length === 0) {
        await continueAsNew<typeof prospectWorkflow>({ ...input, info: state.info, process: state.process, state, generation: PROSPECT_GENERATION });
      }
    }
  }
}

/**
 * A won deal makes (or reaches) its customer account; a lost one matters only to an account
 * it was a repeat deal of, or to the customer that referred it.
 */
async function reportClose(state: ProspectState): Promise<void> {
  const input = closeToReport(state);
  if (input) await reportDealClosed(input);
}

/** As reportClose, within this workflow task, through the worker's deal sink (nothing in the history). */
function reportCloseInTask(state: ProspectState): void {
  const input = closeToReport(state);
  if (input) deals.closed(input);
}

/** The deal an account must hear of, if any. */
function closeToReport(state: ProspectState): DealClosedInput | undefined {
  const deal = dealClosedReport(state);
  if (!deal) return undefined;
  if (deal.outcome === 'lost' && !state.info.customer && !deal.referredBy) return undefined;
  return { deal, process: state.process };
}

/** What the task workflow must know of a task: its state, due time and rep. */
function syncKey(task: Pick<RepTask, 'state' | 'dueAt' | 'rep'>): string {
  return `${task.state}|${task.dueAt}|${task.rep}`;
}

/** A task whose workflow has not been started, or has not heard of a change made here. */
function needsSync(task: RepTask): boolean {
  // `state|dueAt` is the key from before reassignment: carried in a continued-as-new state,
  // it still means "in sync" (the rep never changed then), so such a run replays as it ran.
  const legacy = task.synced === `${task.state}|${task.dueAt}`;
  return (!task.started && isActiveTask(task)) || (task.started === true && task.synced !== syncKey(task) && !legacy);
}

/** What a task workflow knows after reporting a change. */
function reportedKey(task: RepTask, change: TaskChange): string {
  return syncKey({ state: change.state, dueAt: change.forDueAt ?? task.dueAt, rep: change.rep ?? task.rep });
}

interface SyncOptions {
  searchAttributes: boolean;
  /** Mark a task synced with the key of what was signalled (not of the task after the await). */
  markSent: boolean;
}

/**
 * Starts a workflow for each new task and tells running ones what changed here (a call
 * moved, a query answered, the prospect closed). Task workflows outlive a continue-as-new
 * of the prospect, so they are abandoned rather than tied to this run.
 */
async function syncTasks(get: () => ProspectState, set: (s: ProspectState) => void, options: SyncOptions): Promise<void> {
  const { searchAttributes, markSent } = options;
  for (const listed of get().tasks.filter(needsSync)) {
    const state = get();
    // The task as it is now (a command may have changed it during an earlier await); runs
    // from before sent what the list held when the round began.
    const task = markSent ? (state.tasks.find((t) => t.id === listed.id) ?? listed) : listed;
    const sent = syncKey(task);
    if (!task.started) {
      const team = teamOf(state.process, task.rep);
      try {
        await startChild(taskWorkflow, {
          workflowId: taskWorkflowId(task.id),
          parentClosePolicy: ParentClosePolicy.ABANDON,
          memo: { title: task.title, kind: task.kind },
          args: [
            {
              task: {
                id: task.id,
                prospectId: state.info.id,
                kind: task.kind,
                title: task.title,
                rep: task.rep,
                dueAt: task.dueAt,
                escalateAt: task.escalateAt ?? task.dueAt,
                state: 'open',
                createdAt: task.createdAt,
              },
              parentWorkflowId: prospectWorkflowId(state.info.id),
              repEmail: findRep(state.process, task.rep)?.email,
              manager: team ? { id: team.manager.id, email: team.manager.email } : undefined,
              timeZone: state.process.timezone,
              prospect: { name: state.info.name, ...(state.info.company ? { company: state.info.company } : {}) },
              // Any run starts tasks in the current generation: an input only, so replay-safe.
              generation: TASK_GENERATION,
            },
          ],
          ...(searchAttributes ? { typedSearchAttributes: taskSearchAttributes({ state: 'open', rep: task.rep, dueAt: task.dueAt }) } : {}),
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    } else {
      try {
        await getExternalWorkflowHandle(taskWorkflowId(task.id)).signal(taskControl, {
          ...(task.state === 'done' || task.state === 'cancelled' ? { state: task.state, outcome: task.outcome } : {}),
          dueAt: task.dueAt,
          escalateAt: task.escalateAt,
          title: task.title,
          rep: task.rep,
          repEmail: findRep(state.process, task.rep)?.email,
          manager: teamOf(state.process, task.rep)?.manager,
        });
      } catch (err) {
        log.warn('could not reach a task workflow', { task: task.id, error: (err as Error).message });
      }
    }
    const current = get();
    set({ ...current, tasks: current.tasks.map((t) => (t.id === task.id ? { ...t, started: true, synced: markSent ? sent : syncKey(t) } : t)) });
  }
}

/**
 * Runs for the life of the run: sends the outbox one mail at a time, oldest first, and
 * sleeps while it is empty. A mail leaves the outbox only once SMTP accepted it or its
 * recipient was refused; any other failure keeps it queued for a later try.
 */
async function deliverBesideLoop(get: () => ProspectState, set: (s: ProspectState) => void, has: (patch: string) => boolean, documentsWithMail: boolean): Promise<void> {
  for (;;) {
    await condition(() => get().outbox.length > 0);
    if ((await deliverOne(get, set, get().outbox[0]!, has, documentsWithMail)) === 'kept') await sleep(MAIL_RETRY_AFTER);
  }
}

/** Sends queued mails one by one, awaited by the loop: how runs from before delivered. */
async function deliverOutbox(get: () => ProspectState, set: (s: ProspectState) => void, has: (patch: string) => boolean, documentsWithMail: boolean): Promise<void> {
  for (;;) {
    const mail = get().outbox[0];
    if (!mail) return;
    if ((await deliverOne(get, set, mail, has, documentsWithMail)) === 'kept') {
      // Pause rather than spin: the outbox wakes the loop at once.
      await sleep(MAIL_RETRY_AFTER);
      return;
    }
  }
}

/**
 * Sends one mail. `documentsWithMail` (runs of 'lean-history-4'): a quotation mail whose
 * revision has no stored document yet renders and stores it in the same activity, before
 * the mail goes out, and the hash is recorded when the activity returns (or fails: the
 * failure carries it). Older runs store it first, in an activity of its own.
 */
async function deliverOne(
  get: () => ProspectState,
  set: (s: ProspectState) => void,
  mail: OutboundMail,
  has: (patch: string) => boolean,
  documentsWithMail = false,
): Promise<'sent' | 'refused' | 'kept'> {
  let documents: QuotationDocument[] = [];
  if (mail.attachments?.length) {
    // Runs from before quotation documents sent their quotation mails without one, and
    // replay that way (their histories have no storeQuotationDocument).
    if (!has('quotation-documents')) mail = { ...mail, attachments: undefined };
    else if (!documentsWithMail) mail = await withDocuments(get, set, mail);
    else {
      documents = unstoredRevisions(get(), mail).map((revision) => quotationDocument(get(), revision));
      mail = withKnownHashes(get(), mail);
    }
  }
  let refusal: string | undefined;
  try {
    if (documents.length > 0) recordDocuments(get, set, documents, (await sendQuotationMail({ mail, documents })).documents);
    else await sendMail(mail);
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    // The documents were stored before the mail failed: their hashes count all the same.
    if (documents.length > 0 && err.cause instanceof ApplicationFailure) recordDocuments(get, set, documents, storedOf(err.cause.details?.[0]));
    const type = err.cause instanceof ApplicationFailure ? err.cause.type : undefined;
    if (!type || !RECIPIENT_REFUSED.has(type)) {
      // The sender's problem (credentials, relay policy): the customer still gets the mail
      // once it is fixed.
      log.warn('mail failed on the sender side; kept in the outbox', { messageId: mail.messageId, error: err.cause?.message ?? err.message });
      return 'kept';
    }
    refusal = err.cause?.message ?? err.message;
    log.warn('mail recipient refused', { messageId: mail.messageId, to: mail.to, refusal });
  }
  const current = get();
  const outbox = current.outbox.filter((m) => m.messageId !== mail.messageId);
  const changes = refusal
    ? [...current.changes, { at: nowIso(), by: 'system', what: `mail to ${mail.to} refused: ${refusal}` }]
    : current.changes;
  set(keepRecentRecord({ ...current, outbox, changes }));
  return refusal ? 'refused' : 'sent';
}

/**
 * Renders and stores each attached revision's PDF once (the first mail of the revision does
 * it) and records its SHA-256 on the revision; the mail then names the hash its attachment
 * must have.
 */
async function withDocuments(get: () => ProspectState, set: (s: ProspectState) => void, mail: OutboundMail): Promise<OutboundMail> {
  for (const revision of unstoredRevisions(get(), mail)) {
    const doc = quotationDocument(get(), revision);
    const { sha256 } = await storeQuotationDocument(doc);
    recordDocuments(get, set, [doc], [{ revision, sha256 }]);
  }
  return withKnownHashes(get(), mail);
}

/** The attached revisions that were sent but have no stored document yet. */
function unstoredRevisions(state: ProspectState, mail: OutboundMail): number[] {
  return (mail.attachments ?? [])
    .map((ref) => ref.revision)
    .filter((revision) => {
      const quote = state.quotes.find((q) => q.revision === revision);
      return quote !== undefined && !quote.documentSha256 && quote.sentAt !== undefined;
    });
}

/** The mail with each attachment naming the hash recorded for its revision (when there is one). */
function withKnownHashes(state: ProspectState, mail: OutboundMail): OutboundMail {
  return withAttachmentHashes(mail, (revision) => state.quotes.find((q) => q.revision === revision)?.documentSha256);
}

/** The stored documents a failed sendQuotationMail reports in its details (none when it failed before storing). */
function storedOf(details: unknown): StoredDocument[] {
  const documents = (details as { documents?: unknown } | undefined)?.documents;
  return Array.isArray(documents) ? documents.filter((d): d is StoredDocument => typeof d?.revision === 'number' && typeof d?.sha256 === 'string') : [];
}

/** Records each stored document's SHA-256 on its revision, with a line in the record. */
function recordDocuments(get: () => ProspectState, set: (s: ProspectState) => void, documents: readonly QuotationDocument[], stored: readonly StoredDocument[]): void {
  for (const { revision, sha256 } of stored) {
    const doc = documents.find((d) => d.revision === revision);
    const current = get();
    if (!doc || current.quotes.find((q) => q.revision === revision)?.documentSha256) continue;
    set(
      keepRecentRecord({
        ...current,
        quotes: current.quotes.map((q) => (q.revision === revision ? { ...q, documentSha256: sha256 } : q)),
        changes: [...current.changes, { at: nowIso(), by: 'system', what: `stored document ${doc.number} (SHA-256 ${sha256})` }],
      }),
    );
  }
}

/** What a prospect is listed by, as it should be published now. */
function listedBy(state: ProspectState): SearchAttributeUpdatePair[] {
  const due = nextDueAt(state);
  const total = currentQuote(state)?.totals.netCents;
  return [
    { key: ProspectSA.stage, value: state.stage },
    { key: ProspectSA.rep, value: state.info.rep },
    { key: ProspectSA.process, value: state.process.name },
    { key: ProspectSA.processVersion, value: state.process.version },
    { key: ProspectSA.quoteTotal, value: total === undefined ? null : total / 100 },
    { key: ProspectSA.nextDue, value: due === undefined ? null : new Date(due) },
  ];
}

/** Each listed attribute's value (as JSON) as the run started with it. */
function startedWith(attributes: ReturnType<typeof workflowInfo>['typedSearchAttributes']): Map<string, string> {
  return new Map(Object.values(ProspectSA).map((key) => [key.name, JSON.stringify(attributes.get(key as never) ?? null)]));
}

/**
 * Upserts only the attributes whose value changed (`published` is updated): one event per
 * round that changed something, holding just what changed.
 */
function publishChanged(state: ProspectState, published: Map<string, string>): void {
  const changed = listedBy(state).filter((pair) => published.get(pair.key.name) !== JSON.stringify(pair.value));
  if (changed.length === 0) return;
  upsertSearchAttributes(changed);
  for (const pair of changed) published.set(pair.key.name, JSON.stringify(pair.value));
}

/** Upserts (all of them) only when something listed changed, so an idle loop adds nothing to history. */
function publishSearchAttributes(state: ProspectState, previous: string): string {
  const pairs = listedBy(state);
  const signature = JSON.stringify(pairs.map((p) => p.value));
  if (signature !== previous) upsertSearchAttributes(pairs);
  return signature;
}
