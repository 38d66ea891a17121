import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProcessFile } from '../../client/process/processFile';
import { formatProblem, parseYamlWithSchema, type FileProblem } from '../../client/shared/definitionText';
import { DomainError } from '../../domain/shared/errors';
import { ProcessDefinitionSchema, processFileProblems } from '../../domain/process/process';
import { HOUR, SALES, SALES_DEF } from './fixtures3';

/** Lines joined as a file; line N of the file is `lines[N - 1]`. */
function file(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

function problemsOf(text: string): FileProblem[] {
  const result = parseYamlWithSchema(text, ProcessDefinitionSchema);
  if (result.ok) throw new Error('expected the file to be refused');
  return result.problems;
}

/** `line path` for each problem, sorted by line, so a test reads like the file. */
function where(problems: FileProblem[]): string[] {
  return problems.map((p) => `${p.line} ${p.path}`).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
}

const QUOTE_POLICY = ['quotePolicy:', '  validity: 30d', '  staleAfter: 3d', '  escalateAfter: 7d'];

describe('parseYamlWithSchema on a process file', () => {
  it('parses a valid file into the definition the schema gives', () => {
    const text = readFileSync(join(__dirname, '..', '..', 'examples', 'process-sales.yaml'), 'utf8');
    const result = parseYamlWithSchema(text, ProcessDefinitionSchema);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.name).toBe('sales');
    expect(result.value.support).toEqual({ team: 'support', answerWithin: { ms: 4 * HOUR }, escalateAfter: { ms: 4 * HOUR } });
    expect(result.value.tasks.inquiry?.[0]?.due).toEqual({ businessDays: 1 });
  });

  it('accepts JSON, which is YAML', () => {
    const result = parseYamlWithSchema(JSON.stringify(SALES_DEF, null, 2), ProcessDefinitionSchema);
    expect(result).toEqual({ ok: true, value: SALES_DEF });
  });

  it('gives each schema problem the line of the offending value', () => {
    const text = file(
      /* 1 */ 'name: sales',
      /* 2 */ 'teams:',
      /* 3 */ '  - name: north',
      /* 4 */ '    manager: { id: mia, email: mia@example.com }',
      /* 5 */ '    reps:',
      /* 6 */ '      - { id: alice, email: alice-at-example }',
      /* 7 */ '  - name: south',
      /* 8 */ '    manager: { id: sven, email: sven@example.com }',
      /* 9 */ '    reps: []',
      /* 10 */ 'tasks:',
      /* 11 */ '  qualified:',
      /* 12 */ '    - kind: call',
      /* 13 */ '      title: First call',
      /* 14 */ '      due: -1d',
      /* 15 */ '      escalateAfter: 4h',
      /* 16 */ '    - { kind: meeting, title: Meet, due: 1d, escalateAfter: 1d }',
      /* 17 */ 'qualification:',
      /* 18 */ '  threshold: 50',
      /* 19 */ '  rules:',
      /* 20 */ '    - { name: budget, field: answers.budget, op: gte, value: "10000", weight: 40 }',
      ...QUOTE_POLICY,
    );
    const problems = problemsOf(text);
    expect(where(problems)).toEqual([
      '6 teams[0].reps[0].email',
      '9 teams[1].reps',
      '14 tasks.qualified[0].due',
      '16 tasks.qualified[1].kind',
      '20 qualification.rules[0].value',
    ]);
    expect(problems.find((p) => p.path === 'tasks.qualified[0].due')?.message).toBe(
      'must be a duration such as 30s, 4h, 2d or business days such as 1bd (got "-1d")',
    );
    expect(problems.find((p) => p.path === 'teams[1].reps')?.message).toBe('a team needs at least one rep');
  });

  it('gives cross-reference problems the line of the name that is wrong', () => {
    const text = file(
      /* 1 */ 'name: sales',
      /* 2 */ 'teams:',
      /* 3 */ '  - name: north',
      /* 4 */ '    manager: { id: mia, email: mia@example.com }',
      /* 5 */ '    reps: [{ id: alice, email: alice@example.com }]',
      /* 6 */ '  - name: north',
      /* 7 */ '    manager: { id: sven, email: sven@example.com }',
      /* 8 */ '    reps:',
      /* 9 */ '      - { id: carol, email: carol@example.com }',
      /* 10 */ '      - { id: alice, email: alice2@example.com }',
      /* 11 */ 'assignment:',
      /* 12 */ '  strategy: territory',
      /* 13 */ '  rules:',
      /* 14 */ '    - { field: fields.territory, op: eq, value: east, team: east }',
      /* 15 */ '  defaultTeam: west',
      /* 16 */ 'support:',
      /* 17 */ '  team: desk',
      /* 18 */ '  answerWithin: 4h',
      /* 19 */ '  escalateAfter: 2h',
      ...QUOTE_POLICY,
    );
    const problems = problemsOf(text);
    expect(where(problems)).toEqual([
      '6 teams[1].name',
      '10 teams[1].reps[1].id',
      '14 assignment.rules[0].team',
      '15 assignment.defaultTeam',
      '17 support.team',
    ]);
    expect(problems.find((p) => p.path === 'support.team')?.message).toBe('no team "desk" (teams: north)');
  });

  it('reports a missing key on the line of its parent', () => {
    const text = file(
      /* 1 */ 'name: sales',
      /* 2 */ 'teams:',
      /* 3 */ '  - name: north',
      /* 4 */ '    reps: [{ id: alice, email: alice@example.com }]',
      ...QUOTE_POLICY,
    );
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'teams[0].manager', line: 3 });
    // A section's missing key: on the section's own key, not on its first entry below it.
    const section = file(
      /* 1 */ 'name: sales',
      /* 2 */ 'teams: [{ name: north, manager: { id: m, email: m@example.com }, reps: [{ id: alice, email: alice@example.com }] }]',
      /* 3 */ 'quotePolicy:',
      /* 4 */ '  validity: 30d',
      /* 5 */ '  escalateAfter: 7d',
    );
    expect(problemsOf(section)).toEqual([expect.objectContaining({ path: 'quotePolicy.staleAfter', line: 3 })]);
  });

  it('reports a YAML syntax error with its line, and nothing else', () => {
    const duplicateKey = file('name: sales', 'teams: []', 'name: other', ...QUOTE_POLICY);
    expect(problemsOf(duplicateKey)).toEqual([{ path: '(file)', line: 3, message: expect.stringMatching(/unique/i) }]);

    const unclosedFlow = file('name: sales', 'teams:', '  - { name: north, reps: [', 'quotePolicy:', '  validity: 30d');
    const problems = problemsOf(unclosedFlow);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.path === '(file)')).toBe(true);
    // Detected where the next block starts, after the unclosed flow sequence.
    expect(problems[0]!.line).toBe(4);
    // The message is one line, fit for `file:line: message`.
    expect(problems.every((p) => !p.message.includes('\n'))).toBe(true);

    expect(problemsOf(file('name: sales', 'description: a: b', 'teams: []'))).toEqual([
      { path: '(file)', line: 2, message: 'Nested mappings are not allowed in compact mappings' },
    ]);
    expect(problemsOf(file('name: sales', '\tteams: []', ...QUOTE_POLICY))).toEqual([
      { path: '(file)', line: 2, message: 'Tabs are not allowed as indentation' },
    ]);
  });

  it('a document that is not a mapping is refused at its first line', () => {
    expect(problemsOf(file('- sales', '- north'))).toEqual([{ path: '(root)', line: 1, message: 'must be a mapping' }]);
  });
});

describe('formatProblem and loadProcessFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'salesflow-process-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('formats a problem as file:line: path: message', () => {
    expect(formatProblem('p.yaml', { path: 'support.team', line: 17, message: 'no team "desk"' })).toBe('p.yaml:17: support.team: no team "desk"');
    expect(formatProblem('p.yaml', { path: '(root)', message: 'empty' })).toBe('p.yaml:?: (root): empty');
  });

  it('loads a valid file', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(SALES));
    expect(loadProcessFile(path)).toEqual(SALES_DEF);
  });

  it('refuses a duration without its unit, on its line, and names the rule', () => {
    const path = join(dir, 'bare.yaml');
    writeFileSync(
      path,
      file(
        'name: sales',
        'teams:',
        '  - name: north',
        '    manager: { id: mia, email: mia@example.com }',
        '    reps: [{ id: al, email: al@example.com }]',
        'quotePolicy:',
        '  validity: 30d',
        '  staleAfter: 10',
        '  escalateAfter: 7d',
        'calls:',
        '  escalateAfter: 8',
      ),
    );
    expect(() => loadProcessFile(path)).toThrow(
      new DomainError(
        `invalid process file: ${path}:8: quotePolicy.staleAfter: 10 has no unit: write it with one, e.g. 10d, 10h or 10m (rule: every duration carries its unit); ` +
          `${path}:11: calls.escalateAfter: 8 has no unit: write it with one, e.g. 8d, 8h or 8m (rule: every duration carries its unit)`,
      ),
    );
    // The schema itself still takes milliseconds: workflow inputs carry parsed definitions.
    expect(ProcessDefinitionSchema.safeParse(SALES_DEF).success).toBe(true);
  });

  it('throws one DomainError listing every problem with file:line', () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, file('name: Sales', 'teams:', '  - name: north', '    manager: { id: mia, email: nope }', '    reps: []', ...QUOTE_POLICY));
    let caught: unknown;
    try {
      loadProcessFile(path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DomainError);
    const message = (caught as Error).message;
    expect(message.startsWith('invalid process file: ')).toBe(true);
    expect(message).toContain(`${path}:1: name: must be lower-case letters, digits and "-"`);
    expect(message).toContain(`${path}:4: teams[0].manager.email: must be an email address`);
    expect(message).toContain(`${path}:5: teams[0].reps: a team needs at least one rep`);
    expect(message).not.toContain('\n');
  });

  it('says when the file cannot be read', () => {
    expect(() => loadProcessFile(join(dir, 'missing.yaml'))).toThrow(new DomainError(`cannot read process file ${join(dir, 'missing.yaml')}: ENOENT`));
  });
});

test('problems come in file order, missing sections as "is required"', () => {
  const text = ['name: Bad Name', 'teams:', '  - name: north', '    manager: { id: maria, email: not-an-email }', '    reps: [{ id: alice, email: a@example.com }]', 'assignment: { defaultTeam: east }', ''].join('\n');
  const parsed = parseYamlWithSchema(text, ProcessDefinitionSchema);
  expect(parsed.ok).toBe(false);
  if (parsed.ok) return;
  expect(parsed.problems.map((p) => [p.line, p.path, p.message])).toEqual([
    [1, 'name', 'must be lower-case letters, digits and "-"'],
    [1, 'quotePolicy', 'is required'],
    [4, 'teams[0].manager.email', 'must be an email address'],
    [6, 'assignment.defaultTeam', 'no team "east" (teams: north)'],
  ]);
});

describe('what a process file gets wrong without the schema noticing', () => {
  const base = file('name: typo', 'teams:', '  - name: north', '    manager: { id: nina, email: nina@x.test }', '    reps: [{ id: ravi, email: ravi@x.test }]', ...QUOTE_POLICY);
  const check = (text: string) => {
    const result = parseYamlWithSchema(text, ProcessDefinitionSchema, processFileProblems);
    return result.ok ? [] : result.problems.map((p) => formatProblem('f.yaml', p));
  };

  it('a key the schema does not know, at the top, is named with its line', () => {
    expect(check(base + 'timezon: Europe/Berlin\n')).toEqual([expect.stringMatching(/^f\.yaml:10: timezon: is not a setting of a process \(settings: name, version, .*timezone.*\)$/)]);
  });

  it('a task title naming a variable there is none of', () => {
    const text = base + file('tasks:', '  qualified:', '    - { kind: call, title: "First call with {{nmae}} ({{company}})", due: 1d, escalateAfter: 1d }');
    expect(check(text)).toEqual(['f.yaml:12: tasks.qualified[0].title: {{nmae}} is not a variable of a task title (there are: {{name}}, {{company}}, {{id}})']);
  });

  it('every example process file passes', () => {
    for (const name of ['process-default.yaml', 'process-fast.yaml', 'process-sales.yaml', 'process-sales-v2.yaml']) {
      expect({ name, problems: check(readFileSync(join(__dirname, '..', '..', 'examples', name), 'utf8')) }).toEqual({ name, problems: [] });
    }
  });
});
