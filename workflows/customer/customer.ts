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
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type SearchAttributePair } from '@temporalio/common';
import type { Activities } from '../../activities';
import { CUSTOMER_COMMANDS, applyCustomerTaskChange, refuseRenewalAhead, type CustomerCommandName } from '../../domain/customer/commands';
import { DealClosedSchema, customerWorkflowId, keepRecentChanges, managerOf, newCustomer, personOf, type CustomerState, type DealClosed } from '../../domain/customer/customer';
import { applyDealClosed, applyReferralClosed } from '../../domain/customer/deals';
import { applyDueCustomerDeadlines, nextCustomerDeadlineAt, nextRenewalAt } from '../../domain/customer/schedule';
import { isActiveTask, type OutboundMail, type RepTask } from '../../domain/pipeline/prospect';
import { processDefinitionSchema, teamOf, type ProcessDefinitionInput } from '../../domain/process/process';
import { DomainError, parseOrThrow } from '../../domain/shared/errors';
import { TASK_GENERATION, taskControl, taskSearchAttributes, taskWorkflowId } from '../tasks/contract';
import { taskWorkflow } from '../tasks/task';
import { startedWithSearchAttribute } from '../shared/searchAttributes';
import { codeGeneration, patchedBefore, runGeneration } from '../shared/generations';
import { DeadlineTimer, dueAfter, untilWokeOrDue } from '../shared/deadlineTimer';
import { feedCustomerReadModel } from '../reporting/customerFeed';
import { CUSTOMER_GENERATION, CustomerSA, customerUpdates, dealClosed, getCustomer, referralClosed, taskChanged, type CustomerCommandResult } from './contract';

export interface CustomerWorkflowInput {
  customer: { id: string; name: string; owner: string; referredBy?: string };
  /** The process of the deal that made the account; the account keeps it until migrated. */
  process: ProcessDefinitionInput;
  /** Carried over by continue-as-new. */
  state?: CustomerState;
  /** The code generation it was started in (workflows/shared/generations.ts); absent on starts from before generations. */
  generation?: number;
}

const { sendMail } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

// Starting a prospect is retried for as long as Temporal refuses: a referral or repeat
// deal the account accepted must not be lost.
const { startDealProspect } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** An account lives for years: each run's history stays small. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;
const MAIL_RETRY_AFTER = '5m';
const RECIPIENT_REFUSED = new Set(['SmtpRecipientRefused']);

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

/**
 * One customer account (`customer-<id>`): books its won deals, runs the cultivation cadence,
 * contract renewals and reorder reminders on durable timers, starts the prospects it is
 * asked for (repeat deals, referrals), and keeps the service profile. Its tasks run as task
 * workflows (the SLA ladder) that report back here.
 */
export async function customerWorkflow(input: CustomerWorkflowInput): Promise<CustomerState> {
  let state: CustomerState =
    input.state ?? newCustomer({ ...input.customer, process: parseOrThrow(processDefinitionSchema('recorded'), input.process, 'process definition') }, nowIso());
  let version = 0;
  const indexed = startedWithSearchAttribute(CustomerSA.owner);
  // Accounts started in generation 1 or later take the behaviours below without a marker.
  const generation = runGeneration(codeGeneration(input.generation, CUSTOMER_GENERATION, 'customer account'), 'customer-report-read-model');
  const has = (patch: string) => patchedBefore(generation, 1, patch);
  const deadlines = generation >= 2 ? new DeadlineTimer() : undefined;

  setHandler(getCustomer, () => state);

  const onDeal = (raw: unknown, apply: (s: CustomerState, d: DealClosed, now: string) => CustomerState) => {
    const parsed = DealClosedSchema.safeParse(raw);
    if (!parsed.success) {
      log.warn('dropped a malformed deal report', { error: parsed.error.message });
      return;
    }
    state = keepRecentChanges(apply(state, parsed.data, nowIso()));
    version++;
  };
  setHandler(dealClosed, (raw) => onDeal(raw, applyDealClosed));
  setHandler(referralClosed, (raw) => onDeal(raw, applyReferralClosed));
  setHandler(taskChanged, (raw) => {
    const next = applyCustomerTaskChange(state, raw);
    if (next === state) return;
    state = keepRecentChanges(next);
    version++;
  });

  for (const name of Object.keys(customerUpdates) as CustomerCommandName[]) {
    setHandler(
      customerUpdates[name],
      (command: unknown): CustomerCommandResult => {
        const before = state;
        try {
          state = keepRecentChanges(CUSTOMER_COMMANDS[name](state, command, nowIso()));
        } catch (err) {
          // Accepted by the validator a moment earlier, refused now (a term ended in between):
          // the update fails with the rule's message; the workflow task does not.
          if (err instanceof DomainError) throw ApplicationFailure.nonRetryable(err.message, 'DomainError');
          throw err;
        }
        version++;
        return { changeNo: (state.archivedChanges ?? 0) + state.changes.length, summary: state.changes[state.changes.length - 1]?.what ?? '', ...refOf(name, before, state) };
      },
      {
        // The same rules on a throwaway result: a refusal never reaches the history.
        validator: (command: unknown) => {
          if (name === 'renewContract') refuseRenewalAhead(state, command, nowIso());
          CUSTOMER_COMMANDS[name](state, command, nowIso());
        },
      },
    );
  }

  const get = () => state;
  const set = (next: CustomerState) => (state = next);
  void deliverBesideLoop(get, set).catch((err: unknown) => {
    if (!isCancellation(err)) throw err;
  });
  // The post-sales reports, fed beside the loop; accounts whose histories began before it
  // replay without it (their rows come from `salesflow report rebuild`).
  // Accounts started since 'customer-read-model-in-task' write within the workflow task
  // (workflows/reporting/contract.ts); older ones through an activity per change, as they ran.
  if (has('customer-report-read-model')) {
    void feedCustomerReadModel(get, { inTask: has('customer-read-model-in-task') }).catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
  }

  let published = '';
  for (;;) {
    const seen = version;
    if (indexed) published = publishSearchAttributes(state, published);
    await startPendingProspects(get, set);
    if (state.tasks.some(needsSync)) await syncTasks(get, set, indexed);

    const dueAt = nextCustomerDeadlineAt(state);
    // Generation 2 keeps one timer while the deadline moves later (../shared/deadlineTimer.ts).
    const waited = await untilWokeOrDue(deadlines, dueAt, () => version !== seen);
    if (dueAfter(deadlines, waited)) {
      // Accounts whose runs raised check-ins before 'one-open-check-in' replay the old rule.
      const next = applyDueCustomerDeadlines(state, nowIso(), { oneOpenCheckIn: has('one-open-check-in'), oneOpenRenewalReminder: patchedBefore(generation, 3, 'one-open-renewal-reminder') });
      // A kept timer may fire before a deadline that moved later: nothing is due then.
      if (next !== state || !deadlines) {
        state = keepRecentChanges(next);
        version++;
      }
    }

    if (workflowInfo().historyLength > CONTINUE_AS_NEW_AFTER_EVENTS || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof customerWorkflow>({ ...input, state, generation: CUSTOMER_GENERATION });
    }
  }
}

function refOf(name: CustomerCommandName, before: CustomerState, after: CustomerState): { ref?: string } {
  const added = <T>(a: readonly T[], b: readonly T[]) => (b.length > a.length ? b[b.length - 1] : undefined);
  switch (name) {
    case 'openDeal':
      return { ref: added(before.deals, after.deals)?.prospectId };
    case 'addReferral':
      return { ref: added(before.referrals, after.referrals)?.prospectId };
    case 'openSupportQuery':
      return { ref: added(before.supportCases, after.supportCases)?.id };
    case 'answerSupportQuery': {
      const answered = after.supportCases.find((q, i) => q.answeredAt && !before.supportCases[i]?.answeredAt);
      return answered?.followUp ? { ref: answered.followUp } : {};
    }
    default:
      return {};
  }
}

/** Starts the prospects the account accepted (repeat deals, referrals), oldest first; idempotent. */
async function startPendingProspects(get: () => CustomerState, set: (s: CustomerState) => void): Promise<void> {
  for (;;) {
    const next = get().pendingStarts[0];
    if (!next) return;
    try {
      await startDealProspect({ info: next.info, process: get().process });
    } catch (err) {
      // The prospect's own rules refused it (a rule changed since the account accepted it):
      // recorded, not retried forever.
      if (!(err instanceof ActivityFailure)) throw err;
      const current = get();
      set({ ...current, changes: [...current.changes, { at: nowIso(), by: 'system', what: `could not start prospect ${next.info.id}: ${err.cause?.message ?? err.message}` }] });
    }
    const current = get();
    set({ ...current, pendingStarts: current.pendingStarts.filter((p) => p.info.id !== next.info.id) });
  }
}

function syncKey(task: Pick<RepTask, 'state' | 'dueAt' | 'rep'>): string {
  return `${task.state}|${task.dueAt}|${task.rep}`;
}

function needsSync(task: RepTask): boolean {
  return (!task.started && isActiveTask(task)) || (task.started === true && task.synced !== syncKey(task));
}

/** Starts a task workflow for each new task, and tells running ones what was decided here. */
async function syncTasks(get: () => CustomerState, set: (s: CustomerState) => void, searchAttributes: boolean): Promise<void> {
  for (const listed of get().tasks.filter(needsSync)) {
    const state = get();
    const task = state.tasks.find((t) => t.id === listed.id) ?? listed;
    const sent = syncKey(task);
    // The manager's own tasks (going cold, escalated renewals) escalate no further.
    const team = teamOf(state.process, task.rep);
    const manager = team && task.rep !== managerOf(state) ? { id: team.manager.id, email: team.manager.email } : undefined;
    if (!task.started) {
      try {
        await startChild(taskWorkflow, {
          workflowId: taskWorkflowId(task.id),
          parentClosePolicy: ParentClosePolicy.ABANDON,
          memo: { title: task.title, kind: task.kind, customer: state.info.id },
          args: [
            {
              task: { id: task.id, prospectId: '', kind: task.kind, title: task.title, rep: task.rep, dueAt: task.dueAt, escalateAt: task.escalateAt ?? task.dueAt, state: 'open', createdAt: task.createdAt },
              parentWorkflowId: customerWorkflowId(state.info.id),
              repEmail: personOf(state.process, task.rep)?.email,
              manager,
              timeZone: state.process.timezone,
              // Its mails name the account (the task has no prospect); an input field only, so replay-safe.
              customer: { id: state.info.id, name: state.info.name },
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
          rep: task.rep,
          repEmail: personOf(state.process, task.rep)?.email,
          manager,
        });
      } catch (err) {
        log.warn('could not reach a task workflow', { task: task.id, error: (err as Error).message });
      }
    }
    const current = get();
    set({ ...current, tasks: current.tasks.map((t) => (t.id === task.id ? { ...t, started: true, synced: sent } : t)) });
  }
}

/** Sends the outbox one mail at a time beside the loop; a sender-side failure keeps the mail for a later try. */
async function deliverBesideLoop(get: () => CustomerState, set: (s: CustomerState) => void): Promise<void> {
  for (;;) {
    await condition(() => get().outbox.length > 0);
    const mail: OutboundMail = get().outbox[0]!;
    let refusal: string | undefined;
    try {
      await sendMail(mail);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const type = err.cause instanceof ApplicationFailure ? err.cause.type : undefined;
      if (!type || !RECIPIENT_REFUSED.has(type)) {
        log.warn('mail failed on the sender side; kept in the outbox', { messageId: mail.messageId });
        await sleep(MAIL_RETRY_AFTER);
        continue;
      }
      refusal = err.cause?.message ?? err.message;
    }
    const current = get();
    set({
      ...current,
      outbox: current.outbox.filter((m) => m.messageId !== mail.messageId),
      changes: refusal ? [...current.changes, { at: nowIso(), by: 'system', what: `mail to ${mail.to} refused: ${refusal}` }] : current.changes,
    });
  }
}

function publishSearchAttributes(state: CustomerState, previous: string): string {
  const due = nextCustomerDeadlineAt(state);
  const renewal = nextRenewalAt(state);
  const pairs: SearchAttributePair[] = [
    { key: CustomerSA.owner, value: state.info.owner },
    { key: CustomerSA.nextDue, value: due === undefined ? null : new Date(due) },
    { key: CustomerSA.nextRenewal, value: renewal === undefined ? null : new Date(renewal) },
  ] as SearchAttributePair[];
  const signature = JSON.stringify(pairs.map((p) => p.value));
  if (signature !== previous) upsertSearchAttributes(pairs);
  return signature;
}
