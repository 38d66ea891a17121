import { useCliStack } from '../helpers/cli';

/**
 * The input rules as a user meets them through the built `salesflow` bin: prices as decimal
 * text, --free, a quotation sent to someone (--handed-over), and quote refresh.
 */
const cli = useCliStack();
const salesflow = cli.salesflow;

const id = `in-${Date.now().toString(36)}`;

async function ok(...args: string[]): Promise<string> {
  const out = await salesflow(...args);
  expect(out).toMatchObject({ code: 0, stderr: '' });
  return out.stdout;
}

test('a prospect without email: prices, a refused send, a refresh, and a hand-over in the contact log', async () => {
  await ok('create', id, '--name', 'Walt Walkin', '--company', 'Corner Shop', '--rep', 'alice');
  await ok('qualify', id, '--outcome', 'qualified');
  await ok('inquiry', 'create', id, '--item', 'PUMP-X:5', '--item', 'VALVE-2:10');

  const before = (await salesflow('show', id, '--json')).stdout;
  for (const [price, problem] of [
    ['1,999.90', '"1,999.90" is not a price: write digits with at most two decimals, like 1999.90'],
    ['1e3', '"1e3" is not a price: write digits with at most two decimals, like 1999.90'],
    ['0', 'a zero price is a free offer: add --free to say so'],
  ]) {
    const out = await salesflow('quote', 'create', id, '--price', `PUMP-X=${price}`, '--price', 'VALVE-2=42.50');
    expect(out).toMatchObject({ code: 1, stdout: '', stderr: `salesflow: --price PUMP-X: ${problem}\n` });
  }
  expect((await salesflow('show', id, '--json')).stdout).toBe(before);

  expect(await ok('quote', 'create', id, '--price', 'PUMP-X=1999.90:5', '--price', 'VALVE-2=0', '--free')).toContain('total 9499.52 EUR');

  const refused = await salesflow('quote', 'send', id);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/^salesflow: --handed-over: prospect in-\w+ has no email address, so revision 1 cannot be mailed: say how it reached the customer \(visit, call, letter or direct_mail\)\n$/);

  await ok('inquiry', 'change', id, '--item', 'PUMP-X:6', '--item', 'VALVE-2:10');
  expect(await ok('quote', 'show', id)).toContain('it refers to inquiry version 1; the inquiry is now at version 2: run quote refresh');
  const stale = await salesflow('quote', 'send', id, '--handed-over', 'visit');
  expect(stale.stderr).toContain('the inquiry is now at version 2: run quote refresh');

  expect(await ok('quote', 'refresh', id)).toContain('now refers to inquiry version 2, total 11399.43 EUR');
  expect(await ok('quote', 'send', id, '--handed-over', 'visit')).toContain('revision 1 sent handed over (visit)');

  const shown = JSON.parse(await ok('show', id, '--json'));
  expect(shown.outbox).toEqual([]);
  expect(shown.contacts).toEqual([expect.objectContaining({ channel: 'visit', note: 'quotation revision 1 handed over (visit)', source: 'quotation' })]);
  expect(shown.quotes[0].lines.map((l: { unitPriceCents: number; free?: boolean }) => [l.unitPriceCents, l.free ?? false])).toEqual([
    [199990, false],
    [0, true],
  ]);
});
