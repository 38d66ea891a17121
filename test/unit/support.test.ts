import { answerQuery, runCommand } from '../../domain/pipeline/lifecycle';
import type { ProspectState } from '../../domain/pipeline/prospect';
import { answerSupportQuery, openSupportQuery } from '../../domain/tasks/support';
import { at, FRIDAY, HOUR, lead, MINUTE, refusal, SALES, salesV } from './fixtures3';

const ASKED_AT = at(HOUR); // Monday 10:00
const ANSWERED_AT = at(3 * HOUR);
const ITEMS = [{ product: 'WIDGET-1', quantity: 5, wantedDeliveryDate: '2026-04-01' }];

function asked(base: ProspectState = lead(), topic = 'delivery'): ProspectState {
  return openSupportQuery(base, { topic, question: 'Can you deliver 5 widgets by April?', by: 'reception' }, ASKED_AT);
}

function qualifiedLead(): ProspectState {
  return runCommand('qualify', lead(), { outcome: 'qualified', by: 'alice' }, at(30 * MINUTE));
}

describe('openSupportQuery', () => {
  it('opens a support task for the support team with the answer SLA', () => {
    const state = asked();
    expect(state.supportQueries).toEqual([
      { id: 'P1-Q1', topic: 'delivery', question: 'Can you deliver 5 widgets by April?', openedAt: ASKED_AT, openedBy: 'reception', taskId: 'P1-T2', rep: 'sam' },
    ]);
    expect(state.tasks[1]).toEqual({
      id: 'P1-T2',
      kind: 'support',
      title: "Answer Ada Buyer's query: delivery",
      rep: 'sam',
      dueAt: at(5 * HOUR), // answerWithin 4h
      escalateAt: at(7 * HOUR), // escalateAfter 2h
      state: 'open',
      createdAt: ASKED_AT,
      ref: 'P1-Q1',
    });
  });

  it('mails the support rep and logs the inbound call', () => {
    const state = asked();
    expect(state.outbox[state.outbox.length - 1]).toMatchObject({
      messageId: '<prospect-P1.task-P1-T2@salesflow.invalid>',
      to: 'sam@example.com',
      subject: "New task: Answer Ada Buyer's query: delivery",
    });
    expect(state.contacts).toEqual([
      { at: ASKED_AT, channel: 'call', direction: 'inbound', note: 'query P1-Q1 (delivery): Can you deliver 5 widgets by April?', by: 'reception', source: 'P1-Q1' },
    ]);
    expect(state.changes[state.changes.length - 1]).toEqual({ at: ASKED_AT, by: 'reception', what: 'support query P1-Q1 opened for sam' });
  });

  it('spreads queries over a bigger support team, deterministically and only to its reps', () => {
    const teams = structuredClone(SALES.teams);
    teams[2]!.reps.push({ id: 'sid', email: 'sid@example.com' }, { id: 'syd', email: 'syd@example.com' });
    const process = salesV(1, { teams });
    let state = lead({}, process);
    for (let i = 0; i < 6; i++) state = openSupportQuery(state, { topic: `t${i}`, question: 'q', by: 'x' }, ASKED_AT);
    const reps = state.supportQueries!.map((q) => q.rep);
    expect(reps.every((r) => ['sam', 'sid', 'syd'].includes(r))).toBe(true);
    expect(new Set(reps).size).toBeGreaterThan(1);
    let again = lead({}, process);
    for (let i = 0; i < 6; i++) again = openSupportQuery(again, { topic: `t${i}`, question: 'q', by: 'x' }, ASKED_AT);
    expect(again.supportQueries!.map((q) => q.rep)).toEqual(reps);
    expect(state.supportQueries!.map((q) => q.id)).toEqual(['P1-Q1', 'P1-Q2', 'P1-Q3', 'P1-Q4', 'P1-Q5', 'P1-Q6']);
  });

  it('counts a business-day SLA in business days', () => {
    const state = openSupportQuery(
      lead({}, salesV(1, { support: { team: 'desk', answerWithin: '1bd', escalateAfter: '4h' } }), at(-HOUR, FRIDAY)),
      { topic: 'prices', question: 'q', by: 'x' },
      FRIDAY,
    );
    expect(state.tasks[state.tasks.length - 1]!.dueAt).toBe('2026-03-09T16:30:00.000Z');
  });

  it('a process without support refuses queries', () => {
    const state = lead({}, salesV(2, { support: undefined }));
    expect(refusal(() => asked(state), state)).toBe(`process "sales" v2 has no support team: ops add a support section to the process file (see the README's Process file reference)`);
  });

  it('refuses a query without topic or question', () => {
    const state = lead();
    expect(refusal(() => openSupportQuery(state, { topic: '', question: 'q' }, ASKED_AT), state)).toBe('invalid support query: topic: a topic is required');
    expect(refusal(() => openSupportQuery(state, { topic: 't', question: '  ' }, ASKED_AT), state)).toBe(
      'invalid support query: question: a question is required',
    );
  });
});

describe('answering a query', () => {
  it('records the answer in the contact log and completes the task', () => {
    const state = answerQuery(asked(), { queryId: 'P1-Q1', answer: 'Yes, from stock.', by: 'sam' }, ANSWERED_AT);
    expect(state.supportQueries![0]).toMatchObject({ answeredAt: ANSWERED_AT, answer: 'Yes, from stock.' });
    expect(state.tasks.find((t) => t.id === 'P1-T2')).toMatchObject({ state: 'done', doneAt: ANSWERED_AT, outcome: 'answered' });
    expect(state.contacts.map((c) => c.direction)).toEqual(['inbound', 'outbound']); // the query, then the answer
    expect(state.contacts[state.contacts.length - 1]).toEqual({
      at: ANSWERED_AT,
      channel: 'call',
      direction: 'outbound',
      note: 'answer to P1-Q1: Yes, from stock.',
      by: 'sam',
      source: 'P1-Q1',
    });
    expect(state.changes[state.changes.length - 1]).toEqual({ at: ANSWERED_AT, by: 'sam', what: 'answered support query P1-Q1' });
    expect(state.inquiry).toBeUndefined();
    expect(state.stage).toBe('contact');
  });

  it('refuses answering twice and an unknown query', () => {
    const answered = answerQuery(asked(), { queryId: 'P1-Q1', answer: 'Yes.', by: 'sam' }, ANSWERED_AT);
    expect(refusal(() => answerQuery(answered, { queryId: 'P1-Q1', answer: 'Again.', by: 'sam' }, at(4 * HOUR)), answered)).toBe(
      `query P1-Q1 was already answered at ${ANSWERED_AT}`,
    );
    const state = asked();
    expect(refusal(() => answerSupportQuery(state, { queryId: 'P1-Q7', answer: 'x' }, ANSWERED_AT), state)).toBe('no support query P1-Q7 on prospect P1');
    expect(refusal(() => answerQuery(state, { queryId: 'P1-Q1', answer: '' }, ANSWERED_AT), state)).toBe('invalid support answer: answer: an answer is required');
  });

  it('with inquiry items, creates the inquiry when the prospect is qualified', () => {
    const state = runCommand('answerSupportQuery', asked(qualifiedLead()), { queryId: 'P1-Q1', answer: 'We will quote.', inquiryItems: ITEMS, by: 'sam' }, ANSWERED_AT);
    expect(state.supportQueries![0]!.answeredAt).toBe(ANSWERED_AT);
    expect(state.stage).toBe('inquiry');
    expect(state.inquiry?.versions).toEqual([{ version: 1, items: ITEMS, note: 'from support query P1-Q1', changedBy: 'sam', changedAt: ANSWERED_AT }]);
    // Entering the inquiry stage brings its template tasks, as any other way in does.
    expect(state.tasks[state.tasks.length - 1]).toMatchObject({ kind: 'demo', title: 'Product demonstration for Acme', createdAt: ANSWERED_AT });
  });

  it('with inquiry items, changes an existing inquiry into a new version', () => {
    const inInquiry = runCommand('createInquiry', qualifiedLead(), { items: [{ product: 'WIDGET-1', quantity: 1 }], by: 'alice' }, at(45 * MINUTE));
    const state = answerQuery(asked(inInquiry), { queryId: 'P1-Q1', answer: 'Updated.', inquiryItems: ITEMS, by: 'sam' }, ANSWERED_AT);
    expect(state.inquiry?.versions.map((v) => [v.version, v.items[0]!.quantity, v.note])).toEqual([
      [1, 1, ''],
      [2, 5, 'from support query P1-Q1'],
    ]);
    expect(state.supportQueries![0]!.answer).toBe('Updated.');
  });

  it('with inquiry items, is refused as a whole when the prospect is not qualified', () => {
    const state = asked();
    expect(refusal(() => answerQuery(state, { queryId: 'P1-Q1', answer: 'We will quote.', inquiryItems: ITEMS, by: 'sam' }, ANSWERED_AT), state)).toBe(
      'cannot create an inquiry in stage contact (allowed in: qualification)',
    );
    // Answers recorded but no decision yet: still not qualified.
    const undecided = asked(runCommand('qualify', lead(), { answers: { budget: 100 }, by: 'alice' }, at(30 * MINUTE)));
    expect(undecided.stage).toBe('qualification');
    expect(refusal(() => answerQuery(undecided, { queryId: 'P1-Q1', answer: 'x', inquiryItems: ITEMS, by: 'sam' }, ANSWERED_AT), undecided)).toBe(
      'cannot create an inquiry: qualify the prospect first',
    );
  });

  it('refuses bad inquiry items before anything is recorded', () => {
    const state = asked(qualifiedLead());
    expect(refusal(() => answerQuery(state, { queryId: 'P1-Q1', answer: 'x', inquiryItems: [] }, ANSWERED_AT), state)).toBe(
      'invalid support answer: inquiryItems: an inquiry needs at least one item',
    );
  });
});
