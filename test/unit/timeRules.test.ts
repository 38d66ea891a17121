import { DomainError } from '../../domain/shared/errors';
import { answerQuery, changeInquiry, createInquiry, logContact, runCommand } from '../../domain/pipeline/lifecycle';
import { CONTACT_CLOCK_SKEW_MS } from '../../domain/pipeline/timeRules';
import { at, fresh, HOUR, inInquiry, INQUIRY_AT, MINUTE, qualified, snapshot } from './fixtures';

// INQUIRY_AT is 2026-03-02T11:00Z.

describe('wanted delivery dates', () => {
  it('refuses a date before the day of the command, naming the item and the rule', () => {
    const state = qualified();
    const before = snapshot(state);
    expect(() =>
      createInquiry(state, { items: [{ product: 'A', quantity: 1, wantedDeliveryDate: '2026-03-05' }, { product: 'B', quantity: 1, wantedDeliveryDate: '2026-03-01' }], by: 'alice' }, INQUIRY_AT),
    ).toThrow(new DomainError('invalid inquiry: items[1].wantedDeliveryDate: 2026-03-01 (B) is in the past (rule: a wanted delivery date is today, 2026-03-02, or later)'));
    expect(snapshot(state)).toEqual(before);
  });

  it('takes today and later', () => {
    const state = createInquiry(qualified(), { items: [{ product: 'A', quantity: 1, wantedDeliveryDate: '2026-03-02' }], by: 'alice' }, INQUIRY_AT);
    expect(state.inquiry?.versions[0]?.items[0]?.wantedDeliveryDate).toBe('2026-03-02');
  });

  it('applies to inquiry changes too, counted from the time of the change', () => {
    const state = inInquiry();
    expect(() => changeInquiry(state, { items: [{ product: 'A', quantity: 1, wantedDeliveryDate: '2026-03-09' }], by: 'alice' }, '2026-03-10T08:00:00.000Z')).toThrow(
      /wantedDeliveryDate: 2026-03-09 \(A\) is in the past/,
    );
  });

  it('under recorded rules (a handler replaying an older command) a past date still applies', () => {
    const state = createInquiry(qualified(), { items: [{ product: 'A', quantity: 1, wantedDeliveryDate: '2020-01-01' }], by: 'alice' }, INQUIRY_AT, 'recorded');
    expect(state.inquiry?.versions[0]?.items[0]?.wantedDeliveryDate).toBe('2020-01-01');
  });
});

describe('contacts are logged when they happened', () => {
  const now = at(HOUR);

  it('refuses a contact more than 5 minutes in the future', () => {
    const future = new Date(Date.parse(now) + CONTACT_CLOCK_SKEW_MS + 1000).toISOString();
    expect(() => logContact(fresh(), { channel: 'call', at: future, by: 'alice' }, now)).toThrow(
      new DomainError(`invalid contact: at: ${future} is in the future (rule: a contact is logged when it has happened; at most 5 minutes of clock skew)`),
    );
  });

  it('allows 5 minutes of clock skew, and any past time', () => {
    const skewed = new Date(Date.parse(now) + 5 * MINUTE).toISOString();
    expect(logContact(fresh(), { channel: 'call', at: skewed, by: 'alice' }, now).contacts[0]?.at).toBe(skewed);
    expect(logContact(fresh(), { channel: 'visit', at: '2025-12-01T10:00:00Z', by: 'alice' }, now).contacts[0]?.at).toBe('2025-12-01T10:00:00Z');
  });

  it('runCommand applies the rule the workflow validator applies', () => {
    expect(() => runCommand('logContact', fresh(), { channel: 'call', at: '2027-01-01T00:00:00Z', by: 'alice' }, now)).toThrow(/is in the future/);
    expect(runCommand('logContact', fresh(), { channel: 'call', at: '2027-01-01T00:00:00Z', by: 'alice' }, now, 'recorded').contacts).toHaveLength(1);
  });
});

describe('support answers that make an inquiry', () => {
  it('refuse past delivery dates as well', () => {
    const process = {
      name: 'p',
      teams: [
        { name: 'sales', manager: { id: 'maria', email: 'maria@example.com' }, reps: [{ id: 'alice', email: 'alice@example.com' }] },
        { name: 'desk', manager: { id: 'dora', email: 'dora@example.com' }, reps: [{ id: 'sam', email: 'sam@example.com' }] },
      ],
      quotePolicy: { validity: '10d', staleAfter: '2d', escalateAfter: '5d' },
      support: { team: 'desk', answerWithin: '4h', escalateAfter: '1d' },
    };
    const lead = runCommand('qualify', fresh(undefined, process), { outcome: 'qualified', by: 'alice' }, at(HOUR));
    const asked = runCommand('openSupportQuery', lead, { topic: 'dates', question: 'by when?', by: 'alice' }, at(2 * HOUR));
    expect(() => answerQuery(asked, { queryId: 'P1-Q1', answer: 'soon', inquiryItems: [{ product: 'A', quantity: 1, wantedDeliveryDate: '2026-02-01' }], by: 'sam' }, at(3 * HOUR))).toThrow(
      /wantedDeliveryDate: 2026-02-01 \(A\) is in the past/,
    );
  });
});
