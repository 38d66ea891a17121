import {
  AcceptQuoteSchema,
  ChangeInquirySchema,
  ChangeQuoteSchema,
  CompleteTaskSchema,
  CreateInquirySchema,
  CreateQuoteSchema,
  LogContactSchema,
  MarkLostSchema,
  QualifySchema,
  RejectQuoteSchema,
  SendQuoteSchema,
} from './commands';
import { DomainError, parseOrThrow } from './errors';
import { currentInquiry } from './inquiry';
import { quoteSentMail } from './notifications';
import { ProcessDefinitionSchema, findRep, type ProcessDefinitionInput } from './process';
import { ProspectInfoSchema, type ProspectInfoInput, type ProspectState } from './prospect';
import { priceLine, totalsOf, type QuoteRevision } from './quotation';
import { canMove, isClosed, type Stage } from './stages';

/**
 * The prospect lifecycle as pure functions: each takes the current state, the raw command
 * and the time, and returns the next state or throws a DomainError. The workflow runs the
 * same function in an update's validator (to refuse) and in its handler (to apply), so a
 * refused command never reaches the history.
 */

export function newProspect(info: ProspectInfoInput, process: ProcessDefinitionInput, now: string): ProspectState {
  const parsedInfo = parseOrThrow(ProspectInfoSchema, info, 'prospect');
  const parsedProcess = parseOrThrow(ProcessDefinitionSchema, process, 'process definition');
  if (!findRep(parsedProcess, parsedInfo.rep)) {
    const known = parsedProcess.teams.flatMap((t) => t.reps.map((r) => r.id)).join(', ');
    throw new DomainError(`rep "${parsedInfo.rep}" is not in process "${parsedProcess.name}" (reps: ${known})`);
  }
  return {
    info: parsedInfo,
    stage: 'contact',
    process: parsedProcess,
    createdAt: now,
    contacts: [],
    quotes: [],
    tasks: [],
    escalations: [],
    outbox: [],
    changes: [{ at: now, by: 'system', what: `created in stage contact, assigned to ${parsedInfo.rep}` }],
    nextTaskNo: 1,
  };
}

function moveTo(state: ProspectState, to: Stage): Stage {
  if (state.stage === to) return to;
  if (!canMove(state.stage, to)) throw new DomainError(`cannot move from ${state.stage} to ${to}`);
  return to;
}

function requireOpen(state: ProspectState, action: string): void {
  if (isClosed(state.stage)) {
    throw new DomainError(`cannot ${action}: the prospect is ${state.stage}`);
  }
}

function requireStage(state: ProspectState, allowed: readonly Stage[], action: string): void {
  if (!allowed.includes(state.stage)) {
    throw new DomainError(`cannot ${action} in stage ${state.stage} (allowed in: ${allowed.join(', ')})`);
  }
}

function logChange(state: ProspectState, at: string, by: string, what: string): ProspectState['changes'] {
  return [...state.changes, { at, by, what }];
}

export function currentQuote(state: ProspectState): QuoteRevision | undefined {
  return state.quotes[state.quotes.length - 1];
}

function replaceCurrentQuote(state: ProspectState, quote: QuoteRevision): QuoteRevision[] {
  return [...state.quotes.slice(0, -1), quote];
}

export function logContact(state: ProspectState, raw: unknown, now: string): ProspectState {
  const cmd = parseOrThrow(LogContactSchema, raw, 'contact');
  const entry = { at: cmd.at ?? now, channel: cmd.channel, direction: cmd.direction, note: cmd.note, by: cmd.by };
  return {
    ...state,
    contacts: [...state.contacts, entry],
    changes: logChange(state, now, cmd.by, `logged ${cmd.direction} ${cmd.channel}`),
  };
}

export function qualify(state: ProspectState, raw: unknown, now: string): ProspectState {
  const cmd = parseOrThrow(QualifySchema, raw, 'qualification');
  requireStage(state, ['contact', 'qualification'], 'qualify');
  if (state.qualification?.outcome === 'qualified') {
    throw new DomainError('cannot qualify: the prospect is already qualified');
  }
  const answers = { ...state.qualification?.answers, ...cmd.answers };
  const decided = cmd.outcome !== undefined;
  const qualification = {
    answers,
    outcome: cmd.outcome,
    reason: cmd.reason,
    decidedAt: decided ? now : undefined,
    decidedBy: decided ? cmd.by : undefined,
    updatedAt: now,
  };
  if (cmd.outcome === 'disqualified') {
    return {
      ...closeAsLost(state, `disqualified: ${cmd.reason ?? ''}`, now),
      qualification,
      changes: logChange(state, now, cmd.by, `disqualified: ${cmd.reason}`),
    };
  }
  const what = cmd.outcome === 'qualified' ? 'qualified' : 'recorded qualification answers';
  return { ...state, stage: moveTo(state, 'qualification'), qualification, changes: logChange(state, now, cmd.by, what) };
}

export function createInquiry(state: ProspectState, raw: unknown, now: string): ProspectState {
  const cmd = parseOrThrow(CreateInquirySchema, raw, 'inquiry');
  requireStage(state, ['qualification'], 'create an inquiry');
  if (state.qualification?.outcome !== 'qualified') {
    throw new DomainError('cannot create an inquiry: qualify the prospect first');
  }
  const version = { version: 1, items: cmd.items, note: cmd.note, changedBy: cmd.by, changedAt: now };
  return {
    ...state,
    stage: moveTo(state, 'inquiry'),
    inquiry: { versions: [version] },
    changes: logChange(state, now, cmd.by, `created inquiry with ${cmd.items.length} item(s)`),
  };
}

export function changeInquiry(state: ProspectState, raw: unknown, now: string): ProspectState {
  const cmd = parseOrThrow(ChangeInquirySchema, raw, 'inquiry change');
  requireStage(state, ['inquiry', 'quotation'], 'change the inquiry');
  if (!state.inquiry) throw new DomainError('cannot change the inquiry: there is none yet');
  const next = currentInquiry(state.inquiry).version + 1;
  const version = { version: next, items: cmd.items, note: cmd.note, changedBy: cmd.by, changedAt: now };
  return {
    ...state,
    inquiry: { versions: [...state.inquiry.versions, version] },
    changes: logChange(state, now, cmd.by, `changed inquiry to version ${next}`),
  };
}

function buildRevision(
  state: ProspectState,
  revision: number,
  lines: Parameters<typeof priceLine>[0][],
  note: string,
  validTo: string | undefined,
  by: string,
  now: string,
): QuoteRevision {
  if (!state.inquiry) throw new DomainError('cannot quote: there is no inquiry to refer to');
  const priced = lines.map(priceLine);
  return {
    revision,
    status: 'draft',
    inquiryVersion: currentInquiry(state.inquiry).version,
    currency: state.process.quotePolicy.currency,
    lines: priced,
    totals: totalsOf(priced),
    note,
    createdAt: now,
    createdBy: by,
    requestedValidTo: validTo,
  };
}

function checkValidTo(validTo: string | undefined, now: string): void {
  if (validTo !== undefined && Date.parse(validTo) <= Date.parse(now)) {
    throw new DomainError(`validTo ${validTo} is not in the future`);
  }
}

export function createQuote(state: ProspectState, raw: unknown, now: string): ProspectState {
  const cmd = parseOrThrow(CreateQuoteSchema, raw, 'quotation');
  requireStage(state, ['inquiry'], 'create a quotation');
  if (state.quotes.length > 0) throw new DomainError('cannot create a quotation: one exists; change it instead');
  checkValidTo(cmd.validTo, now);
  const quote = buildRevision(state, 1, cmd.lines, cmd.note, cmd.validTo, cmd.by, now);
  return {
    ...state,
    stage: moveTo(state, 'quotation'),
    quotes: [quote],
    changes: logChange(state, now, cmd.by, `created quotation revision 1 (${quote.totals.netCents / 100} ${quote.currency})`),
  };
}

/**
 * A draft is edited in place. A sent (binding), expired or superseded quotation never is:
 * the change becomes a new draft revision that supersedes it.
 */
export function changeQuote(state: ProspectState, raw: unknown, now: string): ProspectState {
  const cmd = parseOrThrow(ChangeQuoteSchema, raw, 'quotation change');
  requireStage(state, ['quotation'], 'change the quotation');
  const current = currentQuote(state);
  if (!current) throw new DomainError('cannot change the quotation: there is none yet');
  checkValidTo(cmd.validTo, now);
  const lines = cmd.lines ?? current.lines;
  const note = cmd.note ?? current.note;
  const validTo = cmd.validTo ?? current.requestedValidTo;
  if (current.status === 'draft') {
    const edited = { ...buildRevision(state, current.revision, lines, note, validTo, cmd.by, now), createdAt: current.createdAt };
    return {
      ...state,
      quotes: replaceCurrentQuote(state, edited),
      changes: logChange(state, now, cmd.by, `edited draft revision ${current.revision}`),
    };
  }
  if (current.status !== 'sent' && current.status !== 'expired') {
    throw new DomainError(`cannot change the quotation: revision ${current.revision} is ${current.status}`);
  }
  const next = buildRevision(state, current.revision + 1, lines, note, validTo, cmd.by, now);
  const superseded: QuoteRevision = { ...current, status: 'superseded', supersededBy: next.revision };
  return {
    ...state,
    quotes: [...replaceCurrentQuote(state, superseded), next],
    changes: logChange(state, now, cmd.by, `revision ${next.revision} supersedes revision ${current.revision}`),
  };
}

export function sendQuote(state: ProspectState, raw: unknown, now: string): ProspectState {
  const cmd = parseOrThrow(SendQuoteSchema, raw, 'send');
  requireStage(state, ['quotation'], 'send the quotation');
  const current = currentQuote(state);
  if (!current) throw new DomainError('cannot send: there is no quotation');
  if (current.status !== 'draft') {
    throw new DomainError(`cannot send revision ${current.revision}: it is ${current.status}, not a draft`);
  }
  checkValidTo(current.requestedValidTo, now);
  const validTo =
    current.requestedValidTo ?? new Date(Date.parse(now) + state.process.quotePolicy.validity).toISOString();
  const sent: QuoteRevision = { ...current, status: 'sent', sentAt: now, validTo };
  const withQuote = { ...state, quotes: replaceCurrentQuote(state, sent) };
  const mail = quoteSentMail(withQuote, sent);
  const contacts = mail
    ? [
        ...state.contacts,
        {
          at: now,
          channel: 'email' as const,
          direction: 'outbound' as const,
          note: `quotation revision ${sent.revision} sent`,
          by: cmd.by,
          source: 'quotation',
        },
      ]
    : state.contacts;
  return {
    ...withQuote,
    contacts,
    outbox: mail ? [...state.outbox, mail] : state.outbox,
    changes: logChange(state, now, cmd.by, `sent revision ${sent.revision}, valid to ${validTo}`),
  };
}

function requireSentQuote(state: ProspectState, action: string): QuoteRevision {
  requireStage(state, ['quotation'], action);
  const current = currentQuote(state);
  if (!current || current.status !== 'sent') {
    const why = current ? `revision ${current.revision} is ${current.status}` : 'there is no quotation';
    throw new DomainError(`cannot ${action}: ${why}; only a sent quotation can be answered`);
  }
  return current;
}

export function acceptQuote(state: ProspectState, raw: unknown, now: string): ProspectState {
  const cmd = parseOrThrow(AcceptQuoteSchema, raw, 'acceptance');
  const current = requireSentQuote(state, 'accept the quotation');
  const accepted: QuoteRevision = { ...current, status: 'accepted', respondedAt: now, reason: cmd.note || undefined };
  return {
    ...state,
    stage: moveTo(state, 'won'),
    closedAt: now,
    quotes: replaceCurrentQuote(state, accepted),
    tasks: cancelOpenTasks(state, now),
    changes: logChange(state, now, cmd.by, `customer accepted revision ${current.revision}: won`),
  };
}

export function rejectQuote(state: ProspectState, raw: unknown, now: string): ProspectState {
  const cmd = parseOrThrow(RejectQuoteSchema, raw, 'rejection');
  const current = requireSentQuote(state, 'reject the quotation');
  const rejected: QuoteRevision = { ...current, status: 'rejected', respondedAt: now, reason: cmd.reason };
  return {
    ...closeAsLost({ ...state, quotes: replaceCurrentQuote(state, rejected) }, `quotation rejected: ${cmd.reason}`, now),
    changes: logChange(state, now, cmd.by, `customer rejected revision ${current.revision}: ${cmd.reason}`),
  };
}

export function markLost(state: ProspectState, raw: unknown, now: string): ProspectState {
  const cmd = parseOrThrow(MarkLostSchema, raw, 'lost');
  requireOpen(state, 'mark the prospect lost');
  return { ...closeAsLost(state, cmd.reason, now), changes: logChange(state, now, cmd.by, `marked lost: ${cmd.reason}`) };
}

export function completeTask(state: ProspectState, raw: unknown, now: string): ProspectState {
  const cmd = parseOrThrow(CompleteTaskSchema, raw, 'task completion');
  const task = state.tasks.find((t) => t.id === cmd.taskId);
  if (!task) throw new DomainError(`no task ${cmd.taskId} on prospect ${state.info.id}`);
  if (task.state !== 'open') throw new DomainError(`task ${cmd.taskId} is already ${task.state}`);
  const done = { ...task, state: 'done' as const, doneAt: now, outcome: cmd.outcome, note: cmd.note || undefined };
  return {
    ...state,
    tasks: state.tasks.map((t) => (t.id === task.id ? done : t)),
    changes: logChange(state, now, cmd.by, `completed task ${task.id}: ${cmd.outcome}`),
  };
}

function cancelOpenTasks(state: ProspectState, now: string): ProspectState['tasks'] {
  return state.tasks.map((t) => (t.state === 'open' ? { ...t, state: 'cancelled' as const, doneAt: now } : t));
}

function closeAsLost(state: ProspectState, reason: string, now: string): ProspectState {
  return { ...state, stage: 'lost', lostReason: reason, closedAt: now, tasks: cancelOpenTasks(state, now) };
}

/** Every command a prospect accepts, by the name its update carries. */
export const COMMANDS = {
  logContact,
  qualify,
  createInquiry,
  changeInquiry,
  createQuote,
  changeQuote,
  sendQuote,
  acceptQuote,
  rejectQuote,
  markLost,
  completeTask,
} as const;
export type CommandName = keyof typeof COMMANDS;
