import { ACTIONS, can, type Action, type Actor, type Resource } from '../../domain/accounts/access';

/**
 * The authorization rules as one matrix: every role × every action × each kind of resource,
 * written out so a changed rule changes a visible row.
 */

const teams = [
  { name: 'north', reps: ['ravi', 'rita'] },
  { name: 'south', reps: ['sam'] },
];
const ravisProspect: Resource = { kind: 'prospect', rep: 'ravi', teams };
const samsProspect: Resource = { kind: 'prospect', rep: 'sam', teams };
const ravisCallTask: Resource = { kind: 'task', rep: 'ravi', taskKind: 'call', prospect: { kind: 'prospect', rep: 'ravi', teams } };
const supportTask: Resource = { kind: 'task', rep: 'sue', taskKind: 'support', prospect: { kind: 'prospect', rep: 'ravi', teams } };

const actors: Record<string, Actor> = {
  admin: { role: 'admin', personId: null, team: null },
  ops: { role: 'ops', personId: null, team: null },
  'manager north': { role: 'manager', personId: 'nina', team: 'north' },
  'manager south': { role: 'manager', personId: 'sven', team: 'south' },
  'rep ravi': { role: 'rep', personId: 'ravi', team: null },
  'rep sam': { role: 'rep', personId: 'sam', team: null },
  'rep without person': { role: 'rep', personId: null, team: null },
  support: { role: 'support', personId: 'sue', team: null },
};

const resources: Record<string, Resource> = {
  "ravi's prospect": ravisProspect,
  "sam's prospect": samsProspect,
  "ravi's call task": ravisCallTask,
  'a support task': supportTask,
  process: { kind: 'process' },
  campaign: { kind: 'campaign' },
  users: { kind: 'users' },
};

/** The allowed actions per actor and resource, in ACTIONS order: read, create, command, support, manage. */
const Y = true;
const N = false;
const matrix: Record<string, Record<string, [boolean, boolean, boolean, boolean, boolean]>> = {
  admin: {
    "ravi's prospect": [Y, Y, Y, Y, Y],
    "sam's prospect": [Y, Y, Y, Y, Y],
    "ravi's call task": [Y, Y, Y, Y, Y],
    'a support task': [Y, Y, Y, Y, Y],
    process: [Y, Y, Y, Y, Y],
    campaign: [Y, Y, Y, Y, Y],
    users: [Y, Y, Y, Y, Y],
  },
  ops: {
    "ravi's prospect": [Y, Y, Y, Y, Y],
    "sam's prospect": [Y, Y, Y, Y, Y],
    "ravi's call task": [Y, Y, Y, Y, Y],
    'a support task': [Y, Y, Y, Y, Y],
    process: [Y, Y, Y, Y, Y],
    campaign: [Y, Y, Y, Y, Y],
    users: [N, N, N, N, N],
  },
  'manager north': {
    "ravi's prospect": [Y, Y, Y, Y, N],
    "sam's prospect": [N, N, N, N, N],
    "ravi's call task": [Y, Y, Y, Y, N],
    'a support task': [N, N, N, N, N],
    process: [Y, N, N, N, N],
    campaign: [N, N, N, N, N],
    users: [N, N, N, N, N],
  },
  'manager south': {
    "ravi's prospect": [N, N, N, N, N],
    "sam's prospect": [Y, Y, Y, Y, N],
    "ravi's call task": [N, N, N, N, N],
    'a support task': [N, N, N, N, N],
    process: [Y, N, N, N, N],
    campaign: [N, N, N, N, N],
    users: [N, N, N, N, N],
  },
  'rep ravi': {
    "ravi's prospect": [Y, Y, Y, Y, N],
    "sam's prospect": [N, N, N, N, N],
    "ravi's call task": [Y, Y, Y, Y, N],
    'a support task': [N, N, N, N, N],
    process: [Y, N, N, N, N],
    campaign: [N, N, N, N, N],
    users: [N, N, N, N, N],
  },
  'rep sam': {
    "ravi's prospect": [N, N, N, N, N],
    "sam's prospect": [Y, Y, Y, Y, N],
    "ravi's call task": [N, N, N, N, N],
    'a support task': [N, N, N, N, N],
    process: [Y, N, N, N, N],
    campaign: [N, N, N, N, N],
    users: [N, N, N, N, N],
  },
  'rep without person': {
    "ravi's prospect": [N, N, N, N, N],
    "sam's prospect": [N, N, N, N, N],
    "ravi's call task": [N, N, N, N, N],
    'a support task': [N, N, N, N, N],
    process: [Y, N, N, N, N],
    campaign: [N, N, N, N, N],
    users: [N, N, N, N, N],
  },
  support: {
    "ravi's prospect": [Y, N, N, Y, N],
    "sam's prospect": [Y, N, N, Y, N],
    "ravi's call task": [N, N, N, N, N],
    'a support task': [Y, N, Y, N, N],
    process: [Y, N, N, N, N],
    campaign: [N, N, N, N, N],
    users: [N, N, N, N, N],
  },
};

test('the role matrix: every actor × resource × action', () => {
  const actual: typeof matrix = {};
  for (const [who, actor] of Object.entries(actors)) {
    actual[who] = {};
    for (const [what, resource] of Object.entries(resources)) {
      actual[who]![what] = ACTIONS.map((action: Action) => can(actor, action, resource)) as [boolean, boolean, boolean, boolean, boolean];
    }
  }
  expect(actual).toEqual(matrix);
});

test('only ops and admin publish processes and run campaigns', () => {
  const managers = Object.entries(actors).filter(([, a]) => can(a, 'manage', { kind: 'process' }) || can(a, 'manage', { kind: 'campaign' }));
  expect(managers.map(([who]) => who).sort()).toEqual(['admin', 'ops']);
});

test("a manager's team comes from the prospect's process, not from the manager's claim", () => {
  const nina = actors['manager north']!;
  // The same rep in a process where north does not hold them: not nina's.
  const elsewhere: Resource = { kind: 'prospect', rep: 'ravi', teams: [{ name: 'west', reps: ['ravi'] }] };
  expect(can(nina, 'read', elsewhere)).toBe(false);
  expect(can(nina, 'read', { kind: 'task', rep: 'ravi', taskKind: 'call' })).toBe(false);
});

describe('customer accounts follow the prospect rules with the owner as the rep', () => {
  const ravisAccount: Resource = { kind: 'customer', rep: 'ravi', teams };
  const allowed = (actor: Actor) => ACTIONS.filter((action) => can(actor, action, ravisAccount));
  test.each([
    ['admin', ['read', 'create', 'command', 'support', 'manage']],
    ['ops', ['read', 'create', 'command', 'support', 'manage']],
    ['manager north', ['read', 'create', 'command', 'support']],
    ['manager south', []],
    ['rep ravi', ['read', 'create', 'command', 'support']],
    ['rep sam', []],
    ['support', ['read', 'support']],
  ] as [string, Action[]][])('%s may %j on the account ravi owns', (who, actions) => {
    expect(allowed(actors[who]!)).toEqual(actions);
  });
});

test("a manager reaches the teams a process names them manager of, besides their account's team", () => {
  const managed = [
    { name: 'north', reps: ['ravi'], manager: 'nina' },
    { name: 'sales', reps: ['alice'], manager: 'maria' },
  ];
  // maria's account names team north; the process also makes her manager of sales.
  const maria: Actor = { role: 'manager', personId: 'maria', team: 'north' };
  const alices: Resource = { kind: 'prospect', rep: 'alice', teams: managed };
  expect(can(maria, 'read', alices)).toBe(true);
  expect(can(maria, 'command', alices)).toBe(true);
  expect(can(maria, 'read', { kind: 'prospect', rep: 'ravi', teams: managed })).toBe(true);
  // Another manager of the same name's team in another process does not reach these.
  expect(can({ role: 'manager', personId: 'nina', team: 'east' }, 'read', alices)).toBe(false);
  // Naming the person matters, not the role: a rep called maria reaches her own prospects only.
  expect(can({ role: 'rep', personId: 'maria', team: null }, 'read', alices)).toBe(false);
});
