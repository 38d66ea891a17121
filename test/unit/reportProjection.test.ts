import { runCommand, newProspect, type CommandName } from '../../domain/pipeline/lifecycle';
import type { ProspectState } from '../../domain/pipeline/prospect';
import { applyTaskChange } from '../../domain/tasks/tasks';
import { applyDueDeadlines } from '../../domain/pipeline/deadlines';
import { ProcessDefinitionSchema } from '../../domain/process/process';
import { projectProspect, type ReportEvent } from '../../domain/reporting/projection';
import { periodOf, REPORTS, reportColumns, reportRows, type AnyReport, type ReportName } from '../../domain/reporting/reports';
import { at, DAY, HOUR, INFO, LINES, PROCESS } from './fixtures';

/** A prospect driven through the lifecycle as the workflow runs it, keeping every state. */
function drive(steps: [CommandName, unknown, string][], process = PROCESS): ProspectState[] {
  const states = [newProspect(INFO, { ...process, tasks: { contact: [{ kind: 'call', title: 'Call', due: '1d', escalateAfter: '1d' }] } }, at(0))];
  for (const [name, cmd, when] of steps) states.push(runCommand(name, states[states.length - 1]!, cmd, when));
  return states;
}

const path: [CommandName, unknown, string][] = [
  ['qualify', { outcome: 'qualified', answers: {}, by: 'alice' }, at(1 * HOUR)],
  ['createInquiry', { items: [{ product: 'WIDGET-1', quantity: 3 }], by: 'alice' }, at(2 * HOUR)],
  ['createQuote', { lines: LINES, by: 'alice' }, at(3 * HOUR)],
  ['sendQuote', { by: 'alice' }, at(4 * HOUR)],
  ['changeQuote', { lines: [{ product: 'WIDGET-1', quantity: 3, unitPrice: '20' }], by: 'alice' }, at(5 * HOUR)],
  ['sendQuote', { by: 'alice' }, at(6 * HOUR)],
  ['rejectQuote', { reason: 'too dear', by: 'alice' }, at(1 * DAY)],
];

test('the stage log, quotation revisions and the close become keyed events; the snapshot is what the prospect is now', () => {
  const states = drive(path);
  const final = states[states.length - 1]!;
  expect(final.stages?.map((s) => s.stage)).toEqual(['contact', 'qualification', 'inquiry', 'quotation', 'lost']);
  const { workflowId, snapshot, events } = projectProspect(final);
  expect(workflowId).toBe('prospect-P1');
  const byKind = (kind: string) => events.filter((e) => e.kind === kind);
  expect(byKind('stage').map((e) => [e.seq, e.stage, e.reason])).toEqual([
    [0, 'contact', undefined],
    [1, 'qualification', undefined],
    [2, 'inquiry', undefined],
    [3, 'quotation', undefined],
    [4, 'lost', 'quotation rejected: too dear'],
  ]);
  // Revision 1 was sent and superseded (never answered); revision 2 was sent and rejected.
  expect(byKind('quote_sent').map((e) => [e.quoteRevision, e.valueCents])).toEqual([
    [1, 30_397],
    [2, 6_000],
  ]);
  expect(byKind('quote_superseded').map((e) => [e.quoteRevision, e.at])).toEqual([[1, at(5 * HOUR)]]);
  expect(byKind('quote_rejected')).toEqual([expect.objectContaining({ quoteRevision: 2, reason: 'too dear', ms: 1 * DAY - 6 * HOUR })]);
  expect(byKind('task_cancelled')).toHaveLength(1);
  expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
  expect(snapshot).toMatchObject({ stage: 'lost', lostReason: 'quotation rejected: too dear', probability: 0, category: null, team: 'north', valueCents: 6_000, closedAt: at(1 * DAY) });
  expect(snapshot.reached).toEqual(['contact', 'qualification', 'inquiry', 'quotation', 'lost']);
  expect(snapshot.stageMs).toEqual({ contact: 1 * HOUR, qualification: 1 * HOUR, inquiry: 1 * HOUR, quotation: 1 * DAY - 3 * HOUR });
});

test('the forecast category follows the quotation: draft best case, sent commit, expired back in the pipeline with no expected close, its value on the expiry', () => {
  const states = drive(path.slice(0, 4));
  const [draft, sent] = [states[3]!, states[4]!];
  expect(projectProspect(draft).snapshot).toMatchObject({ stage: 'quotation', category: 'best_case' });
  const validTo = sent.quotes[0]!.validTo!;
  expect(projectProspect(sent).snapshot).toMatchObject({ category: 'commit', expectedClose: validTo });
  const expired = applyDueDeadlines(sent, new Date(Date.parse(validTo) + HOUR).toISOString());
  expect(expired.quotes[0]!.status).toBe('expired');
  expect(projectProspect(expired).snapshot).toMatchObject({ stage: 'quotation', category: 'pipeline', expectedClose: null });
  // The expiry carries the revision's value, as an answer does: what ran out unanswered.
  expect(projectProspect(expired).events.find((e) => e.kind === 'quote_expired')).toMatchObject({ quoteRevision: 1, valueCents: sent.quotes[0]!.totals.netCents });
  expect(projectProspect(expired).events.find((e) => e.kind === 'quote_reminder')?.valueCents).toBeUndefined();
  const rows = reportRows('quotes', { filter: {}, sent: 1, sentValueCents: 100, accepted: 0, acceptedValueCents: 0, rejected: 0, rejectedValueCents: 0, expired: 1, expiredValueCents: 100, superseded: 0, timeToAnswer: { count: 0, minMs: null, p25Ms: null, medianMs: null, p75Ms: null, p90Ms: null, maxMs: null, avgMs: null }, stale: { count: 0, share: 0 }, escalated: { count: 0, share: 0 } } as never);
  expect(rows.find((r) => r.measure === 'expired')).toEqual({ measure: 'expired', count: 1, value: '1.00' });
});

test('live equals rebuilt: an event never changes once projected, so the events of every intermediate state are those of the final state', () => {
  let states = drive(path.slice(0, 4));
  // The call task goes overdue, then escalates to the manager; then the quotation is answered.
  let s = states[states.length - 1]!;
  const task = s.tasks[0]!;
  s = applyTaskChange(s, { taskId: task.id, state: 'overdue', at: at(1 * DAY) });
  const overdue = s;
  s = applyTaskChange(s, { taskId: task.id, state: 'escalated', at: at(2 * DAY) });
  states = [...states, overdue, s, runCommand('acceptQuote', s, { by: 'alice' }, at(3 * DAY))];
  const live = new Map<number, ReportEvent>();
  for (const state of states) for (const e of projectProspect(state).events) if (!live.has(e.seq)) live.set(e.seq, e);
  const rebuilt = projectProspect(states[states.length - 1]!).events;
  expect([...live.values()].sort((a, b) => a.seq - b.seq)).toEqual([...rebuilt].sort((a, b) => a.seq - b.seq));
  expect(rebuilt.filter((e) => e.taskId === task.id).map((e) => [e.kind, e.rep])).toEqual([
    ['task_overdue', 'alice'],
    ['task_escalated', 'mia'],
    ['task_created', undefined],
    ['task_cancelled', 'alice'],
  ]);
  const won = rebuilt.find((e) => e.kind === 'stage' && e.stage === 'won');
  expect(won?.valueCents).toBe(30_397);
});

test('a prospect begun before the stage log gets its stages from its record', () => {
  const states = drive(path.slice(0, 3));
  const { stages: _dropped, ...legacy } = states[states.length - 1]!;
  const events = projectProspect(legacy as ProspectState).events.filter((e) => e.kind === 'stage');
  expect(events.map((e) => [e.stage, e.at])).toEqual([
    ['contact', at(0)],
    ['qualification', at(1 * HOUR)],
    ['inquiry', at(2 * HOUR)],
    ['quotation', at(3 * HOUR)],
  ]);
});

test('stage probabilities come from the process definition, with defaults, and weight the snapshot', () => {
  const parsed = ProcessDefinitionSchema.parse({ ...PROCESS, stageProbabilities: { quotation: 0.4 } });
  expect(parsed.stageProbabilities).toEqual({ contact: 0.05, qualification: 0.15, inquiry: 0.3, quotation: 0.4 });
  expect(ProcessDefinitionSchema.safeParse({ ...PROCESS, stageProbabilities: { inquiry: 1.5 } }).error?.issues[0]).toMatchObject({ path: ['stageProbabilities', 'inquiry'] });
  const states = drive(path.slice(0, 4), { ...PROCESS, stageProbabilities: { quotation: 0.4 } } as typeof PROCESS);
  expect(projectProspect(states[states.length - 1]!).snapshot).toMatchObject({ stage: 'quotation', probability: 0.4, category: 'commit', expectedClose: at(4 * HOUR + 10 * DAY) });
});

test('a period is half-open whole UTC days, defaults to the last 90 days with today (the forecast: ahead), and an empty one is refused', () => {
  expect(periodOf({ from: '2026-01-01', to: '2026-02-01' }, 0)).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' });
  // Times round out to their days: from down, to up.
  expect(periodOf({ from: '2026-01-01T13:00:00Z', to: '2026-02-01T00:00:01Z' }, 0)).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' });
  // By default `to` is the end of today, even at its first instant, and `from` 90 days before it.
  expect(periodOf({}, Date.parse('2026-04-01T00:00:00Z'))).toEqual({ from: '2026-01-02T00:00:00.000Z', to: '2026-04-02T00:00:00.000Z' });
  expect(() => periodOf({ from: '2026-02-01', to: '2026-02-01' }, 0)).toThrow(/period is empty/);
  // The forecast looks ahead: from the same 90 days' start to the start of the month six months on.
  const mid = Date.parse('2026-11-23T15:00:00Z');
  expect(periodOf({}, mid, 'forecast')).toEqual({ from: '2026-08-26T00:00:00.000Z', to: '2027-05-01T00:00:00.000Z' });
  expect(periodOf({ from: '2026-11-01' }, mid, 'forecast')).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2027-05-01T00:00:00.000Z' });
  // A period it is given is kept, and the other reports still end with today: 90 whole days,
  // as the dashboard's "Last 90 days" (web/src/ui/period.ts: today and the 89 days before).
  expect(periodOf({ to: '2027-01-01' }, mid, 'forecast')).toEqual({ from: '2026-10-03T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
  const funnel = periodOf({}, mid, 'funnel');
  expect(funnel).toEqual({ from: '2026-08-26T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z' });
  expect((Date.parse(funnel.to) - Date.parse(funnel.from)) / 86_400_000).toBe(90);
  // A `to` given within a day still counts back 90 days from the end of that day.
  expect(periodOf({ to: '2026-11-23T15:00:00Z' }, 0)).toEqual(funnel);
  expect(reportRows('campaigns', { filter: { from: '', to: '' }, campaigns: [{ campaign: 'x', mailed: 1, bounced: 1, unsubscribed: 0, replied: 0, leads: 2, converted: 1 }] })).toEqual([
    { campaign: 'x', mailed: 1, bounced: 1, unsubscribed: 0, replied: 0, leads: 2, converted: 1 },
  ]);
});

test("each report's CSV columns are its rows' keys, in order, so an empty report's CSV has the same header", () => {
  const counts = { count: 1, valueCents: 100 };
  const spread = { count: 1, minMs: 1, q1Ms: 1, medianMs: 1, q3Ms: 1, p90Ms: 1, maxMs: 1, avgMs: 1 };
  const one: Record<ReportName, unknown> = {
    funnel: { stages: [{ stage: 'contact', entered: 1, next: 'qualification', converted: 1, conversion: 1 }], timeInStage: [{ stage: 'contact', ...spread }] },
    forecast: { months: [{ month: '2026-11', category: 'commit', count: 1, valueCents: 100, weightedCents: 50 }] },
    quotes: { sent: 1, sentValueCents: 1, accepted: 0, acceptedValueCents: 0, rejected: 0, rejectedValueCents: 0, expired: 0, expiredValueCents: 0, superseded: 0, timeToAnswer: spread, stale: { count: 0 }, escalated: { count: 0 } },
    activity: { reps: [{ rep: 'alice', contacts: { visit: 1, call: 0, letter: 0, direct_mail: 0, email: 0, web: 0, total: 1 }, tasksDone: 1, tasksOnTime: 1, slaCompliance: 1, overdue: 0, escalated: 0 }] },
    campaigns: { campaigns: [{ campaign: 'x', mailed: 1, bounced: 0, unsubscribed: 0, replied: 0, leads: 0, converted: 0 }] },
    postsales: { renewals: { due: counts, renewed: counts, lapsed: counts }, recurring: { customers: 1, activeContracts: 1, recurringCents: 1, annualRecurringCents: 1 }, referrals: { given: 1, won: counts, lost: 0 } },
  };
  for (const name of REPORTS) {
    const rows = reportRows(name, { filter: { from: '', to: '' }, ...(one[name] as object) } as AnyReport);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect([name, Object.keys(row)]).toEqual([name, reportColumns(name)]);
  }
});

test("a customer's mail or quotation-page question is a contact without a rep; a rep's own contact keeps its author", () => {
  const states = drive([
    ['logContact', { channel: 'call', direction: 'inbound', note: 'called in', by: 'alice' }, at(1 * HOUR)],
    ['customerMessage', { channel: 'email', note: 'any news?', from: 'Kim <kim@example.com>', messageId: '<m1@example.com>', by: 'inbound mail' }, at(2 * HOUR)],
    ['customerMessage', { channel: 'web', note: 'delivery?', from: 'Kim', by: 'customer (quotation page)' }, at(3 * HOUR)],
  ]);
  const contacts = projectProspect(states[states.length - 1]!).events.filter((e) => e.kind === 'contact');
  expect(contacts.map((e) => [e.channel, e.direction, e.rep])).toEqual([
    ['call', 'inbound', 'alice'],
    ['email', 'inbound', undefined],
    ['web', 'inbound', undefined],
  ]);
});
