import { DomainError, formatPath, parseOrThrow } from '../../domain/shared/errors';
import {
  acceptQuote,
  changeInquiry,
  changeQuote,
  completeTask,
  createInquiry,
  createQuote,
  currentQuote,
  logContact,
  markLost,
  newProspect,
  qualify,
  rejectQuote,
  sendQuote,
} from '../../domain/pipeline/lifecycle';
import { applyDueDeadlines } from '../../domain/pipeline/deadlines';
import { LogContactSchema } from '../../domain/pipeline/commands';
import type { ProspectState } from '../../domain/pipeline/prospect';
import {
  at,
  CREATED_AT,
  DAY,
  fresh,
  HOUR,
  INFO,
  inInquiry,
  INQUIRY_AT,
  LINES,
  PROCESS,
  QUALIFIED_AT,
  qualified,
  QUOTED_AT,
  SENT_AT,
  snapshot,
  withDraft,
  withSent,
} from './fixtures';

type Command = (state: ProspectState, raw: unknown, now: string) => ProspectState;

/** Runs a command that must be refused; returns its message and proves the input is untouched. */
function refusal(state: ProspectState, command: Command, raw: unknown, now = at(30 * DAY)): string {
  const before = snapshot(state);
  let caught: unknown;
  try {
    command(state, raw, now);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DomainError);
  expect(snapshot(state)).toEqual(before);
  return (caught as DomainError).message;
}

/** A prospect whose quotation expired, so it carries an open follow-up task. */
function withOpenTask(): ProspectState {
  return applyDueDeadlines(withSent(), at(20 * DAY));
}

describe('newProspect', () => {
  it('starts in stage contact with the rep assigned and the process parsed', () => {
    const state = fresh();
    expect(state.stage).toBe('contact');
    expect(state.info).toMatchObject({ ...INFO, source: 'manual' });
    expect(state.createdAt).toBe(CREATED_AT);
    expect(state.process.quotePolicy).toEqual({
      validity: 10 * DAY,
      staleAfter: 2 * DAY,
      escalateAfter: 5 * DAY,
      currency: 'EUR',
      followUpDueIn: DAY,
    });
    expect(state.quotes).toEqual([]);
    expect(state.tasks).toEqual([]);
    expect(state.outbox).toEqual([]);
    expect(state.nextTaskNo).toBe(1);
    expect(state.changes).toEqual([{ at: CREATED_AT, by: 'system', what: 'created in stage contact, assigned to alice' }]);
  });

  it('refuses a rep who is not in the process and lists the reps who are', () => {
    expect(() => newProspect({ ...INFO, rep: 'zed' }, PROCESS, CREATED_AT)).toThrow(
      new DomainError(`invalid prospect: rep: "zed" is not a rep of process "test-process" v${PROCESS.version} (reps: alice, bob, carol)`),
    );
  });

  it('refuses invalid prospect data naming the field', () => {
    expect(() => newProspect({ ...INFO, email: 'not-an-address' }, PROCESS, CREATED_AT)).toThrow(
      'invalid prospect: email: must be an email address',
    );
    expect(() => newProspect({ ...INFO, name: '   ' }, PROCESS, CREATED_AT)).toThrow('invalid prospect: name: must not be empty');
    expect(() => newProspect({ ...INFO, id: 'has space' }, PROCESS, CREATED_AT)).toThrow(/^invalid prospect: id: /);
  });

  it('refuses an invalid process definition naming the field', () => {
    const bad = { ...PROCESS, quotePolicy: { ...PROCESS.quotePolicy, staleAfter: '6d' } };
    expect(() => newProspect(INFO, bad, CREATED_AT)).toThrow(
      'invalid process definition: quotePolicy.escalateAfter: staleAfter must be shorter than escalateAfter',
    );
  });
});

describe('the happy path: contact → qualification → inquiry → quotation → won', () => {
  it('walks every stage and records each step in the audit trail', () => {
    const s0 = fresh();
    const s1 = qualify(s0, { answers: { budget: 5000, need: 'faster widgets' }, by: 'alice' }, at(1 * HOUR));
    expect(s1.stage).toBe('qualification');
    expect(s1.qualification).toMatchObject({ answers: { budget: 5000, need: 'faster widgets' }, updatedAt: at(1 * HOUR) });
    expect(s1.qualification?.outcome).toBeUndefined();
    expect(s1.qualification?.decidedAt).toBeUndefined();

    const s2 = qualify(s1, { outcome: 'qualified', answers: { authority: 'CFO' }, by: 'bob' }, at(2 * HOUR));
    expect(s2.stage).toBe('qualification');
    expect(s2.qualification).toEqual({
      answers: { budget: 5000, need: 'faster widgets', authority: 'CFO' },
      outcome: 'qualified',
      reason: undefined,
      decidedAt: at(2 * HOUR),
      decidedBy: 'bob',
      updatedAt: at(2 * HOUR),
    });

    const s3 = createInquiry(s2, { items: [{ product: 'WIDGET-1', quantity: 3, wantedDeliveryDate: '2026-06-30' }], by: 'alice' }, at(3 * HOUR));
    expect(s3.stage).toBe('inquiry');
    expect(s3.inquiry?.versions).toEqual([
      { version: 1, items: [{ product: 'WIDGET-1', quantity: 3, wantedDeliveryDate: '2026-06-30' }], note: '', changedBy: 'alice', changedAt: at(3 * HOUR) },
    ]);

    const s4 = createQuote(s3, { lines: LINES, by: 'alice' }, at(4 * HOUR));
    expect(s4.stage).toBe('quotation');
    expect(s4.quotes).toHaveLength(1);
    expect(s4.quotes[0]).toMatchObject({ revision: 1, status: 'draft', inquiryVersion: 1, currency: 'EUR', createdBy: 'alice' });

    const s5 = sendQuote(s4, { by: 'alice' }, at(5 * HOUR));
    expect(s5.stage).toBe('quotation');
    expect(currentQuote(s5)).toMatchObject({ status: 'sent', sentAt: at(5 * HOUR), validTo: at(5 * HOUR + 10 * DAY) });

    const s6 = acceptQuote(s5, { note: 'PO 4711', by: 'ada' }, at(6 * HOUR));
    expect(s6.stage).toBe('won');
    expect(s6.closedAt).toBe(at(6 * HOUR));
    expect(s6.lostReason).toBeUndefined();
    expect(currentQuote(s6)).toMatchObject({ status: 'accepted', respondedAt: at(6 * HOUR), reason: 'PO 4711' });

    expect(s6.changes.map((c) => [c.by, c.what])).toEqual([
      ['system', 'created in stage contact, assigned to alice'],
      ['alice', 'recorded qualification answers'],
      ['bob', 'qualified'],
      ['alice', 'created inquiry with 1 item(s)'],
      ['alice', 'created quotation revision 1 (303.97 EUR)'],
      ['alice', `sent revision 1, valid to ${at(5 * HOUR + 10 * DAY)}`],
      ['ada', 'customer accepted revision 1: won'],
    ]);
  });

  it('qualifies straight from stage contact', () => {
    const state = qualify(fresh(), { outcome: 'qualified', by: 'alice' }, QUALIFIED_AT);
    expect(state.stage).toBe('qualification');
    expect(state.qualification?.outcome).toBe('qualified');
  });

  it('mails the sent quotation to the customer and logs it as an outbound contact', () => {
    const state = withSent();
    expect(state.outbox).toHaveLength(1);
    expect(state.outbox[0]).toMatchObject({
      messageId: '<prospect-P1.quote-r1-sent@salesflow.invalid>',
      to: 'ada@acme.example',
      cc: 'alice@example.com',
      subject: 'Quotation Q-P1-1 from the test-process sales team',
    });
    expect(state.contacts).toEqual([
      { at: SENT_AT, channel: 'email', direction: 'outbound', note: 'quotation revision 1 sent', by: 'alice', source: 'quotation' },
    ]);
  });

  it('refuses to send to a prospect without an email address unless told how it was handed over', () => {
    const { email: _omit, ...noEmail } = INFO;
    void _omit;
    const draft = withDraft(inInquiry(qualified(fresh(noEmail))));
    expect(() => sendQuote(draft, { by: 'alice' }, SENT_AT)).toThrow(
      new DomainError(
        'invalid send: handedOver: prospect P1 has no email address, so revision 1 cannot be mailed: say how it reached the customer (visit, call, letter or direct_mail)',
      ),
    );
    const state = sendQuote(draft, { handedOver: 'visit', by: 'alice' }, SENT_AT);
    expect(currentQuote(state)?.status).toBe('sent');
    expect(state.outbox).toEqual([]);
    expect(state.contacts).toEqual([
      { at: SENT_AT, channel: 'visit', direction: 'outbound', note: 'quotation revision 1 handed over (visit)', by: 'alice', source: 'quotation' },
    ]);
    expect(state.changes.at(-1)?.what).toMatch(/^handed over \(visit\) revision 1, valid to /);
  });

  it('under recorded rules a send without email applies as it did before the rule (no mail, no contact)', () => {
    const { email: _omit, ...noEmail } = INFO;
    void _omit;
    const state = sendQuote(withDraft(inInquiry(qualified(fresh(noEmail)))), { by: 'alice' }, SENT_AT, 'recorded');
    expect(currentQuote(state)?.status).toBe('sent');
    expect(state.outbox).toEqual([]);
    expect(state.contacts).toEqual([]);
  });

  it('a quotation handed over to a prospect with email sends no mail and logs the hand-over', () => {
    const state = sendQuote(withDraft(), { handedOver: 'letter', by: 'alice' }, SENT_AT);
    expect(state.outbox).toEqual([]);
    expect(state.contacts.map((c) => [c.channel, c.note])).toEqual([['letter', 'quotation revision 1 handed over (letter)']]);
  });

  it('every mailed quotation leaves an email entry in the contact log', () => {
    const state = withSent();
    expect(state.outbox).toHaveLength(1);
    expect(state.contacts.map((c) => [c.channel, c.note, c.source])).toEqual([['email', 'quotation revision 1 sent', 'quotation']]);
  });

  it('cancels open tasks when the sale is won', () => {
    const expired = withOpenTask();
    const resent = sendQuote(changeQuote(expired, { note: 'extended', by: 'alice' }, at(21 * DAY)), { by: 'alice' }, at(21 * DAY));
    expect(resent.tasks[0]?.state).toBe('open');
    const won = acceptQuote(resent, { by: 'ada' }, at(22 * DAY));
    expect(won.stage).toBe('won');
    expect(won.tasks[0]).toMatchObject({ id: 'P1-T1', state: 'cancelled', doneAt: at(22 * DAY) });
  });
});

describe('closing as lost', () => {
  it('disqualifying in stage contact closes the prospect as lost with the reason', () => {
    const state = qualify(fresh(), { outcome: 'disqualified', reason: 'no budget', by: 'alice' }, QUALIFIED_AT);
    expect(state.stage).toBe('lost');
    expect(state.lostReason).toBe('disqualified: no budget');
    expect(state.closedAt).toBe(QUALIFIED_AT);
    expect(state.qualification).toMatchObject({ outcome: 'disqualified', reason: 'no budget', decidedBy: 'alice', decidedAt: QUALIFIED_AT });
    expect(state.changes.at(-1)).toEqual({ at: QUALIFIED_AT, by: 'alice', what: 'disqualified: no budget' });
  });

  it('disqualifying in stage qualification closes the prospect as lost too', () => {
    const answered = qualify(fresh(), { answers: { budget: 0 }, by: 'alice' }, at(HOUR));
    const state = qualify(answered, { outcome: 'disqualified', reason: 'no need', by: 'alice' }, at(2 * HOUR));
    expect(state.stage).toBe('lost');
    expect(state.lostReason).toBe('disqualified: no need');
    expect(state.qualification?.answers).toEqual({ budget: 0 });
  });

  it('a disqualification without a reason is refused', () => {
    const message = refusal(fresh(), qualify, { outcome: 'disqualified', by: 'alice' });
    expect(message).toBe('invalid qualification: reason: a disqualification needs a reason');
  });

  it('rejecting the sent quotation closes the prospect as lost', () => {
    const state = rejectQuote(withSent(), { reason: 'too expensive', by: 'ada' }, at(1 * DAY));
    expect(state.stage).toBe('lost');
    expect(state.lostReason).toBe('quotation rejected: too expensive');
    expect(state.closedAt).toBe(at(1 * DAY));
    expect(currentQuote(state)).toMatchObject({ status: 'rejected', reason: 'too expensive', respondedAt: at(1 * DAY) });
    expect(state.changes.at(-1)).toEqual({ at: at(1 * DAY), by: 'ada', what: 'customer rejected revision 1: too expensive' });
  });

  it('a rejection needs a reason', () => {
    expect(refusal(withSent(), rejectQuote, { reason: '   ', by: 'ada' })).toBe('invalid rejection: reason: a reason is required');
  });

  it.each<[string, () => ProspectState]>([
    ['contact', () => fresh()],
    ['qualification', () => qualified()],
    ['inquiry', () => inInquiry()],
    ['quotation', () => withDraft()],
  ])('marks a prospect in stage %s lost with the reason', (stage, build) => {
    const before = build();
    expect(before.stage).toBe(stage);
    const state = markLost(before, { reason: 'went with a competitor', by: 'bob' }, at(7 * DAY));
    expect(state.stage).toBe('lost');
    expect(state.lostReason).toBe('went with a competitor');
    expect(state.closedAt).toBe(at(7 * DAY));
    expect(state.changes.at(-1)).toEqual({ at: at(7 * DAY), by: 'bob', what: 'marked lost: went with a competitor' });
  });

  it('marking lost cancels the open follow-up tasks', () => {
    const state = markLost(withOpenTask(), { reason: 'no answer', by: 'alice' }, at(25 * DAY));
    expect(state.tasks).toHaveLength(1);
    expect(state.tasks[0]).toMatchObject({ state: 'cancelled', doneAt: at(25 * DAY) });
  });

  it('a closed prospect cannot be marked lost', () => {
    const won = acceptQuote(withSent(), { by: 'ada' }, at(DAY));
    expect(refusal(won, markLost, { reason: 'oops', by: 'bob' })).toBe('cannot mark the prospect lost: the prospect is won');
    const lost = markLost(fresh(), { reason: 'spam', by: 'bob' }, at(DAY));
    expect(refusal(lost, markLost, { reason: 'again', by: 'bob' })).toBe('cannot mark the prospect lost: the prospect is lost');
  });

  it('marking lost needs a reason', () => {
    expect(refusal(fresh(), markLost, { by: 'bob' })).toMatch(/^invalid lost: reason: /);
  });
});

describe('commands in the wrong stage are refused with a clear message and change nothing', () => {
  const won = () => acceptQuote(withSent(), { by: 'ada' }, at(DAY));
  const lost = () => markLost(fresh(), { reason: 'spam', by: 'bob' }, at(DAY));
  const answered = () => qualify(fresh(), { answers: { need: 'x' }, by: 'alice' }, QUALIFIED_AT);

  it.each<[string, () => ProspectState, Command, unknown, string]>([
    ['qualify in inquiry', inInquiry, qualify, { outcome: 'qualified' }, 'cannot qualify in stage inquiry (allowed in: contact, qualification)'],
    ['qualify when lost', lost, qualify, { answers: { budget: 1 } }, 'cannot qualify in stage lost (allowed in: contact, qualification)'],
    ['qualify twice', qualified, qualify, { outcome: 'qualified' }, 'cannot qualify: the prospect is already qualified'],
    ['create inquiry in contact', fresh, createInquiry, { items: [{ product: 'A', quantity: 1 }] }, 'cannot create an inquiry in stage contact (allowed in: qualification)'],
    ['create inquiry before the outcome', answered, createInquiry, { items: [{ product: 'A', quantity: 1 }] }, 'cannot create an inquiry: qualify the prospect first'],
    ['create inquiry twice', inInquiry, createInquiry, { items: [{ product: 'A', quantity: 1 }] }, 'cannot create an inquiry in stage inquiry (allowed in: qualification)'],
    ['change inquiry in qualification', qualified, changeInquiry, { items: [{ product: 'A', quantity: 1 }] }, 'cannot change the inquiry in stage qualification (allowed in: inquiry, quotation)'],
    ['create quotation in qualification', qualified, createQuote, { lines: LINES }, 'cannot create a quotation in stage qualification (allowed in: inquiry)'],
    ['create quotation twice', withDraft, createQuote, { lines: LINES }, 'cannot create a quotation in stage quotation (allowed in: inquiry)'],
    ['change quotation in inquiry', inInquiry, changeQuote, { note: 'x' }, 'cannot change the quotation in stage inquiry (allowed in: quotation)'],
    ['send quotation in inquiry', inInquiry, sendQuote, {}, 'cannot send the quotation in stage inquiry (allowed in: quotation)'],
    ['send quotation twice', withSent, sendQuote, {}, 'cannot send revision 1: it is sent, not a draft'],
    ['accept a draft', withDraft, acceptQuote, {}, 'cannot accept the quotation: revision 1 is draft; only a sent quotation can be answered'],
    ['reject a draft', withDraft, rejectQuote, { reason: 'no' }, 'cannot reject the quotation: revision 1 is draft; only a sent quotation can be answered'],
    ['reject in contact', fresh, rejectQuote, { reason: 'no' }, 'cannot reject the quotation in stage contact (allowed in: quotation)'],
    ['accept when won', won, acceptQuote, {}, 'cannot accept the quotation in stage won (allowed in: quotation)'],
    ['change quotation when won', won, changeQuote, { note: 'x' }, 'cannot change the quotation in stage won (allowed in: quotation)'],
    ['accept an expired quotation', withOpenTask, acceptQuote, {}, 'cannot accept the quotation: revision 1 is expired; only a sent quotation can be answered'],
  ])('%s', (_name, build, command, raw, message) => {
    expect(refusal(build(), command, raw)).toBe(message);
  });

  it('the refusal is a DomainError named so', () => {
    try {
      sendQuote(fresh(), {}, CREATED_AT);
      throw new Error('sendQuote should have refused');
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('DomainError');
    }
  });
});

describe('an offer past its validity cannot be answered, even before the expiry timer fired', () => {
  it.each<[string, Command, unknown]>([
    ['accept', acceptQuote, { by: 'ada' }],
    ['reject', rejectQuote, { reason: 'late', by: 'ada' }],
  ])('%s', (verb, command, raw) => {
    const sent = withSent();
    const validTo = sent.quotes[0]!.validTo!;
    expect(() => command(sent, raw, new Date(Date.parse(validTo) + 1).toISOString())).toThrow(
      `cannot ${verb} the quotation: revision 1 expired at ${validTo}`,
    );
  });
});

describe('accepted commands never mutate their input', () => {
  it.each<[string, () => ProspectState, Command, unknown, string?]>([
    ['logContact', fresh, logContact, { channel: 'call', direction: 'inbound' }],
    ['qualify (answers)', fresh, qualify, { answers: { budget: 1 } }],
    ['qualify (disqualify)', fresh, qualify, { outcome: 'disqualified', reason: 'no' }],
    ['createInquiry', qualified, createInquiry, { items: [{ product: 'A', quantity: 1 }] }],
    ['changeInquiry', inInquiry, changeInquiry, { items: [{ product: 'B', quantity: 2 }] }],
    ['createQuote', inInquiry, createQuote, { lines: LINES }],
    ['changeQuote (draft)', withDraft, changeQuote, { note: 'edited' }],
    ['changeQuote (sent)', withSent, changeQuote, { note: 'revised' }],
    ['sendQuote', withDraft, sendQuote, {}],
    ['acceptQuote', withSent, acceptQuote, {}, at(2 * DAY)],
    ['rejectQuote', withSent, rejectQuote, { reason: 'no' }, at(2 * DAY)],
    ['markLost', withOpenTask, markLost, { reason: 'no' }],
    ['completeTask', withOpenTask, completeTask, { taskId: 'P1-T1', outcome: 'called' }],
  ])('%s', (_name, build, command, raw, when = at(25 * DAY)) => {
    const state = build();
    const before = snapshot(state);
    const next = command(state, raw, when);
    expect(next).not.toBe(state);
    expect(snapshot(next)).not.toEqual(before);
    expect(snapshot(state)).toEqual(before);
  });
});

describe('schema errors name the field path and the rule', () => {
  it('names an item by its index', () => {
    const message = refusal(qualified(), createInquiry, { items: [{ product: 'A', quantity: 1 }, { product: 'B', quantity: 1.5 }] });
    expect(message).toBe('invalid inquiry: items[1].quantity: must be a whole number');
  });

  it('names every bad field at once', () => {
    const message = refusal(qualified(), createInquiry, {
      items: [{ product: '', quantity: 0, wantedDeliveryDate: '31.12.2026' }],
    });
    expect(message.startsWith('invalid inquiry: ')).toBe(true);
    const parts = message.slice('invalid inquiry: '.length).split('; ');
    expect(parts).toEqual([
      'items[0].product: must be a product code (letters, digits, . _ / -)',
      'items[0].quantity: must be at least 1',
      'items[0].wantedDeliveryDate: must be a date such as 2026-12-31',
    ]);
  });

  it('refuses an empty inquiry', () => {
    expect(refusal(qualified(), createInquiry, { items: [] })).toBe('invalid inquiry: items: an inquiry needs at least one item');
  });

  it('names the quotation line and field', () => {
    const lines = [LINES[0], { product: 'B', quantity: 0, unitPrice: '1.005' }];
    expect(refusal(inInquiry(), createQuote, { lines })).toBe(
      'invalid quotation: lines[1].quantity: must be at least 1; lines[1].unitPrice: "1.005" is not a price: write digits with at most two decimals, like 1999.90',
    );
  });

  it('refuses an unknown contact channel', () => {
    expect(refusal(fresh(), logContact, { channel: 'fax' })).toMatch(/^invalid contact: channel: /);
  });

  it('refuses a time that is not ISO-8601', () => {
    expect(refusal(fresh(), logContact, { channel: 'call', at: 'yesterday' })).toBe(
      'invalid contact: at: must be an ISO-8601 time such as 2026-11-22T10:00:00Z',
    );
  });

  it('refuses a quotation change that changes nothing', () => {
    expect(refusal(withDraft(), changeQuote, { by: 'alice' })).toBe(
      'invalid quotation change: a change needs new lines, a note or a validity end',
    );
  });

  it('checks the input before the stage, so the message is about the input', () => {
    expect(refusal(fresh(), createQuote, { lines: [] })).toBe('invalid quotation: lines: a quotation needs at least one item');
  });

  it('formatPath writes paths the way people do', () => {
    expect(formatPath(['items', 2, 'quantity'])).toBe('items[2].quantity');
    expect(formatPath(['teams', 0, 'reps', 1, 'email'])).toBe('teams[0].reps[1].email');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath([])).toBe('');
  });

  it('parseOrThrow returns the parsed value with defaults', () => {
    expect(parseOrThrow(LogContactSchema, { channel: 'visit' }, 'contact')).toEqual({
      channel: 'visit',
      direction: 'outbound',
      note: '',
      by: 'unknown',
    });
  });
});

describe('contacts', () => {
  it('logs a contact at the command time by default, or at the time given', () => {
    const s1 = logContact(fresh(), { channel: 'call', direction: 'inbound', note: ' asked for prices ', by: 'alice' }, at(HOUR));
    const s2 = logContact(s1, { channel: 'letter', at: '2026-03-01T08:00:00Z', by: 'bob' }, at(2 * HOUR));
    expect(s2.contacts).toEqual([
      { at: at(HOUR), channel: 'call', direction: 'inbound', note: 'asked for prices', by: 'alice' },
      { at: '2026-03-01T08:00:00Z', channel: 'letter', direction: 'outbound', note: '', by: 'bob' },
    ]);
    expect(s2.changes.slice(1).map((c) => c.what)).toEqual(['logged inbound call', 'logged outbound letter']);
    expect(s2.stage).toBe('contact');
  });

  it('keeps logging contacts after the sale is closed (post-sales care)', () => {
    const won = acceptQuote(withSent(), { by: 'ada' }, at(DAY));
    const state = logContact(won, { channel: 'visit', by: 'alice' }, at(40 * DAY));
    expect(state.stage).toBe('won');
    expect(state.contacts.at(-1)).toMatchObject({ channel: 'visit', at: at(40 * DAY) });
  });
});

describe('inquiry changes', () => {
  it('appends a version and keeps the earlier ones', () => {
    const before = inInquiry();
    const state = changeInquiry(before, { items: [{ product: 'WIDGET-2', quantity: 5 }], note: 'bigger', by: 'bob' }, at(5 * HOUR));
    expect(state.inquiry?.versions).toHaveLength(2);
    expect(state.inquiry?.versions[0]).toEqual(before.inquiry?.versions[0]);
    expect(state.inquiry?.versions[1]).toEqual({
      version: 2,
      items: [{ product: 'WIDGET-2', quantity: 5 }],
      note: 'bigger',
      changedBy: 'bob',
      changedAt: at(5 * HOUR),
    });
    expect(state.stage).toBe('inquiry');
    expect(state.changes.at(-1)?.what).toBe('changed inquiry to version 2');
  });

  it('a quotation refers to the inquiry version current when the revision was made', () => {
    const sent = withSent();
    expect(currentQuote(sent)?.inquiryVersion).toBe(1);
    const changed = changeInquiry(sent, { items: [{ product: 'WIDGET-1', quantity: 4 }], by: 'ada' }, at(DAY));
    expect(changed.stage).toBe('quotation');
    const revised = changeQuote(changed, { note: 'for 4 widgets', by: 'alice' }, at(DAY + HOUR));
    expect(revised.quotes.map((q) => q.inquiryVersion)).toEqual([1, 2]);
  });
});

describe('tasks', () => {
  it('a rep completes an open task with an outcome', () => {
    const state = completeTask(withOpenTask(), { taskId: 'P1-T1', outcome: 'called back', note: 'wants new offer', by: 'alice' }, at(21 * DAY));
    expect(state.tasks[0]).toMatchObject({ state: 'done', doneAt: at(21 * DAY), outcome: 'called back', note: 'wants new offer' });
    expect(state.changes.at(-1)?.what).toBe('completed task P1-T1: called back');
  });

  it('refuses an unknown task and a task already done', () => {
    const open = withOpenTask();
    expect(refusal(open, completeTask, { taskId: 'P1-T9', outcome: 'x' })).toBe('no task P1-T9 on prospect P1');
    const done = completeTask(open, { taskId: 'P1-T1', outcome: 'x' }, at(21 * DAY));
    expect(refusal(done, completeTask, { taskId: 'P1-T1', outcome: 'y' })).toBe('task P1-T1 is already done');
    expect(refusal(open, completeTask, { taskId: 'P1-T1', outcome: ' ' })).toBe('invalid task completion: outcome: an outcome is required');
  });
});

// The fixture times are used across files; keep them in the order the pipeline needs.
test('fixture times are in pipeline order', () => {
  const times = [CREATED_AT, QUALIFIED_AT, INQUIRY_AT, QUOTED_AT, SENT_AT].map(Date.parse);
  expect([...times].sort((a, b) => a - b)).toEqual(times);
});
