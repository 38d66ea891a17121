import { assign, diffDefinitions, latest, publish, versionOf, type RegistryState } from '../../domain/process/registry';
import { DAY, refusal, SALES, SALES_DEF, salesV, snapshot, T0, at } from './fixtures3';

const empty = (name = 'sales'): RegistryState => ({ name, versions: [], roundRobin: {} });

function published(...definitions: unknown[]): RegistryState {
  return definitions.reduce<RegistryState>((state, definition, i) => publish(state, { definition, by: 'ops' }, at(i * DAY)).state, empty());
}

/** A round-robin process: north first, no rules. */
const ROUND_ROBIN = salesV(1, { assignment: { strategy: 'round-robin' } });
const NO_ASSIGNMENT = salesV(1, { assignment: undefined });

describe('publish', () => {
  it('stores the first file as version 1, whatever version the file says', () => {
    const { state, version } = publish(empty(), { definition: salesV(7), by: 'olga' }, T0);
    expect(version).toEqual({ version: 1, definition: { ...SALES_DEF, version: 1 }, publishedAt: T0, publishedBy: 'olga' });
    expect(state.versions).toEqual([version]);
    expect(latest(state)).toBe(version);
  });

  it('gives each new version the last number + 1', () => {
    const v2 = salesV(1, { description: 'second' });
    const v3 = salesV(1, { description: 'third' });
    const state = published(SALES, v2, v3);
    expect(state.versions.map((v) => [v.version, v.definition.version, v.definition.description, v.publishedAt])).toEqual([
      [1, 1, SALES.description, at(0)],
      [2, 2, 'second', at(DAY)],
      [3, 3, 'third', at(2 * DAY)],
    ]);
  });

  it('records who published, "unknown" when nobody is named', () => {
    expect(publish(empty(), { definition: SALES }, T0).version.publishedBy).toBe('unknown');
  });

  it('does not change the state it was given', () => {
    const state = published(SALES);
    const before = snapshot(state);
    publish(state, { definition: salesV(1, { description: 'x' }), by: 'ops' }, at(DAY));
    expect(snapshot(state)).toEqual(before);
  });

  it('refuses a file that defines another process', () => {
    const state = published(SALES);
    expect(refusal(() => publish(state, { definition: { ...SALES, name: 'marketing' } }, at(DAY)), state)).toBe(
      'the file defines process "marketing", not "sales"',
    );
  });

  it('refuses content identical to the last version, even with another version number or as a parsed definition', () => {
    const state = published(SALES);
    const msg = 'nothing to publish: the file is the same as version 1';
    expect(refusal(() => publish(state, { definition: SALES }, at(DAY)), state)).toBe(msg);
    expect(refusal(() => publish(state, { definition: salesV(9) }, at(DAY)), state)).toBe(msg);
    expect(refusal(() => publish(state, { definition: SALES_DEF }, at(DAY)), state)).toBe(msg);
  });

  it('allows going back to the content of an older version (not the last)', () => {
    const state = published(SALES, salesV(1, { description: 'changed' }));
    const { version } = publish(state, { definition: SALES }, at(2 * DAY));
    expect(version.version).toBe(3);
    expect(version.definition.description).toBe(SALES.description);
  });

  it('refuses an invalid definition with the schema messages', () => {
    const state = empty();
    expect(refusal(() => publish(state, { definition: { ...SALES, assignment: { defaultTeam: 'west' } } }, T0), state)).toBe(
      'invalid process definition: assignment.defaultTeam: no team "west" (teams: north, south, desk)',
    );
  });
});

describe('versionOf', () => {
  it('gives the latest without a number, the asked one with it', () => {
    const state = published(SALES, salesV(1, { description: 'two' }));
    expect(versionOf(state).version).toBe(2);
    expect(versionOf(state, 1).definition.description).toBe(SALES.description);
  });

  it('refuses a process without versions and an unknown version', () => {
    expect(refusal(() => versionOf(empty()))).toBe('process "sales" has no published version');
    expect(refusal(() => versionOf(empty(), 1))).toBe('process "sales" has no published version');
    const state = published(SALES, salesV(1, { description: 'two' }));
    expect(refusal(() => versionOf(state, 3))).toBe('process "sales" has no version 3 (1..2)');
    expect(refusal(() => versionOf(state, 0))).toBe('process "sales" has no version 0 (1..2)');
  });
});

describe('assign', () => {
  /** Assigns n prospects in a row with the same request; returns the reps and the final state. */
  function assignMany(state: RegistryState, n: number, request: Record<string, unknown> = {}): { reps: string[]; state: RegistryState } {
    const reps: string[] = [];
    for (let i = 0; i < n; i++) {
      const result = assign(state, request);
      reps.push(result.assignment.rep);
      state = result.state;
    }
    return { reps, state };
  }

  it('round-robin cycles through the reps of a team', () => {
    const { reps, state } = assignMany(published(ROUND_ROBIN), 5);
    expect(reps).toEqual(['alice', 'bob', 'alice', 'bob', 'alice']);
    expect(state.roundRobin).toEqual({ north: 5 });
  });

  it('reports the team and the version it assigned by', () => {
    const state = published(ROUND_ROBIN, { ...ROUND_ROBIN, description: 'v2' });
    expect(assign(state, {}).assignment).toEqual({ rep: 'alice', team: 'north', version: 2 });
    expect(assign(state, { version: 1 }).assignment).toEqual({ rep: 'alice', team: 'north', version: 1 });
  });

  it('without an assignment section the first team takes every prospect', () => {
    const { reps } = assignMany(published(NO_ASSIGNMENT), 3, { fields: { territory: 'south' } });
    expect(reps).toEqual(['alice', 'bob', 'alice']);
  });

  it('territory rules pick the team, round-robin inside it', () => {
    let state = published(SALES);
    const south = assign(state, { fields: { territory: 'South' } });
    expect(south.assignment).toEqual({ rep: 'carol', team: 'south', version: 1 });
    state = south.state;
    const { reps, state: after } = assignMany(state, 3, { fields: { territory: 'north' } });
    expect(reps).toEqual(['alice', 'bob', 'alice']);
    expect(assign(after, { fields: { territory: 'south' } }).assignment.rep).toBe('carol');
    expect(after.roundRobin).toEqual({ south: 1, north: 3 });
  });

  it('a prospect no rule matches goes to defaultTeam', () => {
    const def = salesV(1, { assignment: { strategy: 'territory', rules: [{ field: 'fields.territory', op: 'eq', value: 'north', team: 'north' }], defaultTeam: 'south' } });
    const state = published(def);
    expect(assign(state, { fields: {} }).assignment).toMatchObject({ rep: 'carol', team: 'south' });
    expect(assign(state, { fields: { territory: 'north' } }).assignment).toMatchObject({ rep: 'alice', team: 'north' });
  });

  it('rules can look at source and company, and the first matching rule wins', () => {
    const def = salesV(1, {
      assignment: {
        strategy: 'territory',
        rules: [
          { field: 'source', op: 'eq', value: 'trade-fair', team: 'south' },
          { field: 'company', op: 'contains', value: 'gmbh', team: 'desk' },
          { field: 'company', op: 'exists', team: 'north' },
        ],
      },
    });
    const state = published(def);
    expect(assign(state, { source: 'trade-fair', company: 'Acme GmbH' }).assignment.team).toBe('south');
    expect(assign(state, { company: 'Acme GmbH' }).assignment.team).toBe('desk');
    expect(assign(state, { company: 'Acme Inc' }).assignment.team).toBe('north');
    expect(assign(state, {}).assignment.team).toBe('north'); // no rule, no default: the first team
  });

  it('round-robin strategy ignores territory rules', () => {
    const def = salesV(1, { assignment: { strategy: 'round-robin', rules: [{ field: 'fields.territory', op: 'eq', value: 'south', team: 'south' }] } });
    expect(assign(published(def), { fields: { territory: 'south' } }).assignment.team).toBe('north');
  });

  it('does not change the state it was given', () => {
    const state = published(SALES);
    const before = snapshot(state);
    assign(state, {});
    expect(snapshot(state)).toEqual(before);
  });

  it('refuses when nothing is published, and a bad request', () => {
    expect(refusal(() => assign(empty(), {}))).toBe('process "sales" has no published version');
    expect(refusal(() => assign(published(SALES), { version: 0 }))).toMatch(/^invalid assignment request: version: /);
    expect(refusal(() => assign(published(SALES), { version: 4 }))).toBe('process "sales" has no version 4 (1..1)');
  });
});

describe('diffDefinitions', () => {
  it('has nothing to say about equal definitions', () => {
    expect(diffDefinitions(SALES_DEF, structuredClone(SALES_DEF))).toEqual([]);
  });

  it('lists each changed path with its old and new value', () => {
    const a = published(SALES).versions[0]!.definition;
    const changed = structuredClone(SALES);
    changed.quotePolicy.validity = '14d';
    changed.teams[0]!.reps[1]!.email = 'robert@example.com';
    changed.tasks!.qualified![0]!.due = '2bd';
    const b = publish(published(SALES), { definition: changed }, at(DAY)).version.definition;
    expect(diffDefinitions(a, b)).toEqual([
      { path: 'quotePolicy.validity', from: 30 * DAY, to: 14 * DAY },
      { path: 'tasks.qualified[0].due.businessDays', from: 1, to: 2 },
      { path: 'teams[north].reps[bob].email', from: 'bob@example.com', to: 'robert@example.com' },
      { path: 'version', from: 1, to: 2 },
    ]);
  });

  it('shows added and removed keys and array elements', () => {
    const withoutSupport = definitionWithout('support');
    const diff = diffDefinitions(SALES_DEF, withoutSupport);
    expect(diff).toEqual([{ path: 'support', from: SALES_DEF.support, to: undefined }]);

    const moreRules = structuredClone(SALES_DEF);
    moreRules.assignment!.rules.push({ field: 'source', op: 'exists', team: 'desk' });
    expect(diffDefinitions(SALES_DEF, moreRules)).toEqual([{ path: 'assignment.rules[1]', from: undefined, to: { field: 'source', op: 'exists', team: 'desk' } }]);
    expect(diffDefinitions(moreRules, SALES_DEF)).toEqual([{ path: 'assignment.rules[1]', from: { field: 'source', op: 'exists', team: 'desk' }, to: undefined }]);
  });

  it('matches the elements of a list that names them by that name, not by position', () => {
    const first = SALES_DEF.teams[0]!;
    const [gone, ...kept] = first.reps;
    const fewer = structuredClone(SALES_DEF);
    fewer.teams[0]!.reps = structuredClone(kept);
    // The first rep removed: that rep, not every later one changed.
    expect(diffDefinitions(SALES_DEF, fewer)).toEqual([{ path: `teams[${first.name}].reps[${gone!.id}]`, from: gone, to: undefined }]);
    expect(diffDefinitions(fewer, SALES_DEF)).toEqual([{ path: `teams[${first.name}].reps[${gone!.id}]`, from: undefined, to: gone }]);
  });

  it('names the root when whole values differ', () => {
    expect(diffDefinitions(1, 2)).toEqual([{ path: '(root)', from: 1, to: 2 }]);
  });
});

function definitionWithout(key: keyof typeof SALES_DEF): typeof SALES_DEF {
  const copy = structuredClone(SALES_DEF) as Record<string, unknown>;
  delete copy[key];
  return copy as typeof SALES_DEF;
}

describe('assignment rules see the prospect as created', () => {
  it('an email rule picks its team', () => {
    const withEmailRule = salesV(1, {
      assignment: { strategy: 'territory', rules: [{ field: 'email', op: 'contains', value: '@south.example', team: 'south' }], defaultTeam: 'north' },
    });
    const state: RegistryState = publish({ name: 'sales', versions: [], roundRobin: {} }, { definition: withEmailRule }, T0).state;
    expect(assign(state, { email: 'buyer@south.example' }).assignment.team).toBe('south');
    expect(assign(state, { email: 'buyer@elsewhere.example' }).assignment.team).toBe('north');
  });

  it('a rule on qualification answers is refused: there are none at creation', () => {
    const bad = salesV(1, { assignment: { strategy: 'territory', rules: [{ field: 'answers.budget', op: 'gte', value: 1, team: 'south' }] } });
    expect(() => publish({ name: 'sales', versions: [], roundRobin: {} }, { definition: bad }, T0)).toThrow(
      'assignment.rules[0].field: assignment happens at creation, before any qualification answers',
    );
  });
});
