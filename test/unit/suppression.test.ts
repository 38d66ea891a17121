import { byShard, entryBytes, listBytes, MAX_DETAIL_LENGTH, MAX_REMOVALS_KEPT, MAX_SOURCE_LENGTH, SHARD_BUDGET_BYTES, suppress, SUPPRESSION_SHARDS, suppressionShard, unsuppress } from '../../domain/campaign/suppression';
import { suppressionWorkflowId } from '../../workflows/campaign/contract';

describe('suppression shards', () => {
  it('an address always lands in the same shard, whatever its case or spacing', () => {
    expect(suppressionShard(' Ann@Example.COM ')).toBe(suppressionShard('ann@example.com'));
  });

  it('addresses spread over all 16 shards and group by them', () => {
    const emails = Array.from({ length: 400 }, (_, i) => `person${i}@example.com`);
    const groups = byShard(emails);
    expect(groups.size).toBe(SUPPRESSION_SHARDS);
    expect([...groups.values()].flat().sort()).toEqual([...emails].sort());
    for (const [shard, some] of groups) for (const e of some) expect(suppressionShard(e)).toBe(shard);
    expect(suppressionWorkflowId('salesflow', 7)).toBe('suppression-list-salesflow-7');
  });
});

describe('suppression entries and the shard budget', () => {
  const now = '2026-03-01T00:00:00.000Z';

  it('cuts a long source and detail instead of refusing the opt-out or bounce', () => {
    const { list } = suppress({}, { email: 'a@b.test', reason: 'bounced', source: 's'.repeat(500), detail: 'd'.repeat(5_000) }, now);
    expect(list['a@b.test']!.source).toHaveLength(MAX_SOURCE_LENGTH);
    expect(list['a@b.test']!.detail).toHaveLength(MAX_DETAIL_LENGTH);
  });

  it('an entry has a bounded size, so a full shard stays far under the 2 MB payload limit', () => {
    const { list } = suppress({}, { email: `${'x'.repeat(64)}@${'y'.repeat(180)}.test`, reason: 'unsubscribed', source: 's'.repeat(500), detail: 'd'.repeat(500) }, now);
    const largest = entryBytes(Object.values(list)[0]!);
    expect(largest).toBeLessThan(1_000);
    // The list, plus the record of removals (each an entry, who and why), in one input.
    expect(SHARD_BUDGET_BYTES + MAX_REMOVALS_KEPT * (largest + MAX_SOURCE_LENGTH + MAX_DETAIL_LENGTH + 60)).toBeLessThan(1_500_000);
    expect(listBytes(list)).toBe(JSON.stringify(list).length + 1); // an estimate a little on the safe side
  });

  it('refuses a new address past the budget, but not one already there', () => {
    const { list } = suppress({}, { email: 'a@b.test', reason: 'manual' }, now);
    expect(() => suppress(list, { email: 'c@d.test', reason: 'manual' }, now, SHARD_BUDGET_BYTES - 10)).toThrow(/shard for c@d\.test is full \(1 entries, 999990 of 1000000 bytes\)/);
    expect(suppress(list, { email: 'a@b.test', reason: 'bounced' }, now, SHARD_BUDGET_BYTES).added).toBe(false);
  });

  it('unsuppress removes the entry and keeps the removal, who and why, in a bounded record', () => {
    let { list } = suppress({}, { email: 'a@b.test', reason: 'bounced', source: 'campaign-x' }, now);
    expect(() => unsuppress(list, [], { email: 'a@b.test', by: 'ops' }, now)).toThrow('invalid unsuppression: reason: is required');
    expect(() => unsuppress(list, [], { email: 'a@b.test', by: 'ops', reason: ' ' }, now)).toThrow('invalid unsuppression: reason: is required: say why the address may be mailed again');
    expect(() => unsuppress(list, [], { email: 'z@b.test', by: 'ops', reason: 'typo' }, now)).toThrow('z@b.test is not on the suppression list');
    const result = unsuppress(list, [], { email: 'A@B.test', by: 'ops', reason: 'relay fault, not a bounce' }, now);
    expect(result.list).toEqual({});
    expect(result.removals).toEqual([{ entry: list['a@b.test'], by: 'ops', reason: 'relay fault, not a bounce', at: now }]);
    let removals = result.removals;
    for (let k = 0; k < MAX_REMOVALS_KEPT + 5; k++) {
      ({ list } = suppress({}, { email: `p${k}@b.test`, reason: 'manual' }, now));
      ({ removals } = unsuppress(list, removals, { email: `p${k}@b.test`, by: 'ops', reason: 'r' }, now));
    }
    expect(removals).toHaveLength(MAX_REMOVALS_KEPT);
    expect(removals.at(-1)!.entry.email).toBe(`p${MAX_REMOVALS_KEPT + 4}@b.test`);
  });
});
