import { schemasFor } from './commands';
import { DomainError, fieldRefusal, parseOrThrow } from '../shared/errors';
import { currentInquiry } from './inquiry';
import { acceptanceConfirmationMail, customerAnsweredMail, quoteSentMail, reassignedMail } from './notifications';
import { quotationNumber } from './quotationDocument';
import { cancelCall, completeCall, rescheduleCall, scheduleCall } from '../tasks/calls';
import { findRep, mailTimeZone, notARep, processDefinitionSchema, type ProcessDefinition, type ProcessDefinitionInput } from '../process/process';
import { formatTime } from '../shared/timeZone';
import { scoreQualification, type Facts } from '../process/rules';
import { answerSupportQuery, openSupportQuery } from '../tasks/support';
import { addStageTasks, addTask, onStageEntered } from '../tasks/tasks';
import { isActiveTask, LenientProspectInfoSchema, ProspectInfoSchema, type ProspectInfoInput, type ProspectState } from './prospect';
import type { InputRules } from '../shared/inputRules';
import { formatCents, priceLine, refreshLines, specOf, specOfLine, totalsOf, type OnlineAnswer, type QuoteLineSpec, type QuoteRevision } from './quotation';
import { checkContactTime, checkWantedDates } from './timeRules';
import { canMove, isClosed, type Stage } from './stages';
import { recordVersion } from './record';

/**
 * The prospect lifecycle as pure functions: each takes the current state, the raw command
 * and the time, and returns the next state or throws a DomainError. The workflow runs the
 * same function in an update's validator (to refuse) and in its handler (to apply), so a
 * refused command never reaches the history.
 */

export function newProspect(info: ProspectInfoInput, process: ProcessDefinitionInput, now: string, rules: InputRules = 'current'): ProspectState {
  const parsedInfo = parseOrThrow(rules === 'recorded' ? LenientProspectInfoSchema : ProspectInfoSchema, info, 'prospect');
  const parsedProcess = parseOrThrow(processDefinitionSchema(rules), process, 'process definition');
  const notRep = notARep(parsedProcess, parsedInfo.rep);
  // As a reassignment's refusal: the field named, so the CLI says `--rep`.
  if (notRep) throw fieldRefusal('prospect', ['rep'], notRep);
  const state: ProspectState = {
    info: parsedInfo,
    stage: 'contact',
    process: parsedProcess,
    createdAt: now,
    contacts: [],
    quotes: [],
    tasks: [],
    escalations: [],
    outbox: [],
    changes: [{ at: now, by: 'system', what: `created in stage contact, assigned to ${parsedInfo.rep}${parsedInfo.origin ? `: ${parsedInfo.origin}` : ''}` }],
    nextTaskNo: 1,
    stages: [{ stage: 'contact', at: now }],
  };
  return addStageTasks(state, 'contact', now);
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

export function logContact(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).LogContactSchema, raw, 'contact');
  if (rules === 'current') checkContactTime(cmd.at, now);
  const entry = { at: cmd.at ?? now, channel: cmd.channel, direction: cmd.direction, note: cmd.note, by: cmd.by };
  return {
    ...state,
    contacts: [...state.contacts, entry],
    changes: logChange(state, now, cmd.by, `logged ${cmd.direction} ${cmd.channel}`),
  };
}

export function qualify(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).QualifySchema, raw, 'qualification');
  requireStage(state, ['contact', 'qualification'], 'qualify');
  if (state.qualification?.outcome === 'qualified') {
    throw new DomainError('cannot qualify: the prospect is already qualified');
  }
  const answers = { ...state.qualification?.answers, ...cmd.answers };
  const criteria = state.process.qualification;
  if (cmd.decide && !criteria) {
    throw new DomainError(`process "${state.process.name}" has no qualification rules; give --outcome instead`);
  }
  // The rules score every time answers are recorded, so reps see where a lead stands.
  const score = criteria ? scoreQualification(criteria, qualificationFacts(state, answers)) : undefined;
  const outcome = cmd.decide ? score?.outcome : cmd.outcome;
  const reason =
    cmd.decide && score?.outcome === 'disqualified'
      ? score.knockout
        ? `knock-out ${score.knockout.rule}: ${score.knockout.reason}`
        : `score ${score.score} below threshold ${score.threshold}`
      : cmd.reason;
  const decided = outcome !== undefined;
  const qualification = {
    answers,
    outcome,
    reason,
    score,
    decidedAt: decided ? now : undefined,
    decidedBy: decided ? cmd.by : undefined,
    updatedAt: now,
  };
  if (outcome === 'disqualified') {
    return {
      ...closeAsLost(state, `disqualified: ${reason ?? ''}`, now),
      qualification,
      changes: logChange(state, now, cmd.by, `disqualified: ${reason}`),
    };
  }
  const scored = score ? ` (score ${score.score}/${score.threshold})` : '';
  const what = outcome === 'qualified' ? `qualified${scored}` : `recorded qualification answers${scored}`;
  const next: ProspectState = { ...state, stage: moveTo(state, 'qualification'), qualification, changes: logChange(state, now, cmd.by, what) };
  return outcome === 'qualified' ? addStageTasks(next, 'qualified', now) : next;
}

/** What qualification rules and assignment rules can look at. */
export function qualificationFacts(state: ProspectState, answers = state.qualification?.answers ?? {}): Facts {
  const { info } = state;
  return { answers, fields: info.fields, source: info.source, company: info.company, email: info.email };
}

export function createInquiry(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).CreateInquirySchema, raw, 'inquiry');
  if (rules === 'current') checkWantedDates(cmd.items, now);
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

export function changeInquiry(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).ChangeInquirySchema, raw, 'inquiry change');
  if (rules === 'current') checkWantedDates(cmd.items, now);
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
  lines: readonly QuoteLineSpec[],
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

export function createQuote(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).CreateQuoteSchema, raw, 'quotation');
  requireStage(state, ['inquiry'], 'create a quotation');
  if (state.quotes.length > 0) throw new DomainError('cannot create a quotation: one exists; change it instead');
  checkValidTo(cmd.validTo, now);
  const quote = buildRevision(state, 1, cmd.lines.map(specOf), cmd.note, cmd.validTo, cmd.by, now);
  return {
    ...state,
    stage: moveTo(state, 'quotation'),
    quotes: [quote],
    changes: logChange(state, now, cmd.by, `created quotation revision 1 (${formatCents(quote.totals.netCents)} ${quote.currency})`),
  };
}

/**
 * A draft is edited in place. A sent (binding), expired or superseded quotation never is:
 * the change becomes a new draft revision that supersedes it.
 */
export function changeQuote(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).ChangeQuoteSchema, raw, 'quotation change');
  requireStage(state, ['quotation'], 'change the quotation');
  const current = currentQuote(state);
  if (!current) throw new DomainError('cannot change the quotation: there is none yet');
  checkValidTo(cmd.validTo, now);
  const lines = cmd.lines?.map(specOf) ?? reReadLines(state, current, rules);
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

/**
 * The lines of `quote` for the current inquiry (see refreshLines): unchanged when the quote
 * already refers to it. Under recorded rules a product without a price keeps the old lines,
 * as changes made before quotations followed their inquiry did.
 */
function reReadLines(state: ProspectState, quote: QuoteRevision, rules: InputRules): QuoteLineSpec[] {
  const inquiry = state.inquiry ? currentInquiry(state.inquiry) : undefined;
  const kept = quote.lines.map(specOfLine);
  if (!inquiry || inquiry.version === quote.inquiryVersion) return kept;
  try {
    return refreshLines(quote.lines, inquiry.items);
  } catch (err) {
    if (rules === 'recorded' && err instanceof DomainError) return kept;
    throw err;
  }
}

/**
 * Re-reads the current inquiry into the quotation: its products and quantities, with the
 * prices the quotation already has (domain/pipeline/quotation.ts refreshLines). A draft is refreshed
 * in place; a sent or expired quotation gets a new draft revision, as with any change.
 */
export function refreshQuote(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).RefreshQuoteSchema, raw, 'refresh');
  requireStage(state, ['quotation'], 'refresh the quotation');
  const current = currentQuote(state);
  if (!current || !state.inquiry) throw new DomainError('cannot refresh the quotation: there is none yet');
  const inquiryVersion = currentInquiry(state.inquiry).version;
  if (current.inquiryVersion === inquiryVersion) {
    throw new DomainError(`nothing to refresh: revision ${current.revision} already refers to inquiry version ${inquiryVersion}`);
  }
  let lines: QuoteLineSpec[];
  try {
    lines = refreshLines(current.lines, currentInquiry(state.inquiry).items);
  } catch (err) {
    if (err instanceof DomainError) throw new DomainError(`cannot refresh revision ${current.revision}: ${err.message}`);
    throw err;
  }
  return changeQuote(state, { lines: lines.map(asCommandLine), by: cmd.by }, now, rules);
}

/** A priced line back in the command's form (decimal text), for changeQuote to read. */
function asCommandLine(spec: QuoteLineSpec): object {
  return {
    product: spec.product,
    quantity: spec.quantity,
    unitPrice: formatCents(spec.unitPriceCents),
    discountPercent: (spec.discountBasisPoints / 100).toFixed(2),
    ...(spec.free ? { free: true } : {}),
  };
}

export function sendQuote(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).SendQuoteSchema, raw, 'send');
  requireStage(state, ['quotation'], 'send the quotation');
  const current = currentQuote(state);
  if (!current) throw new DomainError('cannot send: there is no quotation');
  if (current.status !== 'draft') {
    throw new DomainError(`cannot send revision ${current.revision}: it is ${current.status}, not a draft`);
  }
  checkValidTo(current.requestedValidTo, now);
  if (rules === 'current') requireSendable(state, current, cmd.handedOver);
  const validTo =
    current.requestedValidTo ?? new Date(Date.parse(now) + state.process.quotePolicy.validity).toISOString();
  const sent: QuoteRevision = { ...current, status: 'sent', sentAt: now, validTo };
  const withQuote = { ...state, quotes: replaceCurrentQuote(state, sent) };
  // Handed over in person or by post: the record says how, and no mail goes out.
  const mail = cmd.handedOver ? undefined : quoteSentMail(withQuote, sent);
  const channel = cmd.handedOver ?? (mail ? ('email' as const) : undefined);
  const how = cmd.handedOver ? `handed over (${cmd.handedOver})` : 'sent';
  const contacts = channel
    ? [
        ...state.contacts,
        {
          at: now,
          channel,
          direction: 'outbound' as const,
          note: `quotation revision ${sent.revision} ${how}`,
          by: cmd.by,
          source: 'quotation',
        },
      ]
    : state.contacts;
  return {
    ...withQuote,
    contacts,
    outbox: mail ? [...state.outbox, mail] : state.outbox,
    changes: logChange(state, now, cmd.by, `${how} revision ${sent.revision}, valid to ${validTo}`),
  };
}

/**
 * A quotation is sent to someone or not at all: by mail to the prospect's address, or handed
 * over another way that the contact log records. And it offers what the customer asks for
 * now, not what an older inquiry version asked for.
 */
function requireSendable(state: ProspectState, quote: QuoteRevision, handedOver: string | undefined): void {
  if (!state.info.email && !handedOver) {
    throw fieldRefusal(
      'send',
      ['handedOver'],
      `prospect ${state.info.id} has no email address, so revision ${quote.revision} cannot be mailed: say how it reached the customer (visit, call, letter or direct_mail)`,
    );
  }
  const inquiryVersion = state.inquiry ? currentInquiry(state.inquiry).version : quote.inquiryVersion;
  if (quote.inquiryVersion < inquiryVersion) {
    throw new DomainError(`cannot send revision ${quote.revision}: ${staleReference(quote, inquiryVersion)}`);
  }
}

/** What `show` and a refused send say about a quotation made for an older inquiry version. */
export function staleReference(quote: QuoteRevision, inquiryVersion: number): string {
  return `it refers to inquiry version ${quote.inquiryVersion}; the inquiry is now at version ${inquiryVersion}: run quote refresh`;
}

function requireSentQuote(state: ProspectState, action: string, now: string): QuoteRevision {
  requireStage(state, ['quotation'], action);
  const current = currentQuote(state);
  if (!current || current.status !== 'sent') {
    const why = current ? `revision ${current.revision} is ${current.status}` : 'there is no quotation';
    throw new DomainError(`cannot ${action}: ${why}; only a sent quotation can be answered`);
  }
  // The expiry timer may not have fired yet; the offer is no longer binding all the same.
  if (current.validTo && Date.parse(now) >= Date.parse(current.validTo)) {
    throw new DomainError(`cannot ${action}: revision ${current.revision} expired at ${current.validTo}`);
  }
  return current;
}

/**
 * The answer to one named revision (the customer's link names it): refused with the reason
 * the customer should read when that revision was superseded, already answered, expired, or
 * when the document they saw is not the one mailed for it.
 */
function requireAnswerable(state: ProspectState, action: string, now: string, revision: number | undefined, sha256: string | undefined): QuoteRevision {
  if (revision !== undefined) {
    const named = state.quotes.find((q) => q.revision === revision);
    if (!named) throw new DomainError(`cannot ${action}: there is no revision ${revision}`);
    if (named.status === 'superseded') throw new DomainError(`cannot ${action}: revision ${revision} was superseded by revision ${named.supersededBy ?? revision + 1}`);
    if (named.status === 'accepted' || named.status === 'rejected') {
      throw new DomainError(`cannot ${action}: revision ${revision} was already ${named.status}${named.respondedAt ? ` at ${named.respondedAt}` : ''}`);
    }
    if (named.status === 'expired') throw new DomainError(`cannot ${action}: revision ${revision} expired at ${named.validTo ?? ''}`);
  }
  const current = requireSentQuote(state, action, now);
  if (revision !== undefined && current.revision !== revision) throw new DomainError(`cannot ${action}: revision ${revision} is not the current quotation`);
  if (sha256 !== undefined && current.documentSha256 !== sha256) {
    // Stored and mailed, but the activity that did both has not reported the hash yet.
    if (current.documentSha256 === undefined) throw new DomainError(`cannot ${action}: the document of revision ${current.revision} is still being recorded; please try again in a moment`);
    throw new DomainError(`cannot ${action}: the document answered is not the one sent as revision ${current.revision}`);
  }
  return current;
}

export function acceptQuote(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).AcceptQuoteSchema, raw, 'acceptance');
  const current = requireAnswerable(state, 'accept the quotation', now, cmd.revision, cmd.documentSha256);
  const online: OnlineAnswer | undefined = cmd.online
    ? {
        at: now,
        decision: 'accepted',
        signer: cmd.online.signer,
        signature: cmd.online.signature,
        ip: cmd.online.ip,
        userAgent: cmd.online.userAgent,
        ...(current.documentSha256 ? { documentSha256: current.documentSha256 } : {}),
      }
    : undefined;
  const accepted: QuoteRevision = { ...current, status: 'accepted', respondedAt: now, reason: cmd.note || undefined, ...(online ? { answeredOnline: online } : {}) };
  const next: ProspectState = {
    ...state,
    stage: moveTo(state, 'won'),
    closedAt: now,
    quotes: replaceCurrentQuote(state, accepted),
    tasks: cancelOpenTasks(state, now),
    changes: logChange(state, now, cmd.by, `customer accepted revision ${current.revision}${online ? ` online, signed by ${online.signer}` : ''}: won`),
  };
  if (!online) return next;
  // Accepted on the quotation page: the record says so, the customer gets the accepted PDF,
  // and the rep and manager are told.
  const confirmation = acceptanceConfirmationMail(next, accepted, online);
  const told = customerAnsweredMail(next, `quote-r${current.revision}-accepted-notice`, `accepted quotation ${quotationNumber(state.info.id, current.revision)} online`, [
    `Signed by: ${online.signer} (typed signature: ${online.signature})`,
    `At: ${formatTime(now, mailTimeZone(state.process))}`,
    `From: ${online.ip}, ${online.userAgent}`,
    `Document SHA-256: ${online.documentSha256 ?? '(none recorded)'}`,
  ]);
  return {
    ...next,
    contacts: [...next.contacts, { at: now, channel: 'web', direction: 'inbound', note: `accepted revision ${current.revision} online, signed by ${online.signer}`, by: cmd.by, source: 'quotation-page' }],
    outbox: [...next.outbox, ...(confirmation ? [confirmation] : []), ...(told ? [told] : [])],
  };
}

export function rejectQuote(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).RejectQuoteSchema, raw, 'rejection');
  const current = requireAnswerable(state, 'reject the quotation', now, cmd.revision, cmd.documentSha256);
  const online: OnlineAnswer | undefined = cmd.online ? { at: now, decision: 'rejected', ip: cmd.online.ip, userAgent: cmd.online.userAgent } : undefined;
  const rejected: QuoteRevision = { ...current, status: 'rejected', respondedAt: now, reason: cmd.reason, ...(online ? { answeredOnline: online } : {}) };
  const next: ProspectState = {
    ...closeAsLost({ ...state, quotes: replaceCurrentQuote(state, rejected) }, `quotation rejected: ${cmd.reason}`, now),
    changes: logChange(state, now, cmd.by, `customer rejected revision ${current.revision}${online ? ' online' : ''}: ${cmd.reason}`),
  };
  if (!online) return next;
  const told = customerAnsweredMail(next, `quote-r${current.revision}-rejected-notice`, `declined quotation ${quotationNumber(state.info.id, current.revision)} online`, [
    `Reason: ${cmd.reason}`,
    `At: ${formatTime(now, mailTimeZone(state.process))}`,
    `From: ${online.ip}, ${online.userAgent}`,
  ]);
  return {
    ...next,
    contacts: [...next.contacts, { at: now, channel: 'web', direction: 'inbound', note: `declined revision ${current.revision} online: ${cmd.reason}`, by: cmd.by, source: 'quotation-page' }],
    outbox: told ? [...next.outbox, told] : next.outbox,
  };
}

/**
 * The customer wrote (a reply by mail, a question on the quotation page): an inbound contact,
 * which also stops the stale-quotation reminders, and with `followUp` a task for the rep.
 * A mail already logged (same Message-ID) is refused, so a redelivery is not logged twice.
 */
export function customerMessage(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).CustomerMessageSchema, raw, 'customer message');
  const source = cmd.messageId ? `mail:${cmd.messageId}` : cmd.channel === 'web' ? 'quotation-page' : 'mail';
  if (cmd.messageId && state.contacts.some((c) => c.source === source)) throw new DomainError(`message ${cmd.messageId} is already logged on ${state.info.id}`);
  const about = cmd.revision ? ` on quotation ${quotationNumber(state.info.id, cmd.revision)}` : '';
  const kind = cmd.channel === 'web' ? 'question' : 'reply';
  const logged: ProspectState = {
    ...state,
    contacts: [...state.contacts, { at: now, channel: cmd.channel, direction: 'inbound', note: cmd.note, by: cmd.from ?? cmd.by, source }],
    changes: logChange(state, now, cmd.by, `customer ${kind}${about} by ${cmd.channel}`),
  };
  if (!cmd.followUp) return logged;
  const withTask = addTask(
    logged,
    {
      kind: 'follow_up',
      title: `Answer ${state.info.name}'s ${kind}${about}`,
      rep: state.info.rep,
      dueAt: new Date(Date.parse(now) + state.process.quotePolicy.followUpDueIn).toISOString(),
      escalateAfter: { businessDays: 1 },
      // The rep reads what the customer wrote in the mail, not only that they wrote.
      mailDetail: ['They wrote:', ...cmd.note.slice(0, 2000).split('\n').map((l) => `> ${l}`)],
    },
    now,
  );
  return withTask;
}

export function markLost(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).MarkLostSchema, raw, 'lost');
  requireOpen(state, 'mark the prospect lost');
  return { ...closeAsLost(state, cmd.reason, now), changes: logChange(state, now, cmd.by, `marked lost: ${cmd.reason}`) };
}

export function completeTask(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).CompleteTaskSchema, raw, 'task completion');
  const task = state.tasks.find((t) => t.id === cmd.taskId);
  if (!task) throw new DomainError(`no task ${cmd.taskId} on prospect ${state.info.id}`);
  if (!isActiveTask(task)) throw new DomainError(`task ${cmd.taskId} is already ${task.state}`);
  const done = { ...task, state: 'done' as const, doneAt: now, outcome: cmd.outcome, note: cmd.note || undefined };
  return {
    ...state,
    tasks: state.tasks.map((t) => (t.id === task.id ? done : t)),
    changes: logChange(state, now, cmd.by, `completed task ${task.id}: ${cmd.outcome}`),
  };
}

function cancelOpenTasks(state: ProspectState, now: string): ProspectState['tasks'] {
  return state.tasks.map((t) => (isActiveTask(t) ? { ...t, state: 'cancelled' as const, doneAt: now } : t));
}

/**
 * Why moving this prospect to `target` is unsafe, or undefined when it is safe. In-flight
 * prospects keep their version unless ops migrate them explicitly; a move is refused when
 * the new version could not carry the prospect on (its rep or support team gone, an older
 * version, another process).
 */
export function migrationBlocker(state: ProspectState, target: ProcessDefinition): string | undefined {
  if (target.name !== state.process.name) return `it runs process "${state.process.name}", not "${target.name}"`;
  if (target.version === state.process.version) return `it is already on version ${target.version}`;
  if (target.version < state.process.version) return `it is on version ${state.process.version}, newer than ${target.version}`;
  if (!findRep(target, state.info.rep)) return `its rep "${state.info.rep}" is not in version ${target.version}`;
  const openQueries = (state.supportQueries ?? []).filter((q) => !q.answeredAt);
  if (openQueries.length > 0 && !target.support) return `it has an open support query and version ${target.version} has no support team`;
  for (const t of state.tasks.filter(isActiveTask)) {
    if (!findRep(target, t.rep) && !target.teams.some((team) => team.reps.some((r) => r.id === t.rep))) {
      return `its open task ${t.id} belongs to "${t.rep}", who is not in version ${target.version}`;
    }
  }
  return undefined;
}

export function migrateProcess(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).MigrateProcessSchema, raw, 'migration');
  const target = parseOrThrow(processDefinitionSchema(rules), cmd.process, 'process definition');
  // The departed rep's work moves first, to a rep of the new version, in the same step.
  const moved = cmd.reassign ? reassignDeparted(state, cmd.reassign, target, now, cmd.by) : state;
  const blocker = migrationBlocker(moved, target);
  if (blocker) throw new DomainError(`cannot migrate ${state.info.id}: ${blocker}`);
  state = moved;
  return {
    ...state,
    process: target,
    migrations: [...(state.migrations ?? []), { at: now, from: state.process.version, to: target.version, by: cmd.by }],
    changes: logChange(state, now, cmd.by, `migrated from ${state.process.name} v${state.process.version} to v${target.version}`),
  };
}

/**
 * Reassignment is for open prospects only: a won or lost prospect has no open work to
 * move, and its record keeps who worked it (post-sales care is the customer's own workflow).
 * The rep must be in the prospect's process version and not already its rep.
 */
export function reassign(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).ReassignSchema, raw, 'reassignment');
  requireOpen(state, 'reassign');
  if (cmd.rep === state.info.rep) throw new DomainError(`${state.info.id} is already assigned to ${cmd.rep}`);
  return moveToRep(state, state.info.rep, cmd.rep, state.process, now, cmd.by, cmd.reason);
}

/** For a migration: only when `from` is not in the target version and holds this prospect or its tasks. */
function reassignDeparted(state: ProspectState, r: { from: string; to: string }, target: ProcessDefinition, now: string, by: string): ProspectState {
  if (findRep(target, r.from)) return state;
  const holds = state.info.rep === r.from || state.tasks.some((t) => isActiveTask(t) && t.rep === r.from);
  if (!holds || isClosed(state.stage)) return state;
  return moveToRep(state, r.from, r.to, target, now, by, `${r.from} is not in ${target.name} v${target.version}`);
}

function moveToRep(state: ProspectState, from: string, to: string, process: ProcessDefinition, now: string, by: string, reason: string | undefined): ProspectState {
  const notRep = notARep(process, to);
  if (notRep) throw fieldRefusal('reassignment', ['rep'], notRep);
  const movedTasks = state.tasks.filter((t) => isActiveTask(t) && t.rep === from);
  // `synced` cleared: the prospect tells each moved task's workflow its new rep.
  const tasks = state.tasks.map((t) => (isActiveTask(t) && t.rep === from ? { ...t, rep: to, synced: undefined } : t));
  const info = state.info.rep === from ? { ...state.info, rep: to } : state.info;
  const next: ProspectState = {
    ...state,
    info,
    tasks,
    changes: logChange(state, now, by, `reassigned from ${from} to ${to}${movedTasks.length ? ` with task(s) ${movedTasks.map((t) => t.id).join(', ')}` : ''}${reason ? `: ${reason}` : ''}`),
  };
  const mail = reassignedMail({ ...next, process }, from, movedTasks.map((t) => ({ ...t, rep: to })), reason, recordVersion(next));
  return mail ? { ...next, outbox: [...next.outbox, mail] } : next;
}

/** The answer to a support query; with items it also creates (or changes) the inquiry. */
export function answerQuery(state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  const cmd = parseOrThrow(schemasFor(rules).AnswerSupportQuerySchema, raw, 'support answer');
  const answered = answerSupportQuery(state, cmd, now, rules);
  if (!cmd.inquiryItems) return answered;
  const inquiry = { items: cmd.inquiryItems, note: `from support query ${cmd.queryId}`, by: cmd.by };
  return answered.inquiry ? changeInquiry(answered, inquiry, now, rules) : createInquiry(answered, inquiry, now, rules);
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
  refreshQuote,
  sendQuote,
  acceptQuote,
  rejectQuote,
  customerMessage,
  markLost,
  completeTask,
  scheduleCall,
  rescheduleCall,
  cancelCall,
  completeCall,
  openSupportQuery,
  answerSupportQuery: answerQuery,
  migrateProcess,
  reassign,
} as const;
export type CommandName = keyof typeof COMMANDS;

/** Runs a command and then what entering a new stage brings (the stage's task templates). */
export function runCommand(name: CommandName, state: ProspectState, raw: unknown, now: string, rules: InputRules = 'current'): ProspectState {
  return logStage(state, onStageEntered(state, COMMANDS[name](state, raw, now, rules), now), now);
}

/**
 * Appends the stage just entered to the prospect's stage log (only prospects that began
 * with one keep it: the reports derive older prospects' stages from their record).
 */
export function logStage(before: ProspectState, after: ProspectState, now: string): ProspectState {
  if (after.stage === before.stage || !after.stages) return after;
  const entry = after.stage === 'lost' && after.lostReason !== undefined ? { stage: after.stage, at: now, reason: after.lostReason } : { stage: after.stage, at: now };
  return { ...after, stages: [...after.stages, entry] };
}
