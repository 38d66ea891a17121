import { byShard, SUPPRESSION_SHARDS, suppressionShard, suppressionWorkflowId } from '../../domain/suppression';

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
