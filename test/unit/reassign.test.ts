import { migrateProcess, reassign, runCommand } from '../../domain/pipeline/lifecycle';
import { ProcessDefinitionSchema } from '../../domain/process/process';
import { at, HOUR, lead, refusal, SALES, salesV } from './fixtures3';

const NOW = at(2 * HOUR);

describe('reassign', () => {
  it('moves the prospect and its open tasks to the new rep, mails them, and records who and why', () => {
    const before = lead(); // alice, with the contact-stage task
    const openTask = before.tasks[0]!;
    const after = runCommand('reassign', before, { rep: 'bob', reason: 'alice on leave', by: 'mia' }, NOW);
    expect(after.info.rep).toBe('bob');
    expect(after.tasks).toEqual([{ ...openTask, rep: 'bob' }]);
    expect(after.changes[after.changes.length - 1]).toEqual({ at: NOW, by: 'mia', what: `reassigned from alice to bob with task(s) ${openTask.id}: alice on leave` });
    const mail = after.outbox[after.outbox.length - 1]!;
    expect(mail).toMatchObject({ to: 'bob@example.com', subject: 'Reassigned to you: Ada Buyer (Acme) (P1)' });
    expect(mail.text).toContain("is now yours; it was alice's.");
    expect(mail.text).toContain('Reason: alice on leave');
    expect(mail.text).toContain(`${openTask.id}  due Mon 2 Mar 2026, 13:00 UTC  ${openTask.title}`);
    expect(mail.messageId).toBe(`<prospect-P1.reassigned-${after.changes.length}@salesflow.invalid>`);
  });

  it("leaves done tasks and other reps' tasks where they are", () => {
    const base = lead();
    const done = { ...base, tasks: [...base.tasks.map((t) => ({ ...t, state: 'done' as const })), { ...base.tasks[0]!, id: 'P1-T9', rep: 'carol' }] };
    const after = reassign(done, { rep: 'bob', by: 'mia' }, NOW);
    expect(after.tasks.map((t) => t.rep)).toEqual(['alice', 'carol']);
    expect(after.outbox[after.outbox.length - 1]!.text).toContain('No open tasks came with it.');
  });

  it('writes the mail in the zone the process names', () => {
    const berlin = lead({}, { ...SALES, timezone: 'Europe/Berlin' });
    const mail = reassign(berlin, { rep: 'bob', by: 'mia' }, NOW).outbox.at(-1)!;
    expect(mail.text).toContain('due Mon 2 Mar 2026, 14:00 CET');
  });

  it('refuses a rep who is not in the prospect\'s process version, the current rep, and a closed prospect, changing nothing', () => {
    const state = lead();
    expect(refusal(() => reassign(state, { rep: 'zed', by: 'mia' }, NOW), state)).toBe('invalid reassignment: rep: "zed" is not a rep of process "sales" v1 (reps: alice, bob, carol, sam)');
    expect(refusal(() => reassign(state, { rep: 'alice', by: 'mia' }, NOW), state)).toBe('P1 is already assigned to alice');
    const lost = runCommand('markLost', state, { reason: 'no budget', by: 'mia' }, NOW);
    expect(refusal(() => reassign(lost, { rep: 'bob', by: 'mia' }, NOW), lost)).toBe('cannot reassign: the prospect is lost');
    expect(refusal(() => reassign(state, { rep: '', by: 'mia' }, NOW), state)).toBe('invalid reassignment: rep: must name a rep');
  });
});

describe('migrate with reassign', () => {
  const withoutCarol = ProcessDefinitionSchema.parse(
    // carol left; dan took her place in the south team.
    salesV(2, { teams: structuredClone(SALES.teams).map((t) => ({ ...t, reps: t.reps.map((r) => (r.id === 'carol' ? { id: 'dan', email: 'dan@example.com' } : r)) })) }),
  );
  const carols = () => lead({ rep: 'carol', fields: { territory: 'south' } });

  it('a departed rep\'s prospect is refused without it, and moves to the new rep with it, in one step', () => {
    const state = carols();
    expect(refusal(() => migrateProcess(state, { process: withoutCarol, by: 'ops' }, NOW), state)).toBe('cannot migrate P1: its rep "carol" is not in version 2');
    const moved = migrateProcess(state, { process: withoutCarol, reassign: { from: 'carol', to: 'bob' }, by: 'ops' }, NOW);
    expect(moved.process.version).toBe(2);
    expect(moved.info.rep).toBe('bob');
    expect(moved.tasks.every((t) => t.rep === 'bob')).toBe(true);
    expect(moved.changes.map((c) => c.what)).toEqual(expect.arrayContaining([expect.stringMatching(/^reassigned from carol to bob .*: carol is not in sales v2$/)]));
    expect(moved.outbox.at(-1)).toMatchObject({ to: 'bob@example.com' });
  });

  it("does not touch a prospect whose rep stays, nor accept a new rep outside the target version", () => {
    const alices = lead();
    expect(migrateProcess(alices, { process: withoutCarol, reassign: { from: 'carol', to: 'bob' }, by: 'ops' }, NOW).info.rep).toBe('alice');
    const state = carols();
    expect(refusal(() => migrateProcess(state, { process: withoutCarol, reassign: { from: 'carol', to: 'carol' }, by: 'ops' }, NOW), state)).toMatch(/^invalid reassignment: rep: "carol" is not a rep of process "sales" v2/);
  });
});
