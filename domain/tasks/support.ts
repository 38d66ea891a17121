import { schemasFor } from '../pipeline/commands';
import type { InputRules } from '../shared/inputRules';
import { DomainError, parseOrThrow } from '../shared/errors';
import { addOffset } from '../process/offset';
import { isActiveTask, type ProspectState, type SupportQuery } from '../pipeline/prospect';
import { addTask } from './tasks';

/**
 * Customers' telephone queries (sales support): a task for the support team with an answer
 * SLA; the answer goes into the contact log and may become an inquiry.
 */

/** Spreads queries over the support team without shared state: by prospect and query number. */
function supportRep(reps: readonly { id: string }[], prospectId: string, n: number): string {
  let hash = n;
  for (const ch of prospectId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return reps[hash % reps.length]!.id;
}

export function openSupportQuery(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).OpenSupportQuerySchema, raw, 'support query');
  const policy = state.process.support;
  if (!policy) throw new DomainError(`process "${state.process.name}" v${state.process.version} has no support team: ops add a support section to the process file (see the README's Process file reference)`);
  const team = state.process.teams.find((t) => t.name === policy.team)!;
  const n = (state.supportQueries ?? []).length + 1;
  const id = `${state.info.id}-Q${n}`;
  const rep = supportRep(team.reps, state.info.id, n);
  const withTask = addTask(
    state,
    { kind: 'support', title: `Answer ${state.info.name}'s query: ${cmd.topic}`, rep, dueAt: addOffset(now, policy.answerWithin), escalateAfter: policy.escalateAfter, ref: id },
    now,
  );
  const query: SupportQuery = { id, topic: cmd.topic, question: cmd.question, openedAt: now, openedBy: cmd.by, taskId: withTask.tasks[withTask.tasks.length - 1]!.id, rep };
  return {
    ...withTask,
    supportQueries: [...(state.supportQueries ?? []), query],
    contacts: [...state.contacts, { at: now, channel: 'call', direction: 'inbound', note: `query ${id} (${cmd.topic}): ${cmd.question}`, by: cmd.by, source: id }],
    changes: [...withTask.changes, { at: now, by: cmd.by, what: `support query ${id} opened for ${rep}` }],
  };
}

/** Records the answer; the caller turns `inquiryItems` into an inquiry through the normal command. */
export function answerSupportQuery(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).AnswerSupportQuerySchema, raw, 'support answer');
  const query = (state.supportQueries ?? []).find((q) => q.id === cmd.queryId);
  if (!query) throw new DomainError(`no support query ${cmd.queryId} on prospect ${state.info.id}`);
  if (query.answeredAt) throw new DomainError(`query ${cmd.queryId} was already answered at ${query.answeredAt}`);
  return {
    ...state,
    supportQueries: (state.supportQueries ?? []).map((q) => (q.id === query.id ? { ...q, answeredAt: now, answer: cmd.answer } : q)),
    tasks: state.tasks.map((t) => (t.id === query.taskId && isActiveTask(t) ? { ...t, state: 'done' as const, doneAt: now, outcome: 'answered' } : t)),
    contacts: [...state.contacts, { at: now, channel: 'call', direction: 'outbound', note: `answer to ${query.id}: ${cmd.answer}`, by: cmd.by, source: query.id }],
    changes: [...state.changes, { at: now, by: cmd.by, what: `answered support query ${query.id}` }],
  };
}
