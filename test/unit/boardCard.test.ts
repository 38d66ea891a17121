import { boardCard } from '../../server/boardRoutes';
import { runCommand } from '../../domain/pipeline/lifecycle';
import { applyDueDeadlines } from '../../domain/pipeline/deadlines';
import { DAY, SENT_AT, withDraft, withSent, at } from './fixtures';

/** What the board card says a quotation is worth: only while it can be, or was, won. */
test("a card counts a draft, sent or accepted quotation's net value; a rejected or expired one counts nothing", () => {
  const now = Date.parse(SENT_AT);
  const draft = withDraft();
  const sent = withSent();
  const net = sent.quotes[0]!.totals.netCents;
  expect(net).toBeGreaterThan(0);
  expect(boardCard(draft, now).valueCents).toBe(net);
  expect(boardCard(sent, now).valueCents).toBe(net);
  expect(boardCard(runCommand('acceptQuote', sent, { by: 'alice' }, at(5 * DAY)), now)).toMatchObject({ stage: 'won', valueCents: net });
  expect(boardCard(runCommand('rejectQuote', sent, { reason: 'too dear', by: 'alice' }, at(5 * DAY)), now).valueCents).toBeUndefined();
  // Past its validity the quotation expires: still in the quotation stage, but worth nothing on the board.
  const expired = applyDueDeadlines(sent, at(400 * DAY));
  expect(expired.quotes[0]!.status).toBe('expired');
  expect(boardCard(expired, Date.parse(at(400 * DAY)))).toMatchObject({ stage: 'quotation' });
  expect(boardCard(expired, Date.parse(at(400 * DAY))).valueCents).toBeUndefined();
});

/** An escalated quotation stays marked escalated on the board once it has expired, as the prospect page shows it. */
test('a card keeps the escalated mark of a quotation that expired after it escalated', () => {
  const sent = withSent();
  // The process escalates an unanswered quotation after 5 days; it is valid for 10.
  const escalated = applyDueDeadlines(sent, at(6 * DAY));
  expect(escalated.quotes[0]).toMatchObject({ status: 'sent', escalatedAt: expect.any(String) });
  expect(boardCard(escalated, Date.parse(at(6 * DAY))).marks).toContain('escalated');
  const expired = applyDueDeadlines(escalated, at(30 * DAY));
  expect(expired.quotes[0]).toMatchObject({ status: 'expired', escalatedAt: expect.any(String) });
  expect(boardCard(expired, Date.parse(at(30 * DAY))).marks).toContain('escalated');
  // Not escalated (yet): no such mark.
  expect(boardCard(applyDueDeadlines(sent, at(1 * DAY)), Date.parse(at(1 * DAY))).marks).not.toContain('escalated');
});
