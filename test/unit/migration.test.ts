import { answerQuery, migrateProcess, migrationBlocker, runCommand } from '../../domain/pipeline/lifecycle';
import { ProcessDefinitionSchema, type ProcessDefinition, type ProcessDefinitionInput } from '../../domain/process/process';
import type { ProspectState } from '../../domain/pipeline/prospect';
import { openSupportQuery } from '../../domain/tasks/support';
import { at, DAY, HOUR, lead, refusal, SALES, salesV, snapshot } from './fixtures3';

const MIGRATED_AT = at(DAY);

function def(input: ProcessDefinitionInput): ProcessDefinition {
  return ProcessDefinitionSchema.parse(input);
}

/** Version 2 with the given teams (support kept unless `change` says otherwise). */
function v2(change: Partial<ProcessDefinitionInput> = {}): ProcessDefinition {
  return def(salesV(2, { description: 'version 2', ...change }));
}

function withTeams(edit: (teams: ProcessDefinitionInput['teams']) => void, change: Partial<ProcessDefinitionInput> = {}): ProcessDefinition {
  const teams = structuredClone(SALES.teams);
  edit(teams);
  return v2({ teams, ...change });
}

function withQuery(base: ProspectState = lead()): ProspectState {
  return openSupportQuery(base, { topic: 'prices', question: 'How much?', by: 'reception' }, at(HOUR));
}

describe('migrationBlocker', () => {
  it('lets a prospect move to a newer version of its process that still has its people', () => {
    expect(migrationBlocker(lead(), v2())).toBeUndefined();
    expect(migrationBlocker(withQuery(), v2())).toBeUndefined();
  });

  it('refuses another process', () => {
    expect(migrationBlocker(lead(), def({ ...salesV(2), name: 'marketing' }))).toBe('it runs process "sales", not "marketing"');
  });

  it('refuses the same version and an older one', () => {
    expect(migrationBlocker(lead(), def(salesV(1, { description: 'other' })))).toBe('it is already on version 1');
    expect(migrationBlocker(lead({}, salesV(3)), v2())).toBe('it is on version 3, newer than 2');
  });

  it('refuses a version without the prospect\'s rep', () => {
    const target = withTeams((teams) => {
      teams[0]!.reps = [{ id: 'bob', email: 'bob@example.com' }];
    });
    expect(migrationBlocker(lead(), target)).toBe('its rep "alice" is not in version 2');
    // The rep may move to another team: still in the process, still fine.
    const moved = withTeams((teams) => {
      teams[0]!.reps = [{ id: 'bob', email: 'bob@example.com' }];
      teams[1]!.reps.push({ id: 'alice', email: 'alice@example.com' });
    });
    expect(migrationBlocker(lead(), moved)).toBeUndefined();
  });

  it('refuses a version without support while a support query is open', () => {
    const target = v2({ support: undefined });
    expect(migrationBlocker(withQuery(), target)).toBe('it has an open support query and version 2 has no support team');
    const answered = answerQuery(withQuery(), { queryId: 'P1-Q1', answer: 'A lot.', by: 'sam' }, at(2 * HOUR));
    expect(migrationBlocker(answered, target)).toBeUndefined();
    expect(migrationBlocker(lead(), target)).toBeUndefined();
  });

  it('refuses a version without the person an open task belongs to', () => {
    const target = withTeams((teams) => {
      teams[2]!.reps = [{ id: 'sid', email: 'sid@example.com' }];
    });
    expect(migrationBlocker(withQuery(), target)).toBe('its open task P1-T2 belongs to "sam", who is not in version 2');
    const answered = answerQuery(withQuery(), { queryId: 'P1-Q1', answer: 'A lot.', by: 'sam' }, at(2 * HOUR));
    expect(migrationBlocker(answered, target)).toBeUndefined(); // sam's task is done
  });
});

describe('migrateProcess', () => {
  it('swaps the definition and records the migration', () => {
    const state = lead();
    const next = migrateProcess(state, { process: salesV(2, { quotePolicy: { validity: '14d', staleAfter: '2d', escalateAfter: '5d' } }), by: 'olga' }, MIGRATED_AT);
    expect(next.process.version).toBe(2);
    expect(next.process.quotePolicy.validity).toBe(14 * DAY);
    expect(next.process).toEqual(def(salesV(2, { quotePolicy: { validity: '14d', staleAfter: '2d', escalateAfter: '5d' } })));
    expect(next.migrations).toEqual([{ at: MIGRATED_AT, from: 1, to: 2, by: 'olga' }]);
    expect(next.changes[next.changes.length - 1]).toEqual({ at: MIGRATED_AT, by: 'olga', what: 'migrated from sales v1 to v2' });
    // Tasks already made keep their due times.
    expect(next.tasks).toEqual(state.tasks);
    expect(state.process.version).toBe(1);
  });

  it('accepts a parsed definition (what the registry hands on) and records each migration', () => {
    const once = migrateProcess(lead(), { process: v2(), by: 'olga' }, MIGRATED_AT);
    const twice = migrateProcess(once, { process: def(salesV(5)), by: 'olga' }, at(2 * DAY));
    expect(twice.migrations).toEqual([
      { at: MIGRATED_AT, from: 1, to: 2, by: 'olga' },
      { at: at(2 * DAY), from: 2, to: 5, by: 'olga' },
    ]);
    expect(twice.process.version).toBe(5);
  });

  it('runs through runCommand, the way the workflow runs it', () => {
    const next = runCommand('migrateProcess', lead(), { process: v2(), by: 'olga' }, MIGRATED_AT);
    expect(next.process.description).toBe('version 2');
    expect(next.tasks).toHaveLength(1); // no stage change, no new tasks
  });

  describe('a refused migration leaves the state as it was', () => {
    const cases: [string, () => ProspectState, unknown, string][] = [
      ['another process', lead, { ...salesV(2), name: 'marketing' }, 'cannot migrate P1: it runs process "sales", not "marketing"'],
      ['the same version', lead, salesV(1, { description: 'x' }), 'cannot migrate P1: it is already on version 1'],
      ['an older version', () => lead({}, salesV(3)), salesV(2), 'cannot migrate P1: it is on version 3, newer than 2'],
      [
        'a missing rep',
        lead,
        { ...salesV(2), teams: [{ ...SALES.teams[0]!, reps: [{ id: 'bob', email: 'bob@example.com' }] }, SALES.teams[1], SALES.teams[2]] },
        'cannot migrate P1: its rep "alice" is not in version 2',
      ],
      ['an open query without support', withQuery, salesV(2, { support: undefined }), 'cannot migrate P1: it has an open support query and version 2 has no support team'],
      [
        'an invalid definition',
        lead,
        { ...salesV(2), assignment: { defaultTeam: 'west' } },
        'invalid process definition: assignment.defaultTeam: no team "west" (teams: north, south, desk)',
      ],
    ];

    it.each(cases)('%s', (_name, make, process, message) => {
      const state = make();
      const before = snapshot(state);
      expect(refusal(() => migrateProcess(state, { process, by: 'olga' }, MIGRATED_AT), state)).toBe(message);
      expect(refusal(() => runCommand('migrateProcess', state, { process, by: 'olga' }, MIGRATED_AT), state)).toBe(message);
      expect(snapshot(state)).toEqual(before);
      expect(state.migrations).toBeUndefined();
    });
  });
});
