import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCliStack } from '../helpers/cli';
import { eventually } from '../helpers/eventually';

/**
 * The README's after-the-sale walk-through with the built bin, on examples/process-fast.yaml
 * (second-scale post-sales durations): the won deal becomes a customer with an onboarding
 * task; within a minute a check-in, a renewal reminder and a renewal quotation; a referral
 * added from the customer appears as a prospect with its source and, won, credits the
 * referrer; a post-sales support query shows the profile.
 */
const FAST = join(__dirname, '..', '..', 'examples', 'process-fast.yaml');
const cli = useCliStack();
const salesflow = cli.salesflow;
const run = Date.now().toString(36);

async function ok(...args: string[]): Promise<string> {
  const out = await salesflow(...args);
  if (out.code !== 0) throw new Error(`salesflow ${args.join(' ')}: ${out.stderr}`);
  return out.stdout;
}

async function win(id: string, company: string, product: string, price: string) {
  await ok('create', id, '--name', `Buyer ${id}`, '--company', company, '--email', `${id}@customer.test`, '--rep', 'alice', '--process', FAST);
  await ok('contact', id, '--channel', 'visit', '--note', 'they run old pumps for decades #repair-over-replace');
  await ok('qualify', id, '--outcome', 'qualified');
  await ok('inquiry', 'create', id, '--item', 'PUMP-X:1', '--item', `${product}:1`);
  await ok('quote', 'create', id, '--price', 'PUMP-X=2000', '--price', `${product}=${price}`);
  await ok('quote', 'send', id);
  await ok('quote', 'accept', id);
}

test('after the sale on the fast process: customer, cadence, renewal quotation, referral credited, support with the profile', async () => {
  const customer = `omega-${run}`;
  await win(`o1-${run}`, `Omega ${run}`, 'SERVICE', '600');

  const page = await eventually(async () => {
    const shown = JSON.parse(await ok('customer', 'show', customer, '--json'));
    const kinds = shown.tasks.map((t: { kind: string }) => t.kind);
    expect(kinds).toEqual(expect.arrayContaining(['onboarding', 'check_in', 'renewal']));
    return shown;
  }, 60_000, 1_000);
  expect(page.contracts[0].renewalQuote).toMatchObject({ number: `${customer}-K1-T2`, status: 'draft', netCents: 60_000 });
  // The won prospect names its account; its id where the account's is wanted, the refusal names it too.
  expect(await ok('show', `o1-${run}`)).toContain(`\n  customer: ${customer}\n`);
  expect(await salesflow('customer', 'show', `o1-${run}`)).toMatchObject({ code: 1, stderr: `salesflow: no customer "o1-${run}": "o1-${run}" is a prospect, whose deal is on customer "${customer}"\n` });
  const text = await ok('customer', 'show', customer);
  expect(text).toContain(`Omega ${run} (${customer})  owner alice`);
  expect(text).toMatch(new RegExp(`renewal quotation ${customer}-K1-T2 \\(draft\\) 600\\.00 EUR`));
  expect(text).toContain('prefers: repair over replace');
  const list = (await ok('customer', 'list')).split('\n');
  expect(list[0]).toMatch(/^CUSTOMER +OWNER +NEXT REMINDER +NEXT RENEWAL +NAME$/);
  expect(list.find((l) => l.startsWith(customer))).toMatch(new RegExp(`^${customer} +alice +\\S.* +Omega ${run}$`));
  // --search: every word of the name or id, any case.
  const found = JSON.parse(await ok('customer', 'list', '--search', `OMEGA ${run}`, '--json')) as { id: string }[];
  expect(found.map((c) => c.id)).toEqual([customer]);
  expect(await ok('customer', 'list', '--search', `omega ${run} nobody`)).toBe('no customers\n');
  const renewals = (await ok('renewals', '--within', '1h')).split('\n');
  expect(renewals[0]).toMatch(/^ENDS +CUSTOMER +CONTRACT +WHAT +VALUE +STATUS +RENEWAL QUOTATION$/);
  expect(renewals.find((l) => l.includes(customer))).toMatch(new RegExp(` ${customer} +K1 +contract SERVICE +600\\.00 EUR +active +${customer}-K1-T2 \\(draft\\)$`));
  // A contact logged with the account names it and counts the account's contacts; --all prints the whole kept history.
  expect(await ok('customer', 'contact', customer, '--channel', 'call', '--note', 'quarterly call')).toBe(`logged outbound call: quarterly call (customer ${customer}, 1 contact logged)\n`);
  const history = (await ok('customer', 'show', customer, '--all')).split(/\nHistory[^\n]*\n/)[1]!;
  expect(history).toMatch(/logged outbound call: quarterly call/);
  // Renewed before its end; the same command again (a second click) is refused until term 2 begins.
  expect(await ok('customer', 'renew', customer, 'K1')).toMatch(/K1 renewed.*term 2 runs to/);
  const again = await salesflow('customer', 'renew', customer, 'K1');
  expect(again).toMatchObject({ code: 1, stdout: '' });
  expect(again.stderr).toMatch(/^salesflow: .*K1 is already renewed: term 2 runs from .+ to .+; renew it again once that term has begun\n$/);
  expect(JSON.parse(await ok('customer', 'show', customer, '--json')).contracts[0]).toMatchObject({ id: 'K1', term: 2 });

  // A post-sales telephone query shows support the profile and what it suggests.
  // The account's id without --customer: the refusal says what it is.
  expect(await salesflow('support', 'query', customer, '--topic', 'pump leaks', '--question', 'The PUMP-X leaks')).toMatchObject({
    code: 1,
    stderr: `salesflow: no prospect "${customer}": "${customer}" is a customer account, not a prospect (a support query on an account takes --customer)\n`,
  });
  const query = await ok('support', 'query', customer, '--customer', '--topic', 'pump leaks', '--question', 'The PUMP-X leaks', '--product', 'PUMP-X');
  expect(query).toContain(`opened query ${customer}-S1`);
  expect(query).toContain('suggested: repair — the customer prefers "repair over replace"');
  expect(query).toContain('installed: 1 x PUMP-X');
  expect(await ok('support', 'answer', `${customer}-S1`, '--answer', 'technician booked', '--outcome', 'repair')).toMatch(/answered omega-\w+-S1 .*answered: repair -> omega-\w+-C\d+/);

  // A referral from the customer: a prospect with its source, credited when won.
  expect(await ok('referral', 'add', customer, '--name', 'Rhea Ref', '--company', `Rho ${run}`, '--email', 'rhea@rho.test')).toBe(`referral ${customer}-r1 added from ${customer} (source referral:${customer})\n`);
  const referred = await eventually(async () => JSON.parse(await ok('show', `${customer}-r1`, '--json')), 30_000, 500);
  expect(referred.info).toMatchObject({ source: `referral:${customer}`, company: `Rho ${run}` });
  await ok('qualify', `${customer}-r1`, '--outcome', 'qualified');
  await ok('inquiry', 'create', `${customer}-r1`, '--item', 'PUMP-X:2');
  await ok('quote', 'create', `${customer}-r1`, '--price', 'PUMP-X=1500');
  await ok('quote', 'send', `${customer}-r1`);
  await ok('quote', 'accept', `${customer}-r1`);
  await eventually(async () => expect(await ok('customer', 'show', customer)).toMatch(new RegExp(`${customer}-r1 +Rhea Ref \\(Rho ${run}\\)  won  credited 3000\\.00 EUR`)), 30_000, 500);

  // Repeat business from the account.
  expect(await ok('deal', 'new', '--customer', customer, '--note', 'spare parts kit')).toBe(`opened deal ${customer}-d1 for ${customer}; work it as any prospect (salesflow show ${customer}-d1)\n`);
  const repeat = await eventually(async () => JSON.parse(await ok('show', `${customer}-d1`, '--json')), 30_000, 500);
  expect(repeat.info).toMatchObject({ customer, source: `repeat:${customer}`, origin: `opened from customer ${customer}: spare parts kit` });
  // The rep working it reads what it is for at the top of its history.
  expect(await ok('show', `${customer}-d1`)).toContain(`created in stage contact, assigned to alice: opened from customer ${customer}: spare parts kit`);

  // Refusals are one line naming the field.
  expect(await salesflow('customer', 'satisfaction', customer, '--score', '9')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^salesflow: .*score.*\n$/) });
  expect(await salesflow('customer', 'show', 'no-such-customer')).toMatchObject({ code: 1, stderr: 'salesflow: no customer "no-such-customer"\n' });
}, 120_000);

test("process migrate moves the process's customer accounts with its prospects: a dry run first, then the move, totals per kind", async () => {
  const name = `keep-${run}`;
  const dir = mkdtempSync(join(tmpdir(), 'salesflow-keep-'));
  const version = (checkIn: string) =>
    [
      `name: ${name}`,
      'teams:',
      '  - name: sales',
      '    manager: { id: maria, email: maria@example.com }',
      '    reps:',
      '      - { id: alice, email: alice@example.com }',
      'quotePolicy: { validity: 30d, staleAfter: 3d, escalateAfter: 7d }',
      `postSales: { checkInEvery: ${checkIn} }`,
      '',
    ].join('\n');
  writeFileSync(join(dir, 'v1.yaml'), version('90d'));
  writeFileSync(join(dir, 'v2.yaml'), version('60d'));
  await ok('process', 'publish', join(dir, 'v1.yaml'));
  const id = `k1-${run}`;
  await ok('create', id, '--name', 'Kim Keeper', '--company', `Keeper ${run}`, '--rep', 'alice', '--process', name);
  await ok('qualify', id, '--outcome', 'qualified');
  await ok('inquiry', 'create', id, '--item', 'PUMP-X:1');
  await ok('quote', 'create', id, '--price', 'PUMP-X=900');
  await ok('quote', 'send', id, '--handed-over', 'visit');
  await ok('quote', 'accept', id);
  const customer = `keeper-${run}`;
  await eventually(async () => expect(JSON.parse(await ok('customer', 'show', customer, '--json')).process.version).toBe(1), 30_000, 500);
  await ok('process', 'publish', join(dir, 'v2.yaml'));

  const dry = await eventually(async () => {
    const out = await ok('process', 'migrate', name, '--to', '2', '--dry-run');
    expect(out).toContain(`customer ${customer}  v1 -> v2  would migrate`);
    return out;
  }, 30_000, 1_000);
  expect(dry.trimEnd().split('\n').slice(-2)).toEqual(['would move 1, refused 0, unchanged 0', 'customers: would move 1, refused 0, unchanged 0']);
  expect(JSON.parse(await ok('customer', 'show', customer, '--json')).process.version).toBe(1);

  const moved = await ok('process', 'migrate', name, '--to', '2');
  expect(moved).toContain(`customer ${customer}  v1 -> v2  migrated`);
  expect(moved.trimEnd().split('\n').at(-1)).toBe('customers: moved 1, refused 0, unchanged 0');
  expect(JSON.parse(await ok('customer', 'show', customer, '--json')).process).toMatchObject({ version: 2, postSales: { checkInEvery: 60 * 86_400_000 } });
}, 120_000);
