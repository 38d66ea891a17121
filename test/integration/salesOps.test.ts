import { OpsClient } from '../../client/process/opsClient';
import { ProcessDefinitionSchema, type ProcessDefinitionInput } from '../../domain/process/process';
import type { CapturedMail } from '../../scripts/mailSink';
import { eventually } from '../helpers/eventually';
import { startDevServerStack, type TestStack } from '../helpers/temporal';

/**
 * Sales ops and reps on the dev server: publish a process, watch round-robin assignment,
 * read inboxes from visibility, work tasks, and receive task mail and calendar invitations
 * over real SMTP.
 */

let stack: TestStack & { close(): Promise<void> };
let ops: OpsClient;
beforeAll(async () => {
  stack = await startDevServerStack();
  ops = new OpsClient(stack.client);
});
afterAll(async () => {
  await stack?.close();
});

const run = Date.now().toString(36);

function definition(name: string, due: string, escalateAfter: string): ProcessDefinitionInput {
  return {
    name,
    teams: [
      {
        name: 'north',
        manager: { id: 'maria', email: 'maria@ops.test' },
        reps: ['alice', 'bob', 'carol'].map((id) => ({ id, name: `${id[0]!.toUpperCase()}${id.slice(1)} Rep`, email: `${id}@ops.test` })),
      },
    ],
    tasks: { qualified: [{ kind: 'call', title: 'First call with {{name}}', due, escalateAfter }] },
    quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
  };
}

/** The text/calendar part of a captured mail, decoded and unfolded into lines. */
function calendarLines(mail: CapturedMail): string[] {
  const part = mail.raw.split(/\r?\n--/).find((p) => /content-type:\s*text\/calendar/i.test(p));
  if (!part) throw new Error(`no text/calendar part in ${mail.subject}`);
  const split = part.search(/\r?\n\r?\n/);
  const headers = part.slice(0, split);
  let body = part.slice(split).trim();
  const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') body = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return body.replace(/\r?\n[ \t]/g, '').split(/\r?\n/).filter((l) => l !== '');
}

/** Checks the RFC 5545 shape a calendar client needs and returns the event's properties. */
function parseVevent(lines: string[]): Map<string, string> {
  expect(lines[0]).toBe('BEGIN:VCALENDAR');
  expect(lines[lines.length - 1]).toBe('END:VCALENDAR');
  expect(lines.filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
  expect(lines.filter((l) => l === 'END:VEVENT')).toHaveLength(1);
  expect(lines).toContain('VERSION:2.0');
  const start = lines.indexOf('BEGIN:VEVENT');
  const end = lines.indexOf('END:VEVENT');
  expect(start).toBeLessThan(end);
  const props = new Map<string, string>();
  for (const line of lines.slice(start + 1, end)) {
    const colon = line.search(/:(?=[^"]*(?:"[^"]*"[^"]*)*$)/);
    const name = line.slice(0, colon).split(';')[0]!;
    props.set(name === 'ATTENDEE' ? `ATTENDEE:${line.slice(colon + 1)}` : name, line.slice(colon + 1));
  }
  for (const required of ['UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SEQUENCE', 'ORGANIZER']) expect(props.has(required)).toBe(true);
  expect(props.get('DTSTART')).toMatch(/^\d{8}T\d{6}Z$/);
  expect(props.get('DTEND')! > props.get('DTSTART')!).toBe(true);
  props.set('METHOD', lines.find((l) => l.startsWith('METHOD:'))!.slice(7));
  return props;
}

test('publish, round-robin across three reps, inboxes from visibility, tasks worked and mailed', async () => {
  const name = `rr-${run}`;
  const published = await ops.publish(ProcessDefinitionSchema.parse(definition(name, '1h', '1h')), 'ops');
  expect(published.version).toBe(1);
  await expect(ops.publish(ProcessDefinitionSchema.parse(definition(name, '1h', '1h')), 'ops')).rejects.toThrow('nothing to publish: the file is the same as version 1');

  const reps: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const { state } = await ops.createOnProcess({ id: `${name}-p${i}`, name: `Prospect ${i}`, email: `p${i}@customer.test` }, name);
    reps.push(state.info.rep);
    expect(state.process).toMatchObject({ name, version: 1 });
  }
  expect(reps).toEqual(['alice', 'bob', 'carol', 'alice', 'bob', 'carol']);

  for (let i = 1; i <= 6; i++) await stack.client.command(`${name}-p${i}`, 'qualify', { outcome: 'qualified', by: reps[i - 1] });

  for (const rep of ['alice', 'bob', 'carol']) {
    const inbox = await eventually(async () => {
      const rows = (await ops.inbox(rep)).filter((r) => r.prospectId.startsWith(name));
      if (rows.length !== 2) throw new Error(`${rep} has ${rows.length} tasks`);
      return rows;
    });
    expect(inbox.every((r) => r.rep === rep && r.kind === 'call' && r.state === 'open')).toBe(true);
    expect(inbox[0]!.dueAt <= inbox[1]!.dueAt).toBe(true);
    expect(inbox.map((r) => r.title)).toEqual(expect.arrayContaining([expect.stringMatching(/^First call with Prospect \d$/)]));
  }
  // Every new task reached its rep by mail.
  for (let i = 1; i <= 6; i++) {
    const mail = await stack.sink.waitFor((m) => m.messageId === `<prospect-${name}-p${i}.task-${name}-p${i}-T1@salesflow.invalid>`);
    expect(mail.recipients).toEqual([`${reps[i - 1]}@ops.test`]);
  }

  await ops.completeTask(`${name}-p1-T1`, 'reached', 'call back Tuesday', 'alice');
  await eventually(async () => {
    const rows = (await ops.inbox('alice')).filter((r) => r.prospectId.startsWith(name));
    if (rows.length !== 1 || rows[0]!.id !== `${name}-p4-T1`) throw new Error(`alice still has ${rows.map((r) => r.id)}`);
  });
  await eventually(async () => {
    const task = (await stack.client.getProspect(`${name}-p1`)).tasks[0];
    if (task?.state !== 'done' || task.outcome !== 'reached') throw new Error('completion not on the prospect yet');
  });
});

test('a scheduled call sends a valid invitation; rescheduling keeps the UID and bumps SEQUENCE; done lands in the contact log', async () => {
  const name = `calls-${run}`;
  await stack.client.createProspect({ id: name, name: 'Cal Endar', email: 'cal@customer.test', rep: 'bob' }, definition(name, '1h', '1h'));
  const scheduled = await stack.client.command(name, 'scheduleCall', { at: '2030-05-06T09:00:00Z', duration: '45m', by: 'bob' });
  const callId = scheduled.calls![0]!.id;
  const invite = await stack.sink.waitFor((m) => m.messageId === `<prospect-${name}.call-${callId}-s0@salesflow.invalid>`);
  expect(invite.recipients.sort()).toEqual(['bob@ops.test', 'cal@customer.test']);
  const first = parseVevent(calendarLines(invite));
  expect(first.get('METHOD')).toBe('REQUEST');
  expect(first.get('DTSTART')).toBe('20300506T090000Z');
  expect(first.get('DTEND')).toBe('20300506T094500Z');
  expect(first.get('SEQUENCE')).toBe('0');
  expect([...first.keys()].filter((k) => k.startsWith('ATTENDEE:')).sort()).toEqual(['ATTENDEE:mailto:bob@ops.test', 'ATTENDEE:mailto:cal@customer.test']);

  await stack.client.command(name, 'rescheduleCall', { callId, at: '2030-05-07T14:00:00Z', by: 'bob' });
  const moved = parseVevent(calendarLines(await stack.sink.waitFor((m) => m.messageId === `<prospect-${name}.call-${callId}-s1@salesflow.invalid>`)));
  expect(moved.get('UID')).toBe(first.get('UID'));
  expect(moved.get('SEQUENCE')).toBe('1');
  expect(moved.get('DTSTART')).toBe('20300507T140000Z');
  // The call's task in bob's inbox names the new time (its title is the task workflow's memo).
  await eventually(async () => {
    const row = (await ops.inbox('bob')).find((r) => r.prospectId === name);
    if (row?.title !== 'Call Cal Endar at 2030-05-07T14:00:00Z') throw new Error(`inbox title still ${row?.title}`);
  });

  // A call is done after its start, never before: moved up to now, then it can be.
  await expect(stack.client.command(name, 'completeCall', { callId, outcome: 'interested', by: 'bob' })).rejects.toThrow(
    `cannot mark call ${callId} done before it started at 2030-05-07T14:00:00Z (rule: a call is done after its start; reschedule it if it moved)`,
  );
  const soon = new Date(Date.now() + 2_000).toISOString();
  await stack.client.command(name, 'rescheduleCall', { callId, at: soon, by: 'bob' });
  const done = await eventually(() => stack.client.command(name, 'completeCall', { callId, outcome: 'interested', note: 'send a quote', by: 'bob' }));
  expect(done.contacts).toEqual([expect.objectContaining({ channel: 'call', note: 'interested: send a quote', source: callId, at: soon })]);

  const second = await stack.client.command(name, 'scheduleCall', { at: '2030-06-01T09:00:00Z', by: 'bob' });
  const secondId = second.calls![1]!.id;
  await stack.client.command(name, 'cancelCall', { callId: secondId, reason: 'customer away' });
  const cancel = parseVevent(calendarLines(await stack.sink.waitFor((m) => m.messageId === `<prospect-${name}.call-${secondId}-s1@salesflow.invalid>`)));
  expect(cancel.get('METHOD')).toBe('CANCEL');
  expect(cancel.get('STATUS')).toBe('CANCELLED');
});

test('an overdue task escalates live with second-scale SLAs and shows in the overdue inbox', async () => {
  const name = `late-${run}`;
  await ops.publish(ProcessDefinitionSchema.parse(definition(name, '1s', '2s')), 'ops');
  const { state } = await ops.createOnProcess({ id: name, name: 'Slow Sue', rep: 'carol' }, name);
  expect(state.info.rep).toBe('carol');
  // One of carol's tasks not due for an hour: in her inbox, never in her overdue inbox.
  await ops.publish(ProcessDefinitionSchema.parse(definition(`${name}-hour`, '1h', '1h')), 'ops');
  await ops.createOnProcess({ id: `${name}-hour`, name: 'Patient Pat', rep: 'carol' }, `${name}-hour`);
  await stack.client.command(`${name}-hour`, 'qualify', { outcome: 'qualified' });
  await stack.client.command(name, 'qualify', { outcome: 'qualified' });
  await stack.sink.waitFor((m) => m.messageId.startsWith(`<task-${name}-T1.overdue-`));
  const escalation = await stack.sink.waitFor((m) => m.messageId.startsWith(`<task-${name}-T1.escalation-`));
  expect(escalation.recipients).toEqual(['maria@ops.test', 'carol@ops.test']);
  await eventually(async () => {
    const overdue = (await ops.inbox('carol', 'overdue')).find((r) => r.id === `${name}-T1`);
    if (overdue?.state !== 'escalated') throw new Error(`overdue inbox: ${JSON.stringify(overdue)}`);
    if (!(await ops.inbox('carol')).some((r) => r.id === `${name}-hour-T1`)) throw new Error('the task due in an hour is not listed yet');
  });
  expect((await ops.inbox('carol', 'overdue')).map((r) => r.id)).not.toContain(`${name}-hour-T1`);
  expect((await ops.inboxPage('carol', 'overdue', 50)).tasks.map((r) => r.id)).toContain(`${name}-T1`);
  const record = await eventually(async () => {
    const s = await stack.client.getProspect(name);
    if (s.escalations.length < 2) throw new Error('escalation not recorded yet');
    return s;
  });
  expect(record.escalations.map((e) => e.kind)).toEqual(['task_overdue', 'task_escalated']);
});

test('migrate moves what is safe and says what it refused, through visibility', async () => {
  const name = `mig-${run}`;
  await ops.publish(ProcessDefinitionSchema.parse(definition(name, '1h', '1h')), 'ops');
  await ops.createOnProcess({ id: `${name}-a`, name: 'A', rep: 'alice' }, name);
  await ops.createOnProcess({ id: `${name}-c`, name: 'C', rep: 'carol' }, name);
  const v2 = definition(name, '2h', '1h');
  v2.teams[0]!.reps = v2.teams[0]!.reps.filter((r) => r.id !== 'carol');
  await ops.publish(ProcessDefinitionSchema.parse(v2), 'ops');

  const expected = [
    { prospectId: `${name}-a`, from: 1, outcome: 'would migrate' },
    { prospectId: `${name}-c`, from: 1, outcome: 'refused', reason: 'its rep "carol" is not in version 2' },
  ];
  const dry = await eventually(async () => {
    const report = await ops.migrate(name, 2, {}, true, 'ops');
    if (report.results.length !== 2) throw new Error('not visible yet');
    return report;
  });
  expect(dry).toEqual({ results: expected, moved: 1, refused: 1, unchanged: 0, customers: { results: [], moved: 0, refused: 0, unchanged: 0 } });
  expect((await stack.client.getProspect(`${name}-a`)).process.version).toBe(1);

  const real = await ops.migrate(name, 2, { stage: 'contact' }, false, 'ops');
  expect(real.results).toEqual([{ ...expected[0], outcome: 'migrated' }, expected[1]]);
  expect(real).toMatchObject({ moved: 1, refused: 1 });
  expect((await stack.client.getProspect(`${name}-a`)).process.version).toBe(2);
  expect((await stack.client.getProspect(`${name}-c`)).process.version).toBe(1);

  // carol left in v2: her prospect moves to bob as part of the migration, in one step.
  const dryReassign = await eventually(async () => {
    const report = await ops.migrate(name, 2, {}, true, 'ops', { from: 'carol', to: 'bob' });
    if (report.unchanged !== 1) throw new Error('visibility not caught up');
    return report;
  });
  expect(dryReassign).toEqual({ results: [{ prospectId: `${name}-c`, from: 1, outcome: 'would migrate' }], moved: 1, refused: 0, unchanged: 1, customers: { results: [], moved: 0, refused: 0, unchanged: 0 } });
  const moved = await ops.migrate(name, 2, {}, false, 'ops', { from: 'carol', to: 'bob' });
  expect(moved).toEqual({ results: [{ prospectId: `${name}-c`, from: 1, outcome: 'migrated' }], moved: 1, refused: 0, unchanged: 1, customers: { results: [], moved: 0, refused: 0, unchanged: 0 } });
  const c = await stack.client.getProspect(`${name}-c`);
  expect(c).toMatchObject({ process: { version: 2 }, info: { rep: 'bob' } });
  expect(c.changes.map((x) => x.what)).toContain('reassigned from carol to bob: carol is not in ' + name + ' v2');
});
