import { renderCallEvent } from './calendar';
import { schemasFor } from '../pipeline/commands';
import type { InputRules } from '../shared/inputRules';
import { checkCallDuration } from '../pipeline/timeRules';
import { DomainError, parseOrThrow } from '../shared/errors';
import { MESSAGE_ID_DOMAIN, messageId, prospectReplyTag } from '../pipeline/notifications';
import { sellerOf } from '../pipeline/quotationDocument';
import { renderCustomerMail, templateFor } from '../process/mailTemplates';
import { findRep, mailTimeZone } from '../process/process';
import { isActiveTask, prospectWorkflowId, type OutboundMail, type ProspectState, type ScheduledCall } from '../pipeline/prospect';
import { addTask } from './tasks';
import { formatTime } from '../shared/timeZone';

/**
 * Calls booked with the customer: a task for the rep and an iCalendar invitation to the rep
 * and the contact. Rescheduling and cancelling send an update with the same UID.
 */

function invitation(state: ProspectState, call: ScheduledCall, now: string, method: 'REQUEST' | 'CANCEL'): OutboundMail {
  const rep = findRep(state.process, state.info.rep);
  const repPerson = { name: rep?.name, email: rep?.email ?? `${state.info.rep}@invalid` };
  const attendees = [repPerson, ...(state.info.email ? [{ name: state.info.name, email: state.info.email }] : [])];
  const summary = `Call: ${state.info.company ?? state.info.name} / ${rep?.name ?? state.info.rep}`;
  const content = renderCallEvent({
    uid: `${call.id}@${MESSAGE_ID_DOMAIN}`,
    sequence: call.sequence,
    start: call.at,
    durationMs: call.durationMs,
    stamp: now,
    summary,
    description: `salesflow call ${call.id} with ${state.info.name}${state.info.phone ? ` (${state.info.phone})` : ''}`,
    organizer: repPerson,
    attendees,
    method,
  });
  const verb = method === 'CANCEL' ? 'Cancelled' : call.sequence === 0 ? 'Invitation' : 'Updated invitation';
  // A process that names its seller (or words its invitation) speaks to the customer as the
  // seller: the first invitation from its template, as an HTML mail from the rep.
  if (method === 'REQUEST' && call.sequence === 0 && state.info.email && (state.process.seller || state.process.mailTemplates?.callInvitation)) {
    const seller = sellerOf(state);
    const rendered = renderCustomerMail(templateFor(state.process.mailTemplates, 'callInvitation'), {
      customerName: state.info.name,
      company: state.info.company ?? '',
      prospectId: state.info.id,
      repName: rep?.name ?? state.info.rep,
      repEmail: rep?.email ?? '',
      sellerName: seller.legalName,
      signature: seller.mailSignature,
      callTime: formatTime(call.at, mailTimeZone(state.process)),
      duration: `${Math.round(call.durationMs / 60_000)} min`,
    });
    return {
      messageId: messageId(prospectWorkflowId(state.info.id), `call-${call.id}-s${call.sequence}`),
      to: state.info.email,
      cc: repPerson.email,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      from: { name: rep?.name ?? state.info.rep, ...(state.process.seller ? { address: state.process.seller.email } : {}) },
      replyTag: prospectReplyTag(state.info.id),
      calendar: { method, content },
    };
  }
  const when = formatTime(call.at, mailTimeZone(state.process));
  const minutes = Math.round(call.durationMs / 60_000);
  // A move or cancellation reaches the customer as the invitation did: from the rep on the
  // seller's address, replies to the prospect's tagged address, greeted and signed.
  if (state.info.email && (state.process.seller || state.process.mailTemplates?.callInvitation)) {
    const seller = sellerOf(state);
    const what = method === 'CANCEL' ? `our call on ${when} is cancelled; the calendar entry attached removes it from your calendar.` : `our call is moved to ${when} (${minutes} min); the calendar entry attached updates the one you have.`;
    return {
      messageId: messageId(prospectWorkflowId(state.info.id), `call-${call.id}-s${call.sequence}`),
      to: state.info.email,
      cc: repPerson.email,
      subject: `${verb}: ${summary} at ${when}`,
      text: [`Dear ${state.info.name},`, '', `${what[0]!.toUpperCase()}${what.slice(1)}`, '', 'Kind regards,', rep?.name ?? state.info.rep, ...(seller.mailSignature ? ['', seller.mailSignature] : [])].join('\n'),
      from: { name: rep?.name ?? state.info.rep, ...(state.process.seller ? { address: state.process.seller.email } : {}) },
      replyTag: prospectReplyTag(state.info.id),
      calendar: { method, content },
    };
  }
  return {
    messageId: messageId(prospectWorkflowId(state.info.id), `call-${call.id}-s${call.sequence}`),
    to: state.info.email ?? repPerson.email,
    cc: state.info.email ? repPerson.email : undefined,
    subject: `${verb}: ${summary} at ${when}`,
    text: `${verb} for a call on ${when} (${minutes} min).`,
    calendar: { method, content },
  };
}

function findCall(state: ProspectState, callId: string): ScheduledCall {
  const call = (state.calls ?? []).find((c) => c.id === callId);
  if (!call) throw new DomainError(`no call ${callId} on prospect ${state.info.id}`);
  if (call.status !== 'scheduled') throw new DomainError(`call ${callId} is already ${call.status}`);
  return call;
}

function withCall(state: ProspectState, call: ScheduledCall): ScheduledCall[] {
  return (state.calls ?? []).map((c) => (c.id === call.id ? call : c));
}

function queue(state: ProspectState, mail: OutboundMail): OutboundMail[] {
  return [...state.outbox, mail];
}

/** A call task's title: whom to call and when (a move gives the task the new time). */
function callTitle(state: ProspectState, at: string): string {
  return `Call ${state.info.name}${state.info.company ? ` (${state.info.company})` : ''} at ${at}`;
}

export function scheduleCall(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).ScheduleCallSchema, raw, 'call');
  if (state.stage === 'lost') throw new DomainError('cannot schedule a call: the prospect is lost');
  if (Date.parse(cmd.at) <= Date.parse(now)) throw new DomainError(`cannot schedule a call in the past (${cmd.at})`);
  const durationMs = cmd.duration ?? state.process.calls.defaultDuration;
  if (rules === 'current') checkCallDuration(state.process, durationMs);
  const id = `${state.info.id}-C${(state.calls ?? []).length + 1}`;
  const withTask = addTask(
    state,
    {
      kind: 'call',
      title: callTitle(state, cmd.at),
      rep: state.info.rep,
      dueAt: new Date(Date.parse(cmd.at) + durationMs).toISOString(),
      escalateAfter: state.process.calls.escalateAfter,
      ref: id,
    },
    now,
  );
  const call: ScheduledCall = { id, at: cmd.at, durationMs, status: 'scheduled', sequence: 0, taskId: withTask.tasks[withTask.tasks.length - 1]!.id };
  const next = { ...withTask, calls: [...(state.calls ?? []), call] };
  return {
    ...next,
    outbox: queue(next, invitation(next, call, now, 'REQUEST')),
    changes: [...next.changes, { at: now, by: cmd.by, what: `scheduled call ${id} at ${cmd.at}` }],
  };
}

function moveTask(state: ProspectState, taskId: string, dueAt: string, escalateAt: string, title: string): ProspectState['tasks'] {
  return state.tasks.map((t) => (t.id === taskId && isActiveTask(t) ? { ...t, dueAt, escalateAt, title, state: 'open' as const } : t));
}

export function rescheduleCall(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).RescheduleCallSchema, raw, 'reschedule');
  const call = findCall(state, cmd.callId);
  if (Date.parse(cmd.at) <= Date.parse(now)) throw new DomainError(`cannot move a call into the past (${cmd.at})`);
  const durationMs = cmd.duration ?? call.durationMs;
  if (rules === 'current') checkCallDuration(state.process, durationMs);
  const moved: ScheduledCall = { ...call, at: cmd.at, durationMs, sequence: call.sequence + 1 };
  const task = state.tasks.find((t) => t.id === call.taskId);
  const dueAt = new Date(Date.parse(cmd.at) + durationMs).toISOString();
  const shift = task?.escalateAt ? Date.parse(task.escalateAt) - Date.parse(task.dueAt) : 86_400_000;
  const next = { ...state, calls: withCall(state, moved), tasks: moveTask(state, call.taskId, dueAt, new Date(Date.parse(dueAt) + shift).toISOString(), callTitle(state, cmd.at)) };
  return {
    ...next,
    outbox: queue(next, invitation(next, moved, now, 'REQUEST')),
    changes: [...state.changes, { at: now, by: cmd.by, what: `moved call ${call.id} to ${cmd.at}` }],
  };
}

function finishTask(state: ProspectState, taskId: string, to: 'done' | 'cancelled', now: string, outcome?: string): ProspectState['tasks'] {
  return state.tasks.map((t) => (t.id === taskId && isActiveTask(t) ? { ...t, state: to, doneAt: now, ...(outcome ? { outcome } : {}) } : t));
}

export function cancelCall(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).CancelCallSchema, raw, 'cancellation');
  const call = findCall(state, cmd.callId);
  const cancelled: ScheduledCall = { ...call, status: 'cancelled', sequence: call.sequence + 1 };
  const next = { ...state, calls: withCall(state, cancelled), tasks: finishTask(state, call.taskId, 'cancelled', now) };
  return {
    ...next,
    outbox: queue(next, invitation(next, cancelled, now, 'CANCEL')),
    changes: [...state.changes, { at: now, by: cmd.by, what: `cancelled call ${call.id}${cmd.reason ? `: ${cmd.reason}` : ''}` }],
  };
}

export function completeCall(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).CompleteCallSchema, raw, 'call result');
  const call = findCall(state, cmd.callId);
  if (rules === 'current' && Date.parse(now) < Date.parse(call.at)) {
    throw new DomainError(`cannot mark call ${call.id} done before it started at ${call.at} (rule: a call is done after its start; reschedule it if it moved)`);
  }
  const done: ScheduledCall = { ...call, status: 'done', outcome: cmd.outcome, note: cmd.note || undefined };
  return {
    ...state,
    calls: withCall(state, done),
    tasks: finishTask(state, call.taskId, 'done', now, cmd.outcome),
    contacts: [
      ...state.contacts,
      // A call marked done before its booked time took place now, not in the future.
      { at: Date.parse(call.at) < Date.parse(now) ? call.at : now, channel: 'call', direction: 'outbound', note: `${cmd.outcome}${cmd.note ? `: ${cmd.note}` : ''}`, by: cmd.by, source: call.id },
    ],
    changes: [...state.changes, { at: now, by: cmd.by, what: `call ${call.id} done: ${cmd.outcome}` }],
  };
}
