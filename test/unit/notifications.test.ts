import { QUOTATION_LINK, messageId, quoteSentMail, taskAboutLine, taskEscalationMail, taskOverdueMail } from '../../domain/pipeline/notifications';
import { currentQuote } from '../../domain/pipeline/lifecycle';
import { at, HOUR, DAY, withSent } from './fixtures';
import { formatTime } from '../../domain/shared/timeZone';

describe('mails', () => {
  it('derives Message-IDs from the workflow and the subject of the mail', () => {
    expect(messageId('prospect-P1', 'quote-r2-sent')).toBe('<prospect-P1.quote-r2-sent@salesflow.invalid>');
  });

  it('the quotation mail lists every line, the total and the validity', () => {
    const state = withSent();
    const mail = quoteSentMail(state, currentQuote(state)!);
    expect(mail).toEqual(state.outbox[0]);
    const text = mail!.text;
    expect(text).toContain('Dear Ada Buyer,');
    expect(text).toContain('  WIDGET-1  3 x €19.99 -10 %  net €53.97  VAT 0 % €0.00  = €53.97');
    expect(text).toContain('  SVC/INSTALL  1 x €250.00  net €250.00  VAT 0 % €0.00  = €250.00');
    expect(text).toContain('  Total: €303.97');
    expect(text).toContain(`  Valid until: ${formatTime(at(4 * HOUR + 10 * DAY))}`);
    // The lines come after the opening, before the link to accept.
    expect(text.indexOf('offer you the following')).toBeLessThan(text.indexOf('WIDGET-1'));
    expect(text.indexOf('WIDGET-1')).toBeLessThan(text.indexOf(QUOTATION_LINK));
  });
});

describe('task reminder mails', () => {
  const task = { id: 'acme-pumps-C1', title: 'Onboarding call with Acme Pumps', dueAt: '2030-01-07T09:00:00.000Z', escalateAt: '2030-01-08T09:00:00.000Z', prospectId: '', rep: 'alice' };

  it("name a post-sales task's customer account, not an empty prospect", () => {
    const overdue = taskOverdueMail(task, 'alice@sales.test', 'UTC', { id: 'acme-pumps', name: 'Acme Pumps' });
    expect(overdue.text.split('\n')[1]).toBe('Customer: Acme Pumps (acme-pumps)');
    const escalation = taskEscalationMail(task, 'maria@sales.test', 'alice@sales.test', 'UTC', { id: 'acme-pumps', name: 'Acme Pumps' });
    expect(escalation.text).toContain('\nCustomer: Acme Pumps (acme-pumps)');
    for (const mail of [overdue, escalation]) expect(mail.text).not.toMatch(/Prospect:/);
  });

  it('name the account by its id when its name is not known (tasks started before the name was passed)', () => {
    expect(taskOverdueMail(task, 'alice@sales.test', 'UTC', { id: 'acme-pumps' }).text).toContain('\nCustomer: acme-pumps\n');
  });

  it("name a prospect's task's prospect by its id when the task was started without its name", () => {
    const mail = taskOverdueMail({ ...task, id: 'lead-1-T1', prospectId: 'lead-1' }, 'alice@sales.test', 'UTC');
    expect(mail.text.split('\n')[1]).toBe('Prospect: lead-1');
    expect(taskAboutLine({ prospectId: 'lead-1' }, { id: 'ignored' })).toBe('Prospect: lead-1');
  });

  it("name a prospect's task's prospect by name and company, and link the rep's day and the manager's team tasks", () => {
    const prospectTask = { ...task, id: 'lead-1-T1', prospectId: 'lead-1' };
    const overdue = taskOverdueMail(prospectTask, 'alice@sales.test', 'UTC', undefined, { name: 'Lisa Lang', company: 'Lang GmbH' });
    expect(overdue.text.split('\n')[1]).toBe('Prospect: Lisa Lang (Lang GmbH) (lead-1)');
    expect(overdue.text).toContain('\nOpen in salesflow: https://salesflow.invalid/app/day\n');
    const escalation = taskEscalationMail(prospectTask, 'maria@sales.test', 'alice@sales.test', 'UTC', undefined, { name: 'Lisa Lang' });
    expect(escalation.text).toContain('\nProspect: Lisa Lang (lead-1)\n');
    expect(escalation.text).toContain('\nOpen in salesflow: https://salesflow.invalid/app/team-tasks\n');
  });
});
