import { describeIssues, DomainError, parseOrThrow } from '../../domain/shared/errors';
import {
  allReps,
  DEFAULT_PROCESS,
  findRep,
  ProcessDefinitionSchema,
  teamOf,
  type ProcessDefinitionInput,
} from '../../domain/process/process';
import { DAY, PROCESS } from './fixtures';

/** The messages a process definition is refused with; fails the test if it is accepted. */
function problems(def: unknown): string[] {
  const result = ProcessDefinitionSchema.safeParse(def);
  if (result.success) throw new Error('expected the process definition to be refused');
  return describeIssues(result.error);
}

function withPolicy(policy: Partial<Record<keyof ProcessDefinitionInput['quotePolicy'], unknown>>): unknown {
  return { ...PROCESS, quotePolicy: { ...PROCESS.quotePolicy, ...policy } };
}

describe('a valid process definition', () => {
  it('parses durations to milliseconds', () => {
    const def = ProcessDefinitionSchema.parse(PROCESS);
    expect(def.name).toBe('test-process');
    expect(def.version).toBe(3);
    expect(def.quotePolicy).toEqual({ validity: 10 * DAY, staleAfter: 2 * DAY, escalateAfter: 5 * DAY, currency: 'EUR', followUpDueIn: DAY });
  });

  it('fills in the defaults: version 1, EUR, follow-up due in a day', () => {
    const { version: _v, ...noVersion } = PROCESS;
    void _v;
    const def = ProcessDefinitionSchema.parse({ ...noVersion, quotePolicy: { validity: '30d', staleAfter: '5s', escalateAfter: '10s' } });
    expect(def.version).toBe(1);
    expect(def.quotePolicy).toEqual({ validity: 30 * DAY, staleAfter: 5_000, escalateAfter: 10_000, currency: 'EUR', followUpDueIn: DAY });
  });

  it('the built-in default process is valid', () => {
    expect(DEFAULT_PROCESS.quotePolicy).toMatchObject({ validity: 30 * DAY, staleAfter: 3 * DAY, escalateAfter: 7 * DAY });
    expect(allReps(DEFAULT_PROCESS).map((r) => r.id)).toEqual(['alice', 'bob', 'carol']);
  });

  it('finds a rep and their team', () => {
    const def = ProcessDefinitionSchema.parse(PROCESS);
    expect(teamOf(def, 'carol')?.name).toBe('south');
    expect(teamOf(def, 'carol')?.manager.id).toBe('sam');
    expect(findRep(def, 'bob')).toEqual({ id: 'bob', email: 'bob@example.com' });
    expect(teamOf(def, 'mia')).toBeUndefined(); // a manager is not a rep
    expect(findRep(def, 'nobody')).toBeUndefined();
    expect(allReps(def).map((r) => r.id)).toEqual(['alice', 'bob', 'carol']);
  });
});

describe('process definition validation', () => {
  it('staleAfter must be shorter than escalateAfter', () => {
    const message = 'quotePolicy.escalateAfter: staleAfter must be shorter than escalateAfter';
    expect(problems(withPolicy({ staleAfter: '6d', escalateAfter: '5d' }))).toEqual([message]);
    expect(problems(withPolicy({ staleAfter: '5d', escalateAfter: '5d' }))).toEqual([message]);
    // Compared as durations, not as text: 2h < 90m is false even though "2" < "9".
    expect(problems(withPolicy({ staleAfter: '2h', escalateAfter: '90m' }))).toEqual([message]);
    expect(ProcessDefinitionSchema.safeParse(withPolicy({ staleAfter: '90m', escalateAfter: '2h' })).success).toBe(true);
  });

  it('a rep belongs to one team', () => {
    const def = {
      ...PROCESS,
      teams: [PROCESS.teams[0], { name: 'south', manager: { id: 'sam', email: 'sam@example.com' }, reps: [{ id: 'carol', email: 'c@example.com' }, { id: 'alice', email: 'a2@example.com' }] }],
    };
    expect(problems(def)).toEqual(['teams[1].reps[1].id: rep "alice" is already in team "north"; a rep belongs to one team']);
  });

  it('refuses a bad email naming the person', () => {
    const teams = structuredClone(PROCESS.teams);
    teams[0]!.reps[1]!.email = 'bob-at-example.com';
    teams[1]!.manager.email = 'sam';
    expect(problems({ ...PROCESS, teams })).toEqual([
      'teams[0].reps[1].email: must be an email address',
      'teams[1].manager.email: must be an email address',
    ]);
  });

  it('refuses a bad duration naming the field', () => {
    expect(problems(withPolicy({ validity: '30 days' }))).toEqual([
      'quotePolicy.validity: must be a positive duration such as 5s, 30m, 2h, 3d or 2w (got "30 days")',
    ]);
    expect(problems(withPolicy({ followUpDueIn: 0 }))).toEqual(['quotePolicy.followUpDueIn: must be a positive duration such as 5s, 30m, 2h, 3d or 2w (got 0)']);
  });

  it('refuses a currency that is not an ISO code', () => {
    expect(problems(withPolicy({ currency: 'eur' }))).toEqual(['quotePolicy.currency: must be a three-letter ISO currency code']);
  });

  it('refuses a process without teams or a team without reps', () => {
    expect(problems({ ...PROCESS, teams: [] })).toEqual(['teams: a process needs at least one team']);
    const teams = [{ ...PROCESS.teams[0]!, reps: [] }];
    expect(problems({ ...PROCESS, teams })).toEqual(['teams[0].reps: a team needs at least one rep']);
  });

  it('refuses names and ids that are not lower-case ids', () => {
    expect(problems({ ...PROCESS, name: 'Test Process' })).toEqual(['name: must be lower-case letters, digits and "-"']);
    const teams = structuredClone(PROCESS.teams);
    teams[0]!.reps[0]!.id = 'Alice';
    expect(problems({ ...PROCESS, teams })).toEqual(['teams[0].reps[0].id: must be a lower-case id of letters, digits, ".", "_" or "-"']);
  });

  it('parseOrThrow turns every problem into one DomainError', () => {
    const teams = structuredClone(PROCESS.teams);
    teams[0]!.reps[0]!.email = 'x';
    const bad = { ...PROCESS, name: 'X', teams };
    expect(() => parseOrThrow(ProcessDefinitionSchema, bad, 'process definition')).toThrow(
      new DomainError(
        'invalid process definition: name: must be lower-case letters, digits and "-"; teams[0].reps[0].email: must be an email address',
      ),
    );
  });
});
