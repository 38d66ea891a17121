import { applyDueDeadlines, applyDueDeadlinesLegacy, customerResponded, nextDeadlineAt, nextDueAt, pendingDeadlines } from '../../domain/pipeline/deadlines';
import { acceptQuote, changeQuote, completeTask, currentQuote, logContact, sendQuote } from '../../domain/pipeline/lifecycle';
import type { ProspectState } from '../../domain/pipeline/prospect';
import { at, DAY, fresh, HOUR, INFO, inInquiry, MINUTE, qualified, SENT_AT, snapshot, withDraft, withSent } from './fixtures';
import { formatTime } from '../../domain/shared/timeZone';

// The fixture process: staleAfter 2d, escalateAfter 5d, validity 10d, followUpDueIn 1d.
const SENT = Date.parse(SENT_AT);
const STALE = SENT + 2 * DAY;
const ESCALATE = SENT + 5 * DAY;
const EXPIRE = SENT + 10 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

const SENT_ID = '<prospect-P1.quote-r1-sent@salesflow.invalid>';
const REMINDER_ID = '<prospect-P1.quote-r1-reminder@salesflow.invalid>';
const ESCALATION_ID = '<prospect-P1.quote-r1-escalation@salesflow.invalid>';
const TASK_ID = '<prospect-P1.task-P1-T1@salesflow.invalid>';

/** A sent quotation whose reminder has gone out. */
function reminded(): ProspectState {
  return applyDueDeadlines(withSent(), iso(STALE));
}

describe('pendingDeadlines and nextDueAt', () => {
  it('nothing is due before a quotation is sent', () => {
    for (const state of [fresh(), inInquiry(), withDraft()]) {
      expect(pendingDeadlines(state)).toEqual([]);
      expect(nextDueAt(state)).toBeUndefined();
    }
  });

  it('a sent quotation has a reminder, an escalation and an expiry, earliest first', () => {
    expect(pendingDeadlines(withSent())).toEqual([
      { kind: 'quote_stale', at: STALE, revision: 1 },
      { kind: 'quote_escalate', at: ESCALATE, revision: 1 },
      { kind: 'quote_expire', at: EXPIRE, revision: 1 },
    ]);
    expect(nextDueAt(withSent())).toBe(STALE);
  });

  it('counts from the requested validity end when one was given', () => {
    const validTo = at(4 * HOUR + 3 * DAY);
    const state = withSent(withDraft(inInquiry(), { validTo }));
    expect(pendingDeadlines(state).map((d) => [d.kind, d.at])).toEqual([
      ['quote_stale', STALE],
      ['quote_expire', Date.parse(validTo)],
      ['quote_escalate', ESCALATE],
    ]);
  });

  it('an answered, lost or won quotation has no deadlines', () => {
    const won = acceptQuote(withSent(), { by: 'ada' }, at(DAY));
    expect(pendingDeadlines(won)).toEqual([]);
    expect(nextDueAt(won)).toBeUndefined();
  });

  it('a superseded quotation has no deadlines while its successor is a draft', () => {
    const changed = changeQuote(withSent(), { note: 'v2', by: 'alice' }, at(DAY));
    expect(pendingDeadlines(changed)).toEqual([]);
    expect(nextDueAt(changed)).toBeUndefined();
    // Nothing fires for the superseded revision, however late.
    expect(applyDueDeadlines(changed, iso(EXPIRE + DAY))).toBe(changed);
  });

  it('the next revision counts from its own sending', () => {
    const changed = changeQuote(withSent(), { note: 'v2', by: 'alice' }, at(DAY));
    const resent = sendQuote(changed, { by: 'alice' }, at(DAY + HOUR));
    const sent2 = Date.parse(at(DAY + HOUR));
    expect(pendingDeadlines(resent)).toEqual([
      { kind: 'quote_stale', at: sent2 + 2 * DAY, revision: 2 },
      { kind: 'quote_escalate', at: sent2 + 5 * DAY, revision: 2 },
      { kind: 'quote_expire', at: sent2 + 10 * DAY, revision: 2 },
    ]);
  });
});

describe('applyDueDeadlines', () => {
  it('does nothing before the first deadline', () => {
    const state = withSent();
    const after = applyDueDeadlines(state, iso(STALE - 1));
    expect(after).toBe(state);
    expect(after.outbox.map((m) => m.messageId)).toEqual([SENT_ID]);
  });

  it('reminds the rep when the quotation is stale', () => {
    const state = withSent();
    const before = snapshot(state);
    const now = iso(STALE);
    const after = applyDueDeadlines(state, now);

    expect(snapshot(state)).toEqual(before);
    expect(currentQuote(after)).toMatchObject({ status: 'sent', remindedAt: now });
    expect(currentQuote(after)?.escalatedAt).toBeUndefined();
    expect(after.outbox.map((m) => m.messageId)).toEqual([SENT_ID, REMINDER_ID]);
    expect(after.outbox[1]).toMatchObject({
      to: 'alice@example.com',
      subject: 'Reminder: quotation P1-1 to Ada Buyer (Acme) has no response',
    });
    expect(after.outbox[1]?.text).toContain(`sent to Ada Buyer (Acme) on ${formatTime(SENT_AT)}`);
    expect(after.escalations).toEqual([{ at: now, dueAt: now, kind: 'quote_reminder', quoteRevision: 1, to: 'alice' }]);
    expect(after.changes.at(-1)).toEqual({ at: now, by: 'system', what: 'reminded alice: revision 1 is stale' });
    expect(pendingDeadlines(after).map((d) => d.kind)).toEqual(['quote_escalate', 'quote_expire']);
    expect(nextDueAt(after)).toBe(ESCALATE);
  });

  it('reminds only once', () => {
    const once = reminded();
    expect(applyDueDeadlines(once, iso(STALE + HOUR))).toBe(once);
    expect(once.outbox.filter((m) => m.messageId === REMINDER_ID)).toHaveLength(1);
  });

  it('escalates to the team manager, copying the rep, when still unanswered', () => {
    const now = iso(ESCALATE);
    const after = applyDueDeadlines(reminded(), now);
    expect(currentQuote(after)).toMatchObject({ status: 'sent', remindedAt: iso(STALE), escalatedAt: now });
    expect(after.outbox.map((m) => m.messageId)).toEqual([SENT_ID, REMINDER_ID, ESCALATION_ID]);
    expect(after.outbox[2]).toMatchObject({
      to: 'mia@example.com',
      cc: 'alice@example.com',
      subject: 'Escalation: quotation P1-1 to Ada Buyer (Acme) is stale',
    });
    expect(after.outbox[2]?.text).toContain(`It is valid until ${formatTime(iso(EXPIRE))}.`);
    expect(after.escalations.map((e) => [e.kind, e.to])).toEqual([
      ['quote_reminder', 'alice'],
      ['quote_escalation', 'mia'],
    ]);
    expect(after.changes.at(-1)?.what).toBe('escalated revision 1 to mia');
    expect(pendingDeadlines(after)).toEqual([{ kind: 'quote_expire', at: EXPIRE, revision: 1 }]);
    expect(nextDueAt(after)).toBe(EXPIRE);
  });

  it('escalates to the manager of the rep\'s own team', () => {
    const carols = withSent(withDraft(inInquiry(qualified(fresh({ ...INFO, rep: 'carol' })))));
    const after = applyDueDeadlines(applyDueDeadlines(carols, iso(STALE)), iso(ESCALATE));
    expect(after.outbox.map((m) => m.to)).toEqual(['ada@acme.example', 'carol@example.com', 'sam@example.com']);
    expect(after.outbox.at(-1)).toMatchObject({ to: 'sam@example.com', cc: 'carol@example.com' });
    expect(after.escalations.at(-1)).toMatchObject({ kind: 'quote_escalation', to: 'sam' });
  });

  it('expires the quotation at validTo and gives the rep a follow-up task', () => {
    const escalated = applyDueDeadlines(reminded(), iso(ESCALATE));
    const now = iso(EXPIRE);
    const after = applyDueDeadlines(escalated, now);

    expect(currentQuote(after)?.status).toBe('expired');
    expect(after.stage).toBe('quotation');
    expect(after.tasks).toHaveLength(1);
    expect(after.tasks[0]).toMatchObject({
      id: 'P1-T1',
      kind: 'follow_up',
      title: 'Follow up on expired quotation Q-P1-1',
      rep: 'alice',
      dueAt: iso(EXPIRE + DAY),
      state: 'open',
      createdAt: now,
    });
    expect(after.nextTaskNo).toBe(2);
    expect(after.outbox.map((m) => m.messageId)).toEqual([SENT_ID, REMINDER_ID, ESCALATION_ID, TASK_ID]);
    expect(after.outbox[3]).toMatchObject({ to: 'alice@example.com', subject: 'New task: Follow up on expired quotation Q-P1-1' });
    expect(after.outbox[3]?.text).toContain('Task id: P1-T1');
    expect(after.escalations.at(-1)).toEqual({ at: now, dueAt: now, kind: 'quote_expired', quoteRevision: 1, to: 'alice' });
    const logged = after.changes.slice(escalated.changes.length);
    expect(logged.every((c) => c.at === now && c.by === 'system')).toBe(true);
    expect(logged.map((c) => c.what).join('\n')).toMatch(/revision 1 expired/);
    expect(pendingDeadlines(after)).toEqual([]);
  });

  it('after expiry the next due time is the follow-up task, and nothing once it is done', () => {
    const expired = applyDueDeadlines(withSent(), iso(EXPIRE));
    expect(nextDueAt(expired)).toBe(EXPIRE + DAY);
    const done = completeTask(expired, { taskId: 'P1-T1', outcome: 'called' }, iso(EXPIRE + HOUR));
    expect(nextDueAt(done)).toBeUndefined();
  });

  it('numbers follow-up tasks across revisions', () => {
    const firstExpiry = applyDueDeadlines(withSent(), iso(EXPIRE));
    const resent = sendQuote(changeQuote(firstExpiry, { note: 'v2', by: 'alice' }, iso(EXPIRE + HOUR)), { by: 'alice' }, iso(EXPIRE + HOUR));
    const secondExpiry = applyDueDeadlines(resent, iso(EXPIRE + HOUR + 10 * DAY));
    expect(secondExpiry.tasks.map((t) => [t.id, t.title])).toEqual([
      ['P1-T1', 'Follow up on expired quotation Q-P1-1'],
      ['P1-T2', 'Follow up on expired quotation Q-P1-2'],
    ]);
    expect(secondExpiry.outbox.at(-1)?.messageId).toBe('<prospect-P1.task-P1-T2@salesflow.invalid>');
  });

  it('a reminder and an escalation missed before the expiry are recorded as skipped, in order, with the reason', () => {
    const applied = iso(EXPIRE + HOUR);
    const after = applyDueDeadlines(withSent(), applied);
    expect(currentQuote(after)?.status).toBe('expired');
    expect(currentQuote(after)?.remindedAt).toBeUndefined();
    expect(currentQuote(after)?.escalatedAt).toBeUndefined();
    // No mail chases an offer the customer can no longer accept.
    expect(after.outbox.map((m) => m.messageId)).toEqual([SENT_ID, TASK_ID]);
    expect(after.escalations.map((e) => [e.kind, e.dueAt, e.at, e.skipped !== undefined])).toEqual([
      ['quote_reminder', iso(STALE), applied, true],
      ['quote_escalation', iso(ESCALATE), applied, true],
      ['quote_expired', iso(EXPIRE), applied, false],
    ]);
    expect(after.escalations[1]?.skipped).toBe(`the quotation expired at ${iso(EXPIRE)} before it could be sent`);
    expect(after.changes.slice(-4).map((c) => c.what)).toEqual([
      `skipped the reminder of revision 1 due ${iso(STALE)}: the quotation expired at ${iso(EXPIRE)} before it could be sent`,
      `skipped the escalation of revision 1 due ${iso(ESCALATE)}: the quotation expired at ${iso(EXPIRE)} before it could be sent`,
      `task P1-T1 for alice: Follow up on expired quotation Q-P1-1 (due ${iso(EXPIRE + HOUR + DAY)})`,
      `revision 1 expired (due ${iso(EXPIRE)})`,
    ]);
    expect(after.tasks).toHaveLength(1);
  });

  it('an expiry falling at the same moment as the reminder skips the reminder', () => {
    const validTo = iso(STALE);
    const state = withSent(withDraft(inInquiry(), { validTo }));
    const after = applyDueDeadlines(state, validTo);
    expect(currentQuote(after)?.status).toBe('expired');
    expect(after.outbox.map((m) => m.messageId)).toEqual([SENT_ID, TASK_ID]);
    expect(after.escalations.map((e) => [e.kind, e.skipped !== undefined])).toEqual([
      ['quote_reminder', true],
      ['quote_expired', false],
    ]);
  });

  it('a reminder or escalation due after the validity end never comes', () => {
    const validTo = at(4 * HOUR + 3 * DAY);
    const state = withSent(withDraft(inInquiry(), { validTo }));
    const after = applyDueDeadlines(state, iso(ESCALATE + DAY));
    expect(after.escalations.map((e) => e.kind)).toEqual(['quote_reminder', 'quote_expired']);
  });

  it('after expiry nothing more fires for that revision', () => {
    const expired = applyDueDeadlines(withSent(), iso(EXPIRE));
    expect(applyDueDeadlines(expired, iso(EXPIRE + 30 * DAY))).toBe(expired);
  });

  it('is deterministic: the same state and time give the same mails and Message-IDs', () => {
    const a = applyDueDeadlines(applyDueDeadlines(withSent(), iso(STALE)), iso(EXPIRE));
    const b = applyDueDeadlines(applyDueDeadlines(withSent(), iso(STALE)), iso(EXPIRE));
    expect(a).toEqual(b);
    expect(a.outbox.map((m) => m.messageId)).toEqual([SENT_ID, REMINDER_ID, TASK_ID]);
  });
});

describe('a customer response stops the reminders', () => {
  it('an inbound contact after sending stops reminder and escalation but not expiry', () => {
    const answered = logContact(withSent(), { channel: 'call', direction: 'inbound', note: 'thinking about it' }, iso(SENT + HOUR));
    expect(customerResponded(answered, currentQuote(answered)!)).toBe(true);
    expect(pendingDeadlines(answered)).toEqual([{ kind: 'quote_expire', at: EXPIRE, revision: 1 }]);
    expect(nextDueAt(answered)).toBe(EXPIRE);

    const later = applyDueDeadlines(answered, iso(ESCALATE + HOUR));
    expect(later).toBe(answered);
    expect(later.escalations).toEqual([]);

    const expired = applyDueDeadlines(answered, iso(EXPIRE));
    expect(currentQuote(expired)?.status).toBe('expired');
    expect(expired.outbox.map((m) => m.messageId)).toEqual([SENT_ID, TASK_ID]);
  });

  it('a response after the reminder stops the escalation', () => {
    const answered = logContact(reminded(), { channel: 'email', direction: 'inbound' }, iso(STALE + HOUR));
    expect(pendingDeadlines(answered).map((d) => d.kind)).toEqual(['quote_expire']);
    expect(applyDueDeadlines(answered, iso(ESCALATE))).toBe(answered);
  });

  it('outbound contacts do not count as a response', () => {
    const called = logContact(withSent(), { channel: 'call', direction: 'outbound' }, iso(SENT + HOUR));
    expect(customerResponded(called, currentQuote(called)!)).toBe(false);
    expect(pendingDeadlines(called).map((d) => d.kind)).toEqual(['quote_stale', 'quote_escalate', 'quote_expire']);
  });

  it('an inbound contact from before the sending does not count', () => {
    const early = logContact(withDraft(), { channel: 'call', direction: 'inbound', at: iso(SENT - 30 * MINUTE) }, iso(SENT - 30 * MINUTE));
    const sent = withSent(early);
    expect(customerResponded(sent, currentQuote(sent)!)).toBe(false);
    const after = applyDueDeadlines(sent, iso(STALE));
    expect(after.outbox.map((m) => m.messageId)).toEqual([SENT_ID, REMINDER_ID]);
  });

  it('an unsent quotation has no response to wait for', () => {
    const draft = withDraft();
    expect(customerResponded(draft, currentQuote(draft)!)).toBe(false);
  });
});

describe('late wake-ups', () => {
  it('a reminder and an escalation missed while the worker was away are both applied, in order, each with its due time', () => {
    const applied = iso(ESCALATE + HOUR);
    const late = applyDueDeadlines(withSent(), applied);
    expect(late.outbox.map((m) => m.messageId)).toEqual([SENT_ID, REMINDER_ID, ESCALATION_ID]);
    expect(late.escalations.map((e) => [e.kind, e.dueAt, e.at, e.skipped])).toEqual([
      ['quote_reminder', iso(STALE), applied, undefined],
      ['quote_escalation', iso(ESCALATE), applied, undefined],
    ]);
    expect(currentQuote(late)).toMatchObject({ status: 'sent', remindedAt: applied, escalatedAt: applied });
    // Nothing is left to apply for those two; the expiry is still to come.
    expect(applyDueDeadlines(late, applied)).toBe(late);
    expect(nextDeadlineAt(late)).toBe(EXPIRE);
  });

  it('the rule recorded before (only the most severe) is kept for old histories', () => {
    const late = applyDueDeadlinesLegacy(withSent(), iso(ESCALATE + HOUR));
    expect(late.outbox.map((m) => m.messageId)).toEqual([SENT_ID, ESCALATION_ID]);
    expect(late.escalations.map((e) => e.kind)).toEqual(['quote_escalation']);
  });

  it('the workflow wakes only for quotation deadlines; a past-due task does not keep it busy', () => {
    const expired = applyDueDeadlines(withSent(), iso(EXPIRE));
    const task = expired.tasks[0]!;
    expect(nextDueAt(expired)).toBe(Date.parse(task.dueAt));
    expect(nextDeadlineAt(expired)).toBeUndefined();
    expect(nextDeadlineAt(withSent())).toBe(STALE);
  });
});
