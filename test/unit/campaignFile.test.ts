import { parseYamlWithSchema } from '../../client/shared/definitionText';
import { CampaignDefinitionSchema } from '../../domain/campaign/campaign';
import { ProcessDefinitionSchema } from '../../domain/process/process';

/** A campaign file as people write it: every problem at the line that has it. */

const problems = (yaml: string) => {
  const parsed = parseYamlWithSchema(yaml, CampaignDefinitionSchema);
  return parsed.ok ? [] : parsed.problems;
};

const FILE = ['id: c2', 'name: C2', 'templat:', '  subject: "Hi {{name}}"', '  text: "Dear {{name}}"', 'audience:', '  csv: a.csv', '  filtr: x', 'throtle: 5', ''];

test("an unknown key is reported at its own line, named itself, with the keys allowed there", () => {
  const got = problems(FILE.join('\n'));
  expect(got).toEqual(
    expect.arrayContaining([
      { path: 'templat', line: 3, message: "unknown key (keys at the top of the file: id, name, from, template, audience, leads, throttle, schedule)" },
      { path: 'audience.filtr', line: 8, message: 'unknown key (audience takes one of: csv, prospects, filter)' },
      { path: 'throtle', line: 9, message: "unknown key (keys at the top of the file: id, name, from, template, audience, leads, throttle, schedule)" },
    ]),
  );
  expect(got.map((p) => p.path)).not.toContain('(root)');
});

test("an unknown key in template is refused at its line with template's keys", () => {
  const yaml = ['id: c', 'name: C', 'template:', '  subject: "Hi"', '  text: "Dear {{name}}"', '  htm: "<p>{{nme}}</p>"', 'audience: {prospects: [p1]}', ''].join('\n');
  expect(problems(yaml)).toEqual([{ path: 'template.htm', line: 6, message: "unknown key (keys of template: subject, text, html)" }]);
});

test("a process file's unknown stage under tasks is named at its line, with the stages", () => {
  const yaml = ['name: p', 'tasks:', '  inquiry: []', '  negotiation: []', ''].join('\n');
  const parsed = parseYamlWithSchema(yaml, ProcessDefinitionSchema);
  expect(parsed.ok ? [] : parsed.problems.filter((p) => p.path.startsWith('tasks'))).toEqual([
    { path: 'tasks.negotiation', line: 4, message: expect.stringMatching(/^unknown key \(keys of tasks: contact, .*qualified\)$/) },
  ]);
});
