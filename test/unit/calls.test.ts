import { cancelCall, completeCall, rescheduleCall, scheduleCall } from '../../domain/tasks/calls';
import { logContact, markLost, runCommand } from '../../domain/pipeline/lifecycle';
import type { OutboundMail, ProspectState } from '../../domain/pipeline/prospect';
import { applyTaskChange } from '../../domain/tasks/tasks';
import { DomainError } from '../../domain/shared/errors';
import { at, DAY, HOUR, icsProp, lead, MINUTE, refusal, SALES, snapshot, unfoldedLines } from './fixtures3';

const NOW = at(HOUR); // Monday 10:00
const CALL_AT = '2026-03-04T14:00:00.000Z'; // Wednesday
const MOVED_AT = '2026-03-06T15:00:00.000Z'; // Friday
// How mails show those times (the process names no zone: UTC).
const CALL_AT_TEXT = 'Wed 4 Mar 2026, 14:00 UTC';
const MOVED_AT_TEXT = 'Fri 6 Mar 2026, 15:00 UTC';
const UID = 'P1-C1@salesflow.invalid';

function scheduled(base: ProspectState = lead(), extra: Record<string, unknown> = {}): ProspectState {
  return scheduleCall(base, { at: CALL_AT, by: 'alice', ...extra }, NOW);
}

function lastMail(state: ProspectState): OutboundMail {
  return state.outbox[state.outbox.length - 1]!;
}

function ics(mail: OutboundMail): string {
  expect(mail.calendar).toBeDefined();
  return mail.calendar!.content;
}

describe('scheduleCall', () => {
  it('books the call with the process default length', () => {
    const state = scheduled();
    expect(state.calls).toEqual([{ id: 'P1-C1', at: CALL_AT, durationMs: 30 * MINUTE, status: 'scheduled', sequence: 0, taskId: 'P1-T2' }]);
    expect(state.changes[state.changes.length - 1]).toEqual({ at: NOW, by: 'alice', what: `scheduled call P1-C1 at ${CALL_AT}` });
  });

  it('creates a call task for the rep, due at the end of the call, escalating by the call policy', () => {
    const task = scheduled().tasks.find((t) => t.id === 'P1-T2')!;
    expect(task).toEqual({
      id: 'P1-T2',
      kind: 'call',
      title: `Call Ada Buyer (Acme) at ${CALL_AT}`,
      rep: 'alice',
      dueAt: '2026-03-04T14:30:00.000Z',
      escalateAt: '2026-03-05T14:30:00.000Z', // calls.escalateAfter 1bd
      state: 'open',
      createdAt: NOW,
      ref: 'P1-C1',
    });
  });

  it('queues the task mail and a REQUEST invitation to the contact and the rep', () => {
    const state = scheduled();
    expect(state.outbox.map((m) => m.messageId)).toEqual([
      '<prospect-P1.task-P1-T1@salesflow.invalid>',
      '<prospect-P1.task-P1-T2@salesflow.invalid>',
      '<prospect-P1.call-P1-C1-s0@salesflow.invalid>',
    ]);
    const mail = lastMail(state);
    expect(mail).toMatchObject({
      to: 'ada@acme.example',
      cc: 'alice@example.com',
      subject: `Invitation: Call: Acme / Alice Rep at ${CALL_AT_TEXT}`,
      text: `Invitation for a call on ${CALL_AT_TEXT} (30 min).`,
      calendar: { method: 'REQUEST' },
    });
    const content = ics(mail);
    expect(icsProp(content, 'METHOD')).toBe('REQUEST');
    expect(icsProp(content, 'UID')).toBe(UID);
    expect(icsProp(content, 'SEQUENCE')).toBe('0');
    expect(icsProp(content, 'DTSTART')).toBe('20260304T140000Z');
    expect(icsProp(content, 'DTEND')).toBe('20260304T143000Z');
    expect(icsProp(content, 'DTSTAMP')).toBe('20260302T100000Z');
    expect(icsProp(content, 'DESCRIPTION')).toBe('salesflow call P1-C1 with Ada Buyer (+49 30 1234)');
    const attendees = unfoldedLines(content).filter((l) => l.startsWith('ATTENDEE'));
    expect(attendees.map((l) => l.slice(l.indexOf('mailto:') + 7))).toEqual(['alice@example.com', 'ada@acme.example']);
    expect(unfoldedLines(content)).toContain('ORGANIZER;CN="Alice Rep":mailto:alice@example.com');
  });

  it('takes a duration', () => {
    const state = scheduled(lead(), { duration: '45m' });
    expect(state.calls![0]!.durationMs).toBe(45 * MINUTE);
    expect(icsProp(ics(lastMail(state)), 'DTEND')).toBe('20260304T144500Z');
  });

  it('without a contact email the invitation goes to the rep alone', () => {
    const mail = lastMail(scheduled(lead({ email: undefined })));
    expect(mail.to).toBe('alice@example.com');
    expect(mail.cc).toBeUndefined();
    expect(unfoldedLines(ics(mail)).filter((l) => l.startsWith('ATTENDEE'))).toHaveLength(1);
  });

  it('a second call gets the next id', () => {
    const state = scheduleCall(scheduled(), { at: MOVED_AT, by: 'alice' }, NOW);
    expect(state.calls!.map((c) => [c.id, c.taskId])).toEqual([
      ['P1-C1', 'P1-T2'],
      ['P1-C2', 'P1-T3'],
    ]);
    expect(icsProp(ics(lastMail(state)), 'UID')).toBe('P1-C2@salesflow.invalid');
  });

  it('refuses a time in the past or now, a bad time, and a lost prospect', () => {
    const state = lead();
    expect(refusal(() => scheduleCall(state, { at: at(30 * MINUTE), by: 'alice' }, NOW), state)).toBe(`cannot schedule a call in the past (${at(30 * MINUTE)})`);
    expect(refusal(() => scheduleCall(state, { at: NOW, by: 'alice' }, NOW), state)).toBe(`cannot schedule a call in the past (${NOW})`);
    expect(refusal(() => scheduleCall(state, { at: 'tomorrow', by: 'alice' }, NOW), state)).toBe(
      'invalid call: at: must be an ISO-8601 time such as 2026-11-22T10:00:00Z',
    );
    const lost = markLost(state, { reason: 'no budget', by: 'alice' }, NOW);
    expect(refusal(() => scheduleCall(lost, { at: CALL_AT, by: 'alice' }, NOW), lost)).toBe('cannot schedule a call: the prospect is lost');
  });
});

describe('rescheduleCall', () => {
  const LATER = at(2 * HOUR);

  it('moves the call, bumps SEQUENCE and sends an updated REQUEST with the same UID', () => {
    const state = rescheduleCall(scheduled(), { callId: 'P1-C1', at: MOVED_AT, by: 'alice' }, LATER);
    expect(state.calls![0]).toMatchObject({ at: MOVED_AT, sequence: 1, status: 'scheduled', durationMs: 30 * MINUTE });
    const mail = lastMail(state);
    expect(mail.messageId).toBe('<prospect-P1.call-P1-C1-s1@salesflow.invalid>');
    expect(mail.subject).toBe(`Updated invitation: Call: Acme / Alice Rep at ${MOVED_AT_TEXT}`);
    const content = ics(mail);
    expect(icsProp(content, 'METHOD')).toBe('REQUEST');
    expect(icsProp(content, 'UID')).toBe(UID);
    expect(icsProp(content, 'SEQUENCE')).toBe('1');
    expect(icsProp(content, 'DTSTART')).toBe('20260306T150000Z');
    expect(state.changes[state.changes.length - 1]).toEqual({ at: LATER, by: 'alice', what: `moved call P1-C1 to ${MOVED_AT}` });
    // Its task names the new time: a rep reading the old one would call at the wrong hour.
    expect(state.tasks.find((t) => t.id === state.calls![0]!.taskId)!.title).toBe(`Call Ada Buyer (Acme) at ${MOVED_AT}`);
  });

  it("with a seller, the update reaches the customer as the invitation did: from the rep on the seller's address, greeted, replies tagged", () => {
    const seller = { legalName: 'Pumpen Nord GmbH', address: 'Kai 1', email: 'sales@pumpen.example', mailSignature: 'Pumpen Nord GmbH · Kai 1' };
    const withSeller = lead({}, { ...SALES, seller });
    const first = lastMail(scheduled(withSeller));
    const moved = lastMail(rescheduleCall(scheduled(withSeller), { callId: 'P1-C1', at: MOVED_AT, by: 'alice' }, LATER));
    const cancelled = lastMail(cancelCall(scheduled(withSeller), { callId: 'P1-C1', by: 'alice' }, LATER));
    for (const mail of [moved, cancelled]) {
      expect({ from: mail.from, replyTag: mail.replyTag }).toEqual({ from: first.from, replyTag: first.replyTag });
      expect(mail.text.split('\n')[0]).toBe(`Dear ${withSeller.info.name},`);
      expect(mail.text).toContain('Pumpen Nord GmbH · Kai 1');
    }
    expect(moved.text).toContain(`Our call is moved to ${MOVED_AT_TEXT} (30 min)`);
    expect(cancelled.text).toContain('is cancelled');
  });

  it('moves the call task due and keeps its escalation gap, reopening an overdue task', () => {
    const overdue = applyTaskChange(scheduled(), { taskId: 'P1-T2', state: 'overdue', at: LATER, notified: 'alice' });
    const state = rescheduleCall(overdue, { callId: 'P1-C1', at: MOVED_AT, duration: '1h', by: 'alice' }, LATER);
    expect(state.tasks.find((t) => t.id === 'P1-T2')).toMatchObject({
      state: 'open',
      dueAt: '2026-03-06T16:00:00.000Z',
      escalateAt: '2026-03-07T16:00:00.000Z', // the 1-day gap the task had (Wed 14:30 → Thu 14:30)
    });
    expect(state.calls![0]!.durationMs).toBe(HOUR);
  });

  it('each reschedule bumps the sequence again', () => {
    const once = rescheduleCall(scheduled(), { callId: 'P1-C1', at: MOVED_AT, by: 'alice' }, LATER);
    const twice = rescheduleCall(once, { callId: 'P1-C1', at: CALL_AT, by: 'alice' }, LATER);
    expect(twice.calls![0]!.sequence).toBe(2);
    expect(icsProp(ics(lastMail(twice)), 'SEQUENCE')).toBe('2');
  });

  it('refuses the past, an unknown call and a call that is no longer scheduled', () => {
    const state = scheduled();
    expect(refusal(() => rescheduleCall(state, { callId: 'P1-C1', at: NOW, by: 'alice' }, LATER), state)).toBe(`cannot move a call into the past (${NOW})`);
    expect(refusal(() => rescheduleCall(state, { callId: 'P1-C9', at: MOVED_AT, by: 'alice' }, LATER), state)).toBe('no call P1-C9 on prospect P1');
    const cancelled = cancelCall(state, { callId: 'P1-C1', by: 'alice' }, LATER);
    expect(refusal(() => rescheduleCall(cancelled, { callId: 'P1-C1', at: MOVED_AT, by: 'alice' }, LATER), cancelled)).toBe(
      'call P1-C1 is already cancelled',
    );
  });
});

describe('cancelCall', () => {
  const LATER = at(2 * HOUR);

  it('sends METHOD:CANCEL with the same UID and a higher SEQUENCE, and cancels the task', () => {
    const moved = rescheduleCall(scheduled(), { callId: 'P1-C1', at: MOVED_AT, by: 'alice' }, LATER);
    const state = cancelCall(moved, { callId: 'P1-C1', reason: 'customer asked', by: 'alice' }, LATER);
    expect(state.calls![0]).toMatchObject({ status: 'cancelled', sequence: 2 });
    expect(state.tasks.find((t) => t.id === 'P1-T2')).toMatchObject({ state: 'cancelled', doneAt: LATER });
    const mail = lastMail(state);
    expect(mail).toMatchObject({
      messageId: '<prospect-P1.call-P1-C1-s2@salesflow.invalid>',
      subject: `Cancelled: Call: Acme / Alice Rep at ${MOVED_AT_TEXT}`,
      calendar: { method: 'CANCEL' },
    });
    const content = ics(mail);
    expect(icsProp(content, 'METHOD')).toBe('CANCEL');
    expect(icsProp(content, 'STATUS')).toBe('CANCELLED');
    expect(icsProp(content, 'UID')).toBe(UID);
    expect(icsProp(content, 'SEQUENCE')).toBe('2');
    expect(state.changes[state.changes.length - 1]!.what).toBe('cancelled call P1-C1: customer asked');
  });

  it('refuses an unknown call and a second cancellation', () => {
    const state = scheduled();
    expect(refusal(() => cancelCall(state, { callId: 'nope', by: 'alice' }, LATER), state)).toBe('no call nope on prospect P1');
    const cancelled = cancelCall(state, { callId: 'P1-C1', by: 'alice' }, LATER);
    expect(refusal(() => cancelCall(cancelled, { callId: 'P1-C1', by: 'alice' }, LATER), cancelled)).toBe('call P1-C1 is already cancelled');
  });
});

describe('completeCall', () => {
  const AFTER = '2026-03-04T14:40:00.000Z';

  it('lands in the contact log at the call time and completes the task', () => {
    const state = completeCall(scheduled(), { callId: 'P1-C1', outcome: 'interested', note: 'wants a demo', by: 'alice' }, AFTER);
    expect(state.calls![0]).toMatchObject({ status: 'done', outcome: 'interested', note: 'wants a demo' });
    expect(state.contacts[state.contacts.length - 1]).toEqual({
      at: CALL_AT,
      channel: 'call',
      direction: 'outbound',
      note: 'interested: wants a demo',
      by: 'alice',
      source: 'P1-C1',
    });
    expect(state.tasks.find((t) => t.id === 'P1-T2')).toMatchObject({ state: 'done', doneAt: AFTER, outcome: 'interested' });
    expect(state.changes[state.changes.length - 1]!.what).toBe('call P1-C1 done: interested');
    // No further mail: completing a call sends nothing.
    expect(state.outbox).toEqual(scheduled().outbox);
  });

  it('keeps the earlier contacts', () => {
    const logged = logContact(lead(), { channel: 'email', note: 'sent brochure', by: 'alice' }, at(30 * MINUTE));
    const state = completeCall(scheduled(logged), { callId: 'P1-C1', outcome: 'ok', by: 'alice' }, AFTER);
    expect(state.contacts.map((c) => [c.channel, c.note])).toEqual([
      ['email', 'sent brochure'],
      ['call', 'ok'],
    ]);
  });

  it('refuses an unknown call, a call already done and a missing outcome', () => {
    const state = scheduled();
    expect(refusal(() => completeCall(state, { callId: 'P1-C2', outcome: 'x', by: 'alice' }, AFTER), state)).toBe('no call P1-C2 on prospect P1');
    expect(refusal(() => completeCall(state, { callId: 'P1-C1', outcome: ' ', by: 'alice' }, AFTER), state)).toBe('invalid call result: outcome: an outcome is required');
    const done = completeCall(state, { callId: 'P1-C1', outcome: 'ok', by: 'alice' }, AFTER);
    expect(refusal(() => completeCall(done, { callId: 'P1-C1', outcome: 'again', by: 'alice' }, AFTER), done)).toBe('call P1-C1 is already done');
  });

  it('works through runCommand, the way the workflow runs it', () => {
    const state = runCommand('completeCall', runCommand('scheduleCall', lead(), { at: CALL_AT, by: 'alice' }, NOW), { callId: 'P1-C1', outcome: 'ok', by: 'alice' }, AFTER);
    expect(state.contacts.map((c) => c.source)).toEqual(['P1-C1']);
    expect(snapshot(state.calls)).toEqual([expect.objectContaining({ status: 'done' })]);
    expect(state.tasks.find((t) => t.id === 'P1-T2')!.escalateAt).toBe(at(3 * DAY + 5 * HOUR + 30 * MINUTE));
  });
});

test('a call cannot be marked done before it started; the rule is named', () => {
  const state = scheduleCall(lead(), { at: CALL_AT, by: 'alice' }, NOW);
  const early = new Date(Date.parse(CALL_AT) - 3_600_000).toISOString();
  expect(() => completeCall(state, { callId: 'P1-C1', outcome: 'reached early', by: 'alice' }, early)).toThrow(
    new DomainError(`cannot mark call P1-C1 done before it started at ${CALL_AT} (rule: a call is done after its start; reschedule it if it moved)`),
  );
  // At its start time it may be marked done.
  expect(completeCall(state, { callId: 'P1-C1', outcome: 'ok', by: 'alice' }, CALL_AT).calls?.[0]?.status).toBe('done');
});

test('under recorded rules an early completion applies as before: logged at the time it was marked', () => {
  const state = scheduleCall(lead(), { at: CALL_AT, by: 'alice' }, NOW);
  const early = new Date(Date.parse(CALL_AT) - 3_600_000).toISOString();
  const done = completeCall(state, { callId: 'P1-C1', outcome: 'reached early', by: 'alice' }, early, 'recorded');
  expect(done.contacts[done.contacts.length - 1]).toMatchObject({ at: early, source: 'P1-C1' });
});

test('a call longer than the process allows is refused: 10 hours by default, calls.maxDuration otherwise', () => {
  expect(() => scheduleCall(lead(), { at: CALL_AT, duration: '10h1m', by: 'alice' }, NOW)).toThrow(
    new DomainError('invalid call: duration: a call of 10h1m is longer than 10h (rule: a call lasts at most calls.maxDuration of process "sales")'),
  );
  expect(scheduleCall(lead(), { at: CALL_AT, duration: '10h', by: 'alice' }, NOW).calls?.[0]?.durationMs).toBe(36_000_000);
  const short = lead({}, { ...SALES, calls: { maxDuration: '2h' } });
  expect(() => scheduleCall(short, { at: CALL_AT, duration: '3h', by: 'alice' }, NOW)).toThrow(/longer than 2h/);
  const booked = scheduleCall(lead(), { at: CALL_AT, by: 'alice' }, NOW);
  expect(() => rescheduleCall(booked, { callId: 'P1-C1', at: CALL_AT, duration: '3d', by: 'alice' }, NOW)).toThrow(/a call of 3d is longer than 10h/);
});
