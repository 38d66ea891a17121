import { parseCampaignDefinition } from '../../domain/campaign/campaign';
import { cronProblem } from '../../domain/campaign/cron';
import { DomainError } from '../../domain/shared/errors';
import { scheduleRefusal } from '../../client/campaign/campaignClient';

test('a cron expression Temporal takes passes: five fields, names, ranges, lists, steps', () => {
  for (const ok of ['0 9 * * MON', '*/15 8-17 * * MON-FRI', '0 9 1,15 JAN-MAR *', '30 6 * * 0', '0 9 * * 5#L']) expect([ok, cronProblem(ok)]).toEqual([ok, undefined]);
});

test('a bad cron expression is refused naming the field and its range', () => {
  expect(cronProblem('61 9 * * MON')).toBe('"61 9 * * MON": minute 61 is not in 0-59');
  expect(cronProblem('0 25 * * *')).toBe('"0 25 * * *": hour 25 is not in 0-23');
  expect(cronProblem('0 9 * * FOO')).toMatch(/^"0 9 \* \* FOO": day of week "FOO" is not a number, a range, a list, a step or a name/);
  expect(cronProblem('0 9 * *')).toBe('"0 9 * *" has 4 fields; a cron expression has 5: minute hour day-of-month month day-of-week, e.g. "0 9 * * MON"');
  // Seconds and Quartz's L, W and ? are croner's, not Temporal's.
  expect(cronProblem('0 0 9 * * MON')).toMatch(/has 6 fields/);
  expect(cronProblem('0 9 L * *')).toMatch(/day of month "L" is not/);
  expect(cronProblem('0 9 15W * *')).toMatch(/day of month "15W" is not/);
});

test('the campaign schema refuses a bad cron at its own entry', () => {
  const definition = { id: 'c', name: 'C', template: { subject: 's', text: 't' }, audience: { prospects: ['p'] }, schedule: { cron: ['0 9 * * MON', '61 9 * * MON'] } };
  let refused: unknown;
  try {
    parseCampaignDefinition(definition);
  } catch (err) {
    refused = err;
  }
  expect(refused).toBeInstanceOf(DomainError);
  expect((refused as DomainError).issues).toEqual([{ path: ['schedule', 'cron', 1], message: '"61 9 * * MON": minute 61 is not in 0-59' }]);
});

test("Temporal's INVALID_ARGUMENT is a refusal with its reason; an outage is not", () => {
  const invalid = Object.assign(new Error('3 INVALID_ARGUMENT: Invalid schedule spec: Minute is not in range [0-59]'), { code: 3, details: 'Invalid schedule spec: Minute is not in range [0-59]' });
  const refusal = scheduleRefusal(new Error('Failed to create schedule', { cause: invalid }));
  expect(refusal?.message).toBe('Temporal refused the schedule: Invalid schedule spec: Minute is not in range [0-59]');
  expect(scheduleRefusal(new Error('Failed to create schedule', { cause: Object.assign(new Error('14 UNAVAILABLE'), { code: 14 }) }))).toBeUndefined();
});
