import { findRep, mailTimeZone, teamOf } from '../process/process';
import { taskWorkflowId } from '../tasks/ids';
import { prospectWorkflowId, type OutboundMail, type ProspectState, type RepTask } from './prospect';
import { formatCents, type QuoteRevision } from './quotation';
import { formatTime, formatTimesIn } from '../shared/timeZone';

/**
 * The mails the lifecycle sends, rendered as pure functions. A Message-ID is derived from
 * the workflow and what the mail is about, never from a clock or random number, so a
 * retried send carries the same id and a receiver can drop the repeat.
 */

export const MESSAGE_ID_DOMAIN = 'salesflow.invalid';

export function messageId(workflowId: string, key: string): string {
  return `<${workflowId}.${key}@${MESSAGE_ID_DOMAIN}>`;
}

function who(state: ProspectState): string {
  const { name, company } = state.info;
  return company ? `${name} (${company})` : name;
}

function quoteSummary(quote: QuoteRevision, zone: string): string {
  const lines = quote.lines.map(
    (l) =>
      `  ${l.product}  ${l.quantity} x ${formatCents(l.unitPriceCents)}` +
      (l.discountPercent > 0 ? ` -${l.discountPercent}%` : '') +
      `  = ${formatCents(l.netCents)} ${quote.currency}`,
  );
  return [
    ...lines,
    `  Total: ${formatCents(quote.totals.netCents)} ${quote.currency}`,
    quote.validTo ? `  Valid until: ${formatTime(quote.validTo, zone)}` : '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function repAndManager(state: ProspectState): { rep?: string; manager?: string } {
  return {
    rep: findRep(state.process, state.info.rep)?.email,
    manager: teamOf(state.process, state.info.rep)?.manager.email,
  };
}

/** The binding offer mailed to the customer; none when the prospect has no email address. */
export function quoteSentMail(state: ProspectState, quote: QuoteRevision): OutboundMail | undefined {
  if (!state.info.email) return undefined;
  const id = prospectWorkflowId(state.info.id);
  return {
    messageId: messageId(id, `quote-r${quote.revision}-sent`),
    to: state.info.email,
    cc: repAndManager(state).rep,
    subject: `Quotation ${state.info.id}-${quote.revision} for ${who(state)}`,
    text: [
      `Dear ${state.info.name},`,
      '',
      quote.revision > 1
        ? `this revised offer (revision ${quote.revision}) replaces our earlier quotation. We are pleased to offer:`
        : `thank you for your inquiry. We are pleased to offer:`,
      '',
      quoteSummary(quote, mailTimeZone(state.process)),
      quote.note ? `\n${quote.note}` : '',
      '',
      'This offer is binding until the date above.',
    ].join('\n'),
  };
}

export function quoteReminderMail(state: ProspectState, quote: QuoteRevision): OutboundMail | undefined {
  const { rep } = repAndManager(state);
  if (!rep) return undefined;
  return {
    messageId: messageId(prospectWorkflowId(state.info.id), `quote-r${quote.revision}-reminder`),
    to: rep,
    subject: `Reminder: quotation ${state.info.id}-${quote.revision} to ${who(state)} has no response`,
    text: [
      `The quotation sent to ${who(state)} on ${formatTime(quote.sentAt, mailTimeZone(state.process))} has had no customer response.`,
      'Please follow up with the customer.',
      '',
      quoteSummary(quote, mailTimeZone(state.process)),
    ].join('\n'),
  };
}

export function quoteEscalationMail(state: ProspectState, quote: QuoteRevision): OutboundMail | undefined {
  const { rep, manager } = repAndManager(state);
  if (!manager) return undefined;
  return {
    messageId: messageId(prospectWorkflowId(state.info.id), `quote-r${quote.revision}-escalation`),
    to: manager,
    cc: rep,
    subject: `Escalation: quotation ${state.info.id}-${quote.revision} to ${who(state)} is stale`,
    text: [
      `The quotation sent to ${who(state)} on ${formatTime(quote.sentAt, mailTimeZone(state.process))} by ${state.info.rep} still has no customer`,
      `response, although the rep was reminded. It is valid until ${formatTime(quote.validTo, mailTimeZone(state.process))}.`,
      '',
      quoteSummary(quote, mailTimeZone(state.process)),
    ].join('\n'),
  };
}

export function taskMail(state: ProspectState, task: RepTask): OutboundMail | undefined {
  const rep = findRep(state.process, task.rep)?.email;
  if (!rep) return undefined;
  return {
    messageId: messageId(prospectWorkflowId(state.info.id), `task-${task.id}`),
    to: rep,
    subject: `New task: ${formatTimesIn(task.title, mailTimeZone(state.process))}`,
    text: [formatTimesIn(task.title, mailTimeZone(state.process)), '', `Prospect: ${who(state)} (${state.info.id})`, `Due: ${formatTime(task.dueAt, mailTimeZone(state.process))}`, `Task id: ${task.id}`].join(
      '\n',
    ),
  };
}

/** A time as a Message-ID part: `2026-12-01T10:00:00.000Z` gives `20261201T100000000Z`. */
function idStamp(iso: string): string {
  return iso.replace(/[-:.]/g, '');
}

/**
 * The reminder a task workflow sends its rep when the task is past due. Its Message-ID
 * names the due time: a rescheduled task that falls overdue again is a new mail, not a
 * repeat a receiver would drop.
 */
export function taskOverdueMail(task: { id: string; title: string; dueAt: string; prospectId: string }, repEmail: string, zone?: string): OutboundMail {
  return {
    messageId: messageId(taskWorkflowId(task.id), `overdue-${idStamp(task.dueAt)}`),
    to: repEmail,
    subject: `Overdue: ${formatTimesIn(task.title, zone)}`,
    text: [`Task ${task.id} was due ${formatTime(task.dueAt, zone)} and is still open.`, `Prospect: ${task.prospectId}`, '', `Complete it with: salesflow task done ${task.id} --outcome "..."`].join('\n'),
  };
}

/** The escalation to the team's manager when an overdue task stays open. */
export function taskEscalationMail(
  task: { id: string; title: string; dueAt: string; escalateAt?: string; prospectId: string; rep: string },
  managerEmail: string,
  repEmail: string | undefined,
  zone?: string,
): OutboundMail {
  return {
    messageId: messageId(taskWorkflowId(task.id), `escalation-${idStamp(task.escalateAt ?? task.dueAt)}`),
    to: managerEmail,
    cc: repEmail,
    subject: `Escalation: ${task.rep}'s task is overdue: ${formatTimesIn(task.title, zone)}`,
    text: [`Task ${task.id} for ${task.rep} was due ${formatTime(task.dueAt, zone)}; the rep was reminded and it is still open.`, `Prospect: ${task.prospectId}`].join('\n'),
  };
}

/** Tells a rep that a prospect (and its open tasks) is now theirs. */
export function reassignedMail(state: ProspectState, from: string, tasks: readonly RepTask[], reason: string | undefined, changeNo: number): OutboundMail | undefined {
  const rep = findRep(state.process, state.info.rep)?.email;
  if (!rep) return undefined;
  const zone = mailTimeZone(state.process);
  return {
    // One mail per reassignment: the change's number keeps a later move back to this rep distinct.
    messageId: messageId(prospectWorkflowId(state.info.id), `reassigned-${changeNo}`),
    to: rep,
    subject: `Reassigned to you: ${who(state)} (${state.info.id})`,
    text: [
      `${who(state)} (${state.info.id}, stage ${state.stage}) is now yours; it was ${from}'s.`,
      ...(reason ? [`Reason: ${reason}`] : []),
      '',
      ...(tasks.length > 0 ? ['Open tasks now yours:', ...tasks.map((t) => `  ${t.id}  due ${formatTime(t.dueAt, zone)}  ${formatTimesIn(t.title, zone)}`)] : ['No open tasks came with it.']),
      '',
      `See it with: salesflow show ${state.info.id}`,
    ].join('\n'),
  };
}
