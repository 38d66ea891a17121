import { runImport, tallyLine } from '../../domain/pipeline/importRun';

/** The import's tally: a line whose id is someone else's is not "already there". */
test('a clash is counted as not imported, not as already there, and the line says so', async () => {
  const people: Record<string, { name: string; email?: string }> = { ann: { name: 'Ann Buyer', email: 'ann@a.test' }, bob: { name: 'Bob Other' } };
  const lines = [
    { line: 2, info: { id: 'ann', name: 'Ann Buyer', email: 'ANN@a.test' } },
    { line: 3, info: { id: 'bob', name: 'Someone Else' } },
    { line: 4, info: { id: 'cid', name: 'Cid New' } },
  ];
  const tally = await runImport(lines, {
    concurrency: 2,
    create: async (l) => (people[l.info.id] ? { created: false, existing: people[l.info.id]! } : { created: true, existing: l.info }),
    refusal: () => undefined,
  });
  expect(tally).toMatchObject({ done: 3, created: 1, existing: 1, refused: [] });
  expect(tally.clashes.map((c) => c.line)).toEqual([3]);
  expect(tallyLine(tally)).toBe("1 created, 1 already there, 1 not imported (its id is someone else's)");
  expect(tallyLine({ created: 2, existing: 0, refused: [{ line: 2, id: 'x', message: 'm' }], clashes: [] })).toBe('2 created, 0 already there, 1 refused');
});
