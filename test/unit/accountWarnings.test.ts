import { accountWarnings } from '../../domain/accounts/accounts';

const known = { teams: new Set(['north', 'south']), people: new Set(['ravi', 'nina']) };

describe('accountWarnings', () => {
  it('says nothing of an account that will see its work', () => {
    expect(accountWarnings({ role: 'rep', personId: 'ravi', team: 'north' }, known)).toEqual([]);
    expect(accountWarnings({ role: 'manager', personId: 'nina', team: 'north' }, known)).toEqual([]);
    // Admins, ops and support see without a person or team.
    expect(accountWarnings({ role: 'ops', personId: null, team: null }, known)).toEqual([]);
    expect(accountWarnings({ role: 'support', personId: 'sue', team: null }, known)).toEqual([]);
  });

  it('names what would leave a rep or manager seeing nothing', () => {
    expect(accountWarnings({ role: 'rep', personId: null, team: null }, known)).toEqual(['a rep without a person id sees no prospects or tasks: set the id they have in the process']);
    expect(accountWarnings({ role: 'manager', personId: 'nina', team: null }, known)).toEqual(["a manager without a team sees no team's prospects, board or reports: set their team"]);
    expect(accountWarnings({ role: 'manager', personId: 'zed', team: 'sout' }, known)).toEqual([
      'team "sout" is in no published process (teams: north, south)',
      'person "zed" is no rep or manager of a published process',
    ]);
  });

  it('without the processes (Temporal away) says only what needs none', () => {
    expect(accountWarnings({ role: 'manager', personId: 'zed', team: 'sout' }, undefined)).toEqual([]);
    expect(accountWarnings({ role: 'rep', personId: null, team: null }, undefined)).toHaveLength(1);
  });
});
