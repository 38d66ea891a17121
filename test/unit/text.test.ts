import { commandSchemas } from '../../domain/pipeline/commands';
import { describeIssues, parseOrThrow } from '../../domain/shared/errors';
import { CampaignDefinitionSchema } from '../../domain/campaign/campaign';
import { logContact, newProspect } from '../../domain/pipeline/lifecycle';
import { openSupportQuery } from '../../domain/tasks/support';
import { ProcessDefinitionSchema, processDefinitionSchema } from '../../domain/process/process';
import { publish } from '../../domain/process/registry';
import { ProspectInfoSchema } from '../../domain/pipeline/prospect';
import { multiLineText, singleLineText } from '../../domain/shared/text';
import { lead, SALES, T0 } from './fixtures3';

function problems(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : describeIssues(result.error as Parameters<typeof describeIssues>[0]);
}

describe('single-line text', () => {
  const name = singleLineText(50).min(1, 'must not be empty');

  it('takes ordinary text, accents and emoji, trimmed', () => {
    expect(name.parse('  Zoë Müller-Łukasz 😀 ')).toBe('Zoë Müller-Łukasz 😀');
  });

  it.each([
    ['a tab', 'Ann\tBuyer', 'U+0009'],
    ['a newline', 'Ann\nBcc: victim@example.com', 'U+000A'],
    ['a carriage return', 'Ann\rBuyer', 'U+000D'],
    ['a bell', 'Ann\u0007', 'U+0007'],
    ['an escape sequence', '\u001b[31mred', 'U+001B'],
    ['DEL', 'A\u007fB', 'U+007F'],
    ['a C1 control', 'A\u0085B', 'U+0085'],
    ['a line separator', 'A\u2028B', 'U+2028'],
  ])('refuses %s and names the character', (_what, text, code) => {
    expect(problems(name, text)).toEqual([`must be one line without control characters (found ${code})`]);
  });

  it('keeps its other rules', () => {
    expect(problems(name, '   ')).toEqual(['must not be empty']);
    expect(problems(name, 'x'.repeat(51))).toEqual(['must be at most 50 characters']);
  });
});

describe('multi-line text', () => {
  const note = multiLineText(100);

  it('takes tab and newline', () => {
    expect(note.parse('line one\n\tline two')).toBe('line one\n\tline two');
  });

  it.each([
    ['a carriage return', 'a\r\nb', 'U+000D'],
    ['a NUL', 'a\u0000b', 'U+0000'],
    ['a form feed', 'a\fb', 'U+000C'],
  ])('refuses %s', (_what, text, code) => {
    expect(problems(note, text)).toEqual([`must not contain control characters other than tab and newline (found ${code})`]);
  });
});

describe('every schema that reads text uses the rule', () => {
  it('prospect info: name, company, phone, source and field values', () => {
    const info = { id: 'P1', name: 'Ann', rep: 'alice' };
    expect(problems(ProspectInfoSchema, { ...info, name: 'Ann\u0007' })).toEqual(['name: must be one line without control characters (found U+0007)']);
    expect(problems(ProspectInfoSchema, { ...info, company: 'ACME\nInc' })[0]).toMatch(/^company: must be one line/);
    expect(problems(ProspectInfoSchema, { ...info, phone: '555\t1234' })[0]).toMatch(/^phone: must be one line/);
    expect(problems(ProspectInfoSchema, { ...info, source: 'fa\rir' })[0]).toMatch(/^source: must be one line/);
    expect(problems(ProspectInfoSchema, { ...info, fields: { territory: 'north\u001b' } })[0]).toMatch(/^fields\.territory: must be one line/);
  });

  it('commands: notes may span lines, but who, outcomes and topics are one line', () => {
    const s = commandSchemas('current');
    expect(problems(s.LogContactSchema, { channel: 'call', note: 'called\n\tleft a message', by: 'alice' })).toEqual([]);
    expect(problems(s.LogContactSchema, { channel: 'call', note: 'x\u0000', by: 'alice' })[0]).toMatch(/^note: must not contain control characters/);
    expect(problems(s.LogContactSchema, { channel: 'call', by: 'ali\nce' })[0]).toMatch(/^by: must be one line/);
    expect(problems(s.CompleteTaskSchema, { taskId: 'T1', outcome: 'done\n' + 'x', by: 'a' })[0]).toMatch(/^outcome: must be one line/);
    expect(problems(s.OpenSupportQuerySchema, { topic: 'de\tlivery', question: 'when?', by: 'a' })[0]).toMatch(/^topic: must be one line/);
    expect(problems(s.MarkLostSchema, { reason: 'gone\u0007', by: 'a' })[0]).toMatch(/^reason: must not contain control characters/);
    expect(problems(s.QualifySchema, { answers: { authority: 'CFO\u0007' }, by: 'a' })[0]).toMatch(/^answers\.authority: must be one line/);
  });

  it('a domain command refuses it with the field named and leaves the prospect unchanged', () => {
    const state = lead();
    expect(() => logContact(state, { channel: 'call', note: 'hi\u0007', by: 'alice' }, state.createdAt)).toThrow(
      'invalid contact: note: must not contain control characters other than tab and newline (found U+0007)',
    );
    expect(() => openSupportQuery(state, { topic: 'a\nb', question: 'q', by: 'alice' }, state.createdAt)).toThrow(/^invalid support query: topic: must be one line/);
  });

  it('recorded rules (update handlers on replay) take text accepted before the rule existed', () => {
    const recorded = commandSchemas('recorded');
    expect(parseOrThrow(recorded.LogContactSchema, { channel: 'call', note: 'old\r\nnote', by: 'alice' }, 'contact').note).toBe('old\r\nnote');
  });

  it('process definitions: team and person names, task titles, rule names, description', () => {
    const team = SALES.teams[0]!;
    const bad = {
      ...SALES,
      description: 'ok\nmulti-line\u0007',
      teams: [{ ...team, name: 'no\trth', manager: { ...team.manager, name: 'Mia\u001b' } }, ...SALES.teams.slice(1)],
      tasks: { qualified: [{ kind: 'call', title: 'Call\n{{name}}', due: '1d', escalateAfter: '2d' }] },
    };
    const found = problems(ProcessDefinitionSchema, bad).filter((p) => /control characters/.test(p));
    expect(found.map((p) => p.split(':')[0])).toEqual(['description', 'teams[0].name', 'teams[0].manager.name', 'tasks.qualified[0].title']);
  });

  it('campaign definitions: the name', () => {
    const found = problems(CampaignDefinitionSchema, { name: 'Spring\u0007' }).filter((p) => p.startsWith('name:'));
    expect(found).toEqual(['name: must be one line without control characters (found U+0007)']);
  });
});

describe('definitions and prospects recorded before the rule still start, migrate and publish on replay', () => {
  const team = SALES.teams[0]!;
  const old = { ...SALES, teams: [{ ...team, name: 'no\trth' }, ...SALES.teams.slice(1)], assignment: undefined };

  it('the process schema at recorded rules takes what today refuses', () => {
    expect(processDefinitionSchema('current').safeParse(old).success).toBe(false);
    expect(processDefinitionSchema('recorded').parse(old).teams[0]?.name).toBe('no\trth');
  });

  it('newProspect (the workflow start) and publish (the registry handler) apply recorded rules when told', () => {
    const info = { id: 'P9', name: 'Bell\u0007', rep: 'alice' };
    expect(() => newProspect(info, SALES, T0)).toThrow('invalid prospect: name: must be one line without control characters (found U+0007)');
    expect(newProspect(info, SALES, T0, 'recorded').info.name).toBe('Bell\u0007');
    const registry = { name: 'sales', versions: [], roundRobin: {} };
    expect(() => publish(registry, { definition: old, by: 'olga' }, T0)).toThrow(/teams\[0\]\.name: must be one line/);
    expect(publish(registry, { definition: old, by: 'olga' }, T0, 'recorded').version.version).toBe(1);
  });
});

