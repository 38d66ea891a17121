import { logContact } from '../../domain/pipeline/lifecycle';
import { keepRecentRecord, recordVersion } from '../../domain/pipeline/record';
import { at, fresh, MINUTE } from './fixtures';

describe('the record keeps a bounded window', () => {
  it('leaves a record within the window untouched', () => {
    const state = fresh();
    expect(keepRecentRecord(state)).toBe(state);
  });

  it('keeps the newest entries of each list and counts the older ones, across cuts', () => {
    let state = fresh();
    for (let i = 0; i < 12; i++) {
      state = keepRecentRecord(logContact(state, { channel: 'call', note: `call ${i}` }, at(i * MINUTE)), 5);
    }
    expect(state.contacts.map((c) => c.note)).toEqual(['call 7', 'call 8', 'call 9', 'call 10', 'call 11']);
    expect(state.archived?.contacts).toBe(7);
    expect(state.changes).toHaveLength(5);
    // Every change is still counted, kept or not: the version only grows.
    expect(recordVersion(state)).toBe(fresh().changes.length + 12);
  });
});
