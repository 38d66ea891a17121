import {
  ActivityFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { Activities } from '../activities';
import { applyDueDeadlines, nextDeadlineAt, nextDueAt } from '../domain/deadlines';
import { DomainError } from '../domain/errors';
import { currentQuote, logContact, migrationBlocker, newProspect, runCommand, type CommandName } from '../domain/lifecycle';
import { ProcessDefinitionSchema, findRep, teamOf, type ProcessDefinitionInput } from '../domain/process';
import { isActiveTask, prospectWorkflowId, type ProspectInfoInput, type ProspectState, type RepTask } from '../domain/prospect';
import { TaskChangeSchema, applyTaskChange, taskWorkflowId } from '../domain/tasks';
import { checkMigration, contactObserved, getProspect, prospectUpdates, taskChanged, taskControl } from './messages';
import { taskWorkflow } from './task';
import { SA } from './searchAttributes';

export interface ProspectWorkflowInput {
  info: ProspectInfoInput;
  process: ProcessDefinitionInput;
  /** Carried over by continue-as-new; absent on first start. */
  state?: ProspectState;
  /**
   * Publish search attributes (default true). Only for servers that cannot register
   * custom ones, i.e. the time-skipping test server; lists need them everywhere else.
   */
  searchAttributes?: boolean;
}

// Mail is retried for as long as SMTP stays down: a reminder must never be lost, and the
// Message-ID fixed in the domain lets a receiver recognise a repeat.
const { sendMail } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

/** Keep each run's history small: a prospect can live for years in post-sales care. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 2_000;

function nowIso(): string {
  return new Date(Date.now()).toISOString();
}

export async function prospectWorkflow(input: ProspectWorkflowInput): Promise<ProspectState> {
  // newProspect validates the input; a bad input fails the workflow task with a clear
  // message instead of starting a prospect on garbage. The client validates first too.
  // Recorded rules: the client checked today's, and a start recorded under older ones
  // must replay (domain/inputRules.ts).
  let state: ProspectState = input.state ?? newProspect(input.info, input.process, nowIso(), 'recorded');
  let version = 0;

  setHandler(getProspect, () => state);

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
    state = applyTaskChange(state, change.data);
    // The task workflow knows this already: nothing to signal back.
    state = { ...state, tasks: state.tasks.map((t) => (t.id === change.data.taskId ? { ...t, synced: syncKey(t) } : t)) };
    version++;
  });

  for (const name of Object.keys(prospectUpdates) as CommandName[]) {
    setHandler(
      prospectUpdates[name],
      (command: unknown) => {
        // The handler applies what the validator accepted. Validators do not run on replay,
        // so it must not re-check today's stricter input rules: an update recorded under
        // older rules still applies as it did (domain/inputRules.ts).
        state = runCommand(name, state, command, nowIso(), 'recorded');
        version++;
        return state;
      },
      {
        // The validator runs today's rules on a throwaway result; throwing refuses the
        // update before anything is written to history.
        validator: (command: unknown) => {
          runCommand(name, state, command, nowIso(), 'current');
        },
      },
    );
  }

  setHandler(contactObserved, (contact) => {
    try {
      // A signal has no validator: like an update's handler it applies recorded rules.
      state = logContact(state, contact, nowIso(), 'recorded');
      version++;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      log.warn('dropped a malformed observed contact', { error: err.message });
    }
  });

  let published = '';
  for (;;) {
    // Taken before publishing and delivering: a command that lands while a mail is being
    // sent must wake the next round, or its stage change would never be published.
    const seen = version;
    if (input.searchAttributes !== false) published = publishSearchAttributes(state, published);
    await deliverOutbox(() => state, (next) => (state = next));
    // Histories from before task workflows existed kept tasks inside the prospect only.
    if (state.tasks.some(needsSync) && patched('task-workflows')) {
      await syncTasks(() => state, (next) => (state = next), input.searchAttributes !== false);
    }

    // Workflows started before task workflows also woke for task due times (and, with
    // nothing to apply, spun once a task was past due); they replay as they ran.
    const dueAt = patched('wake-for-quote-deadlines-only') ? nextDeadlineAt(state) : nextDueAt(state);
    const wait = dueAt === undefined ? undefined : Math.max(dueAt - Date.now(), 0);
    const woke = () => version !== seen || state.outbox.length > 0;
    const changed = wait === undefined ? (await condition(woke), true) : await condition(woke, wait);
    if (!changed) {
      state = applyDueDeadlines(state, nowIso());
      version++;
    }

    if (workflowInfo().historyLength > CONTINUE_AS_NEW_AFTER_EVENTS || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      if (state.outbox.length === 0) {
        await continueAsNew<typeof prospectWorkflow>({ ...input, info: state.info, process: state.process, state });
      }
    }
  }
}

function syncKey(task: RepTask): string {
  return `${task.state}|${task.dueAt}|${task.rep}`;
}

/** A task whose workflow has not been started, or has not heard of a change made here. */
function needsSync(task: RepTask): boolean {
  // `state|dueAt` is the key from before reassignment: carried in a continued-as-new state,
  // it still means "in sync" (the rep never changed then), so such a run replays as it ran.
  const legacy = task.synced === `${task.state}|${task.dueAt}`;
  return (!task.started && isActiveTask(task)) || (task.started === true && task.synced !== syncKey(task) && !legacy);
}

/**
 * Starts a workflow for each new task and tells running ones what changed here (a call
 * moved, a query answered, the prospect closed). Task workflows outlive a continue-as-new
 * of the prospect, so they are abandoned rather than tied to this run.
 */
async function syncTasks(get: () => ProspectState, set: (s: ProspectState) => void, searchAttributes: boolean): Promise<void> {
  for (const task of get().tasks.filter(needsSync)) {
    const state = get();
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
              ...(searchAttributes ? {} : { searchAttributes: false }),
            },
          ],
          ...(searchAttributes
            ? {
                typedSearchAttributes: [
                  { key: SA.taskState, value: 'open' },
                  { key: SA.rep, value: task.rep },
                  { key: SA.nextDue, value: new Date(task.dueAt) },
                ],
              }
            : {}),
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
          repEmail: findRep(state.process, task.rep)?.email,
          manager: teamOf(state.process, task.rep)?.manager,
        });
      } catch (err) {
        log.warn('could not reach a task workflow', { task: task.id, error: (err as Error).message });
      }
    }
    const current = get();
    set({ ...current, tasks: current.tasks.map((t) => (t.id === task.id ? { ...t, started: true, synced: syncKey(t) } : t)) });
  }
}

/** Sends queued mails one by one; a mail leaves the outbox only after SMTP accepted it. */
async function deliverOutbox(get: () => ProspectState, set: (s: ProspectState) => void): Promise<void> {
  for (;;) {
    const mail = get().outbox[0];
    if (!mail) return;
    let refusal: string | undefined;
    try {
      await sendMail(mail);
    } catch (err) {
      // Only a permanent refusal (SMTP 5xx) gets here; anything temporary is retried.
      if (!(err instanceof ActivityFailure)) throw err;
      refusal = err.cause?.message ?? err.message;
      log.warn('mail permanently refused', { messageId: mail.messageId, to: mail.to, refusal });
    }
    const current = get();
    const outbox = current.outbox.filter((m) => m.messageId !== mail.messageId);
    const changes = refusal
      ? [...current.changes, { at: nowIso(), by: 'system', what: `mail to ${mail.to} refused: ${refusal}` }]
      : current.changes;
    set({ ...current, outbox, changes });
  }
}

/** Upserts only when something listed changed, so an idle loop adds nothing to history. */
function publishSearchAttributes(state: ProspectState, previous: string): string {
  const due = nextDueAt(state);
  const total = currentQuote(state)?.totals.netCents;
  const pairs: SearchAttributeUpdatePair[] = [
    { key: SA.stage, value: state.stage },
    { key: SA.rep, value: state.info.rep },
    { key: SA.process, value: state.process.name },
    { key: SA.processVersion, value: state.process.version },
    { key: SA.quoteTotal, value: total === undefined ? null : total / 100 },
    { key: SA.nextDue, value: due === undefined ? null : new Date(due) },
  ];
  const signature = JSON.stringify(pairs.map((p) => p.value));
  if (signature !== previous) upsertSearchAttributes(pairs);
  return signature;
}
