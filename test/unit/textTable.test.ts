import { textTable } from '../../client/shared/textTable';
import { renderCustomerList, renderRenewals } from '../../client/customer/render';
import { table } from '../../client/reporting/commands';

test('columns are as wide as their widest cell, numbers right-aligned, no trailing blanks', () => {
  const out = textTable(
    ['TASK', 'DUE', 'VALUE', 'TITLE'],
    [
      ['t-1', 'today', '3,000.00', 'Call Ada'],
      ['task-22', 'tomorrow', '12.50', ''],
    ],
  );
  expect(out.split('\n')).toEqual(['TASK     DUE          VALUE  TITLE', 't-1      today     3,000.00  Call Ada', 'task-22  tomorrow     12.50']);
});

test('a rule under the header on request; a column with text in it stays left-aligned', () => {
  expect(textTable(['A', 'B'], [['1', 'x'], ['-', '22']], { rule: true }).split('\n')).toEqual(['A  B', '-  --', '1  x', '-  22']);
});

test('the customer list and the renewals print a header row', () => {
  const customers = renderCustomerList([{ id: 'acme', name: 'Acme Ltd', owner: 'alice', nextDue: '2026-12-01T09:00:00Z', nextRenewal: undefined }] as never, 'UTC');
  expect(customers.split('\n')[0]).toMatch(/^CUSTOMER  OWNER  NEXT REMINDER +NEXT RENEWAL  NAME$/);
  expect(customers.split('\n')[1]).toMatch(/^acme {6}alice  Tue 1 Dec 2026, 09:00 UTC  -  +Acme Ltd$/);
  expect(renderCustomerList([], 'UTC')).toBe('no customers');
  const renewals = renderRenewals(
    [{ end: '2026-12-31T00:00:00Z', customerId: 'acme', contractId: 'K1', kind: 'contract', product: 'SERVICE', valueCents: 60_000, currency: 'EUR', status: 'active', autoRenew: true }] as never,
    'UTC',
  );
  expect(renewals.split('\n')[0]).toMatch(/^ENDS +CUSTOMER +CONTRACT +WHAT +VALUE +STATUS +RENEWAL QUOTATION$/);
  expect(renewals.split('\n')[1]).toMatch(/ acme +K1 +contract SERVICE +600\.00 EUR +active \(auto-renews\)$/);
});

test("the reports' table keeps its rule, and a column of rates none of which can be computed ('-') stays right-aligned", () => {
  expect(table([{ rep: 'alice', won: 3, rate: null }]).split('\n')).toEqual(['rep    won  rate', '-----  ---  ----', 'alice    3     -']);
});
