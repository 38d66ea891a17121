import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DomainError, parseOrThrow } from '../../domain/shared/errors';
import { ProcessDefinitionSchema, type ProcessDefinitionInput } from '../../domain/process/process';
import { ConditionSchema } from '../../domain/process/rules';
import { DAY, HOUR, MINUTE, problems, SALES, SALES_DEF } from './fixtures3';

/** SALES with one part replaced. */
function withPart(part: Partial<Record<keyof ProcessDefinitionInput, unknown>>): unknown {
  return { ...structuredClone(SALES), ...part };
}

function refused(def: unknown): string[] {
  return problems(ProcessDefinitionSchema, def);
}

const OFFSET_RULE = 'must be a duration such as 30s, 4h, 2d or business days such as 1bd';

describe('a valid process definition (issue 3 parts)', () => {
  it('parses assignment, qualification, task templates, support and calls', () => {
    expect(SALES_DEF.assignment).toEqual({
      strategy: 'territory',
      rules: [{ field: 'fields.territory', op: 'eq', value: 'south', team: 'south' }],
      defaultTeam: 'north',
    });
    expect(SALES_DEF.qualification?.threshold).toBe(50);
    expect(SALES_DEF.qualification?.rules.map((r) => [r.name, r.weight])).toEqual([
      ['budget over 10k', 40],
      ['decision maker known', 20],
      ['buying this year', 20],
      ['referral', 10],
    ]);
    expect(SALES_DEF.tasks.qualified).toEqual([
      { kind: 'call', title: 'First call with {{name}} ({{company}})', due: { businessDays: 1 }, escalateAfter: { ms: 4 * HOUR } },
    ]);
    expect(SALES_DEF.tasks.inquiry?.[0]?.due).toEqual({ businessDays: 2 });
    expect(SALES_DEF.support).toEqual({ team: 'desk', answerWithin: { ms: 4 * HOUR }, escalateAfter: { ms: 2 * HOUR } });
    expect(SALES_DEF.calls).toEqual({ escalateAfter: { businessDays: 1 }, defaultDuration: 30 * MINUTE, maxDuration: 10 * HOUR });
  });

  it('fills in defaults: no tasks, calls escalate after 1bd and last 30m, round-robin, empty rule lists', () => {
    const def = ProcessDefinitionSchema.parse({
      name: 'tiny',
      teams: [SALES.teams[0]],
      quotePolicy: SALES.quotePolicy,
      assignment: {},
      qualification: { threshold: 0 },
    });
    expect(def.tasks).toEqual({});
    expect(def.calls).toEqual({ escalateAfter: { businessDays: 1 }, defaultDuration: 30 * MINUTE, maxDuration: 10 * HOUR });
    expect(def.assignment).toEqual({ strategy: 'round-robin', rules: [] });
    expect(def.qualification).toEqual({ threshold: 0, rules: [], knockouts: [] });
    expect(def.support).toBeUndefined();
  });

  it('a parsed definition parses again to the same value (workflow inputs carry parsed definitions)', () => {
    expect(ProcessDefinitionSchema.parse(SALES_DEF)).toEqual(SALES_DEF);
    // Through JSON as well, as Temporal's payload converter hands it on.
    const throughJson = JSON.parse(JSON.stringify(SALES_DEF));
    expect(ProcessDefinitionSchema.parse(throughJson)).toEqual(SALES_DEF);
    expect(JSON.stringify(ProcessDefinitionSchema.parse(throughJson))).toBe(JSON.stringify(SALES_DEF));
  });

  it('every shipped example file is valid and re-parses to itself', () => {
    const dir = join(__dirname, '..', '..', 'examples');
    const files = readdirSync(dir).filter((f) => /^process-.*\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const parsed = ProcessDefinitionSchema.parse(parseYaml(readFileSync(join(dir, file), 'utf8')));
      expect({ file, again: ProcessDefinitionSchema.parse(JSON.parse(JSON.stringify(parsed))) }).toEqual({ file, again: parsed });
    }
  });
});

describe('team references and membership', () => {
  it('refuses an unknown team in an assignment rule, naming the rule index', () => {
    const assignment = {
      strategy: 'territory',
      rules: [
        { field: 'fields.territory', op: 'eq', value: 'south', team: 'south' },
        { field: 'fields.territory', op: 'eq', value: 'east', team: 'east' },
      ],
    };
    expect(refused(withPart({ assignment }))).toEqual(['assignment.rules[1].team: no team "east" (teams: north, south, desk)']);
  });

  it('refuses an unknown defaultTeam', () => {
    expect(refused(withPart({ assignment: { defaultTeam: 'west' } }))).toEqual(['assignment.defaultTeam: no team "west" (teams: north, south, desk)']);
  });

  it('refuses an unknown support team', () => {
    expect(refused(withPart({ support: { team: 'helpdesk', answerWithin: '4h', escalateAfter: '2h' } }))).toEqual([
      'support.team: no team "helpdesk" (teams: north, south, desk)',
    ]);
  });

  it('refuses a team defined twice', () => {
    const teams = structuredClone(SALES.teams);
    teams[2]!.name = 'north';
    expect(refused(withPart({ teams, support: undefined }))).toEqual(['teams[2].name: team "north" is defined twice']);
  });

  it('refuses a rep in two teams, naming where the second one is', () => {
    const teams = structuredClone(SALES.teams);
    teams[2]!.reps.push({ id: 'bob', email: 'bob2@example.com' });
    expect(refused(withPart({ teams }))).toEqual(['teams[2].reps[1].id: rep "bob" is already in team "north"; a rep belongs to one team']);
  });

  it('refuses a team without reps and a process without teams', () => {
    const teams = structuredClone(SALES.teams);
    teams[1]!.reps = [];
    expect(refused(withPart({ teams }))).toEqual(['teams[1].reps: a team needs at least one rep']);
    expect(refused(withPart({ teams: [] }))).toContain('teams: a process needs at least one team');
  });

  it('refuses a team without a manager', () => {
    const teams = structuredClone(SALES.teams) as unknown as Record<string, unknown>[];
    delete teams[0]!.manager;
    expect(refused(withPart({ teams }))).toEqual(['teams[0].manager: is required']);
  });

  it('reports every problem at once, schema and cross-references together', () => {
    const teams = structuredClone(SALES.teams);
    teams[0]!.reps[0]!.email = 'not-an-email';
    const msgs = refused(withPart({ name: 'Sales', teams, assignment: { defaultTeam: 'west' } }));
    expect(msgs).toEqual(
      expect.arrayContaining([
        'name: must be lower-case letters, digits and "-"',
        'teams[0].reps[0].email: must be an email address',
        'assignment.defaultTeam: no team "west" (teams: north, south, desk)',
      ]),
    );
    expect(msgs).toHaveLength(3);
  });
});

describe('quote policy', () => {
  it('refuses staleAfter equal to or longer than escalateAfter', () => {
    const msg = 'quotePolicy.escalateAfter: staleAfter must be shorter than escalateAfter';
    expect(refused(withPart({ quotePolicy: { validity: '30d', staleAfter: '7d', escalateAfter: '7d' } }))).toEqual([msg]);
    expect(refused(withPart({ quotePolicy: { validity: '30d', staleAfter: '8d', escalateAfter: '1w' } }))).toEqual([msg]);
    expect(ProcessDefinitionSchema.safeParse(withPart({ quotePolicy: { validity: '30d', staleAfter: '6d', escalateAfter: '1w' } })).success).toBe(true);
  });
});

describe('offsets in task templates, support and calls', () => {
  const template = (due: unknown, escalateAfter: unknown = '1d') => withPart({ tasks: { qualified: [{ kind: 'call', title: 'Call', due, escalateAfter }] } });

  it.each([
    ['-1d', '"-1d"'],
    ['abc', '"abc"'],
    ['', '""'],
    ['1.5bd', '"1.5bd"'],
    ['bd', '"bd"'],
    [-5, '-5'],
  ])('refuses due %p naming the template', (due, shown) => {
    expect(refused(template(due))).toEqual([`tasks.qualified[0].due: ${OFFSET_RULE} (got ${shown})`]);
  });

  it('refuses bad parsed offsets', () => {
    expect(refused(template({ ms: -1 }))).toEqual(['tasks.qualified[0].due.ms: must be 0 or more']);
    expect(refused(template({ businessDays: 1.5 }))[0]).toMatch(/^tasks\.qualified\[0\]\.due/);
    expect(refused(template({ weeks: 1 }))[0]).toMatch(/^tasks\.qualified\[0\]\.due/);
  });

  it('names escalateAfter separately from due', () => {
    expect(refused(template('1d', '2 days'))).toEqual([`tasks.qualified[0].escalateAfter: ${OFFSET_RULE} (got "2 days")`]);
  });

  it('accepts durations, numbers of ms, business days and zero', () => {
    const def = ProcessDefinitionSchema.parse(template(' 3 bd ', 90_000));
    expect(def.tasks.qualified?.[0]).toMatchObject({ due: { businessDays: 3 }, escalateAfter: { ms: 90_000 } });
    expect(ProcessDefinitionSchema.parse(template('0s')).tasks.qualified?.[0]?.due).toEqual({ ms: 0 });
    expect(ProcessDefinitionSchema.parse(template('2h30m')).tasks.qualified?.[0]?.due).toEqual({ ms: 2.5 * HOUR });
  });

  it('refuses bad support and call offsets', () => {
    expect(refused(withPart({ support: { team: 'desk', answerWithin: 'soon', escalateAfter: '2h' } }))).toEqual([
      `support.answerWithin: ${OFFSET_RULE} (got "soon")`,
    ]);
    expect(refused(withPart({ calls: { escalateAfter: '-1bd' } }))).toEqual([`calls.escalateAfter: ${OFFSET_RULE} (got "-1bd")`]);
    expect(refused(withPart({ calls: { defaultDuration: '0m' } }))).toEqual([
      'calls.defaultDuration: must be a positive duration such as 5s, 30m, 2h, 3d or 2w (got "0m")',
    ]);
  });
});

describe('task templates', () => {
  it('refuses an unknown task kind', () => {
    const msgs = refused(withPart({ tasks: { inquiry: [{ kind: 'meeting', title: 'Meet', due: '1d', escalateAfter: '1d' }] } }));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/^tasks\.inquiry\[0\]\.kind: /);
    expect(msgs[0]).toContain('prepare_quotation');
  });

  it('accepts every documented task kind', () => {
    for (const kind of ['call', 'demo', 'prepare_quotation', 'follow_up', 'support', 'custom']) {
      const def = ProcessDefinitionSchema.parse(withPart({ tasks: { inquiry: [{ kind, title: 'T', due: '1d', escalateAfter: '1d' }] } }));
      expect(def.tasks.inquiry?.[0]?.kind).toBe(kind);
    }
  });

  it('refuses a stage that does not exist', () => {
    expect(refused(withPart({ tasks: { negotiation: [{ kind: 'call', title: 'T', due: '1d', escalateAfter: '1d' }] } }))).toEqual([
      'tasks: unknown key negotiation',
    ]);
  });

  it('refuses an empty or overlong title', () => {
    expect(refused(withPart({ tasks: { inquiry: [{ kind: 'call', title: '', due: '1d', escalateAfter: '1d' }] } }))[0]).toMatch(/^tasks\.inquiry\[0\]\.title: /);
    expect(refused(withPart({ tasks: { inquiry: [{ kind: 'call', title: 'x'.repeat(201), due: '1d', escalateAfter: '1d' }] } }))[0]).toMatch(
      /^tasks\.inquiry\[0\]\.title: /,
    );
  });

  it('refuses a template without due', () => {
    expect(refused(withPart({ tasks: { won: [{ kind: 'call', title: 'T', escalateAfter: '1d' }] } }))[0]).toMatch(/^tasks\.won\[0\]\.due: /);
  });
});

describe('qualification rules and conditions', () => {
  const rule = (r: Record<string, unknown>) => withPart({ qualification: { threshold: 10, rules: [{ name: 'r', weight: 5, ...r }] } });

  it('refuses gt/gte/lt/lte with a string value', () => {
    for (const op of ['gt', 'gte', 'lt', 'lte']) {
      expect(refused(rule({ field: 'answers.budget', op, value: '10000' }))).toEqual([
        'qualification.rules[0].value: must be a number',
      ]);
    }
  });

  it('refuses `in` with an empty list or a non-list', () => {
    expect(refused(rule({ field: 'answers.timeline', op: 'in', value: [] }))).toEqual(['qualification.rules[0].value: must list at least one value']);
    expect(refused(rule({ field: 'answers.timeline', op: 'in', value: 'Q1' }))[0]).toMatch(/^qualification\.rules\[0\]\.value: /);
  });

  it('refuses a field path outside answers, fields, source, company, email', () => {
    const msg = 'qualification.rules[0].field: must start with one of answers, fields, source, company, email (e.g. answers.budget, fields.territory)';
    for (const field of ['budget', 'info.rep', 'answersbudget', 'stage']) {
      expect(refused(rule({ field, op: 'exists' }))).toEqual([msg]);
    }
    for (const field of ['answers.budget', 'fields.territory', 'source', 'company', 'email', 'fields.a.b']) {
      expect(ProcessDefinitionSchema.safeParse(rule({ field, op: 'exists' })).success).toBe(true);
    }
  });

  it('refuses an unknown op, naming the op', () => {
    const msgs = refused(rule({ field: 'answers.budget', op: 'like', value: 'x' }));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/^qualification\.rules\[0\]\.op: /);
    expect(msgs[0]).toContain('gte');
  });

  it('refuses contains with an empty string and eq with a list', () => {
    expect(refused(rule({ field: 'company', op: 'contains', value: '' }))[0]).toMatch(/^qualification\.rules\[0\]\.value: /);
    expect(refused(rule({ field: 'company', op: 'eq', value: ['a'] }))[0]).toMatch(/^qualification\.rules\[0\]\.value: /);
  });

  it('refuses a rule without a name or weight, or with a weight out of range', () => {
    expect(refused(withPart({ qualification: { threshold: 1, rules: [{ field: 'source', op: 'exists', weight: 1 }] } }))[0]).toMatch(
      /^qualification\.rules\[0\]\.name: /,
    );
    expect(refused(withPart({ qualification: { threshold: 1, rules: [{ name: 'x', field: 'source', op: 'exists' }] } }))[0]).toMatch(
      /^qualification\.rules\[0\]\.weight: /,
    );
    expect(refused(rule({ field: 'source', op: 'exists', weight: 1001 }))[0]).toMatch(/^qualification\.rules\[0\]\.weight: /);
  });

  it('refuses a knock-out without a reason and a threshold that is not a number', () => {
    expect(refused(withPart({ qualification: { threshold: 1, knockouts: [{ name: 'k', field: 'fields.segment', op: 'exists' }] } }))).toEqual([
      'qualification.knockouts[0].reason: is required',
    ]);
    expect(refused(withPart({ qualification: { threshold: '50' } }))).toEqual(['qualification.threshold: must be a number']);
  });

  it('checks the conditions of assignment rules the same way', () => {
    const assignment = { strategy: 'territory', rules: [{ field: 'territory', op: 'eq', value: 'south', team: 'south' }] };
    expect(refused(withPart({ assignment }))).toEqual([
      'assignment.rules[0].field: must start with one of answers, fields, source, company, email (e.g. answers.budget, fields.territory)',
    ]);
    expect(refused(withPart({ assignment: { strategy: 'by-mood' } }))[0]).toMatch(/^assignment\.strategy: /);
  });

  it('accepts exists without a value and eq with a number or boolean', () => {
    expect(ConditionSchema.parse({ field: 'email', op: 'exists' })).toEqual({ field: 'email', op: 'exists' });
    expect(ConditionSchema.parse({ field: 'fields.size', op: 'eq', value: 50 })).toEqual({ field: 'fields.size', op: 'eq', value: 50 });
    expect(ConditionSchema.parse({ field: 'fields.vip', op: 'ne', value: true })).toEqual({ field: 'fields.vip', op: 'ne', value: true });
  });
});

describe('parseOrThrow on a process definition', () => {
  it('gives one DomainError naming every bad path', () => {
    const bad = withPart({
      assignment: { defaultTeam: 'west' },
      qualification: { threshold: 1, rules: [{ name: 'r', field: 'budget', op: 'exists', weight: 1 }] },
    });
    expect(() => parseOrThrow(ProcessDefinitionSchema, bad, 'process definition')).toThrow(DomainError);
    expect(() => parseOrThrow(ProcessDefinitionSchema, bad, 'process definition')).toThrow(
      'invalid process definition: qualification.rules[0].field: must start with one of answers, fields, source, company, email ' +
        '(e.g. answers.budget, fields.territory); assignment.defaultTeam: no team "west" (teams: north, south, desk)',
    );
  });

  it('durations in the quote policy still parse to milliseconds next to the new parts', () => {
    expect(SALES_DEF.quotePolicy).toEqual({ validity: 30 * DAY, staleAfter: 3 * DAY, escalateAfter: 7 * DAY, currency: 'EUR', followUpDueIn: DAY });
  });
});

describe('one pass reports every problem', () => {
  it('a bad duration does not hide an unknown team or a bad task offset', () => {
    const found = problems(ProcessDefinitionSchema, {
      ...SALES,
      quotePolicy: { validity: 'x', staleAfter: '3d', escalateAfter: '7d' },
      assignment: { defaultTeam: 'west' },
      tasks: { inquiry: [{ kind: 'demo', title: 't', due: 'zz', escalateAfter: '1d' }] },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^quotePolicy\.validity: must be a positive duration/),
        expect.stringMatching(/^tasks\.inquiry\[0\]\.due: must be a duration/),
        expect.stringMatching(/^assignment\.defaultTeam: no team "west"/),
      ]),
    );
  });

  it('a bad staleAfter is reported once, not again as "shorter than escalateAfter"', () => {
    const found = problems(ProcessDefinitionSchema, { ...SALES, quotePolicy: { validity: '1d', staleAfter: 'x', escalateAfter: '7d' } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^quotePolicy\.staleAfter: must be a positive duration/);
  });
});

describe('rules name answers that exist', () => {
  it('a misspelt answer is refused instead of never matching', () => {
    const found = problems(ProcessDefinitionSchema, {
      ...SALES,
      qualification: { threshold: 1, rules: [{ name: 'b', field: 'answers.budgett', op: 'gte', value: 1, weight: 1 }] },
    });
    expect(found).toEqual(['qualification.rules[0].field: answers are answers.budget, answers.need, answers.authority, answers.timeline']);
  });
});
