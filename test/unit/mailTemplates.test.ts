import { ProcessDefinitionSchema } from '../../domain/process/process';
import { publish } from '../../domain/process/registry';
import { DEFAULT_MAIL_TEMPLATES, MAIL_KINDS, MAIL_VARIABLES, renderCustomerMail, unknownVariables } from '../../domain/process/mailTemplates';
import { scheduleCall } from '../../domain/tasks/calls';
import { DAY, INFO, PROCESS, at, fresh } from './fixtures';

describe('customer mail templates', () => {
  it('refuses an unknown variable when the process is validated, naming the template and the variable', () => {
    const result = ProcessDefinitionSchema.safeParse({
      ...PROCESS,
      mailTemplates: { quotation: { subject: 'Offer {{quotationNumber}}', body: 'Dear {{customerName}}, your discount code is {{discountCode}}.' } },
    });
    expect(result.success).toBe(false);
    const issue = result.error!.issues.find((i) => i.path.join('.') === 'mailTemplates.quotation.body');
    expect(issue?.message).toMatch(/^unknown variable \{\{discountCode\}\}; a quotation mail knows \{\{customerName\}\}/);
  });

  it('refuses a variable of another kind of mail (replacesRevision is only a revision mail\'s)', () => {
    expect(unknownVariables('quotation', { subject: 'Revision of {{replacesRevision}}', body: 'x' })).toEqual([{ field: 'subject', variable: 'replacesRevision' }]);
    expect(unknownVariables('revision', { subject: 'Revision of {{replacesRevision}}', body: 'x' })).toEqual([]);
  });

  it('refuses the unknown variable at publish time, so no such version is ever stored', () => {
    const definition = { ...PROCESS, mailTemplates: { callInvitation: { subject: 'Call {{callTime}}', body: '{{totl}}' } } };
    expect(() => publish({ name: PROCESS.name, versions: [], roundRobin: {} }, { definition, by: 'ops' }, '2026-03-01T00:00:00Z')).toThrow(/unknown variable \{\{totl\}\}/);
  });

  it('accepts a template that uses only its own variables', () => {
    const result = ProcessDefinitionSchema.safeParse({ ...PROCESS, mailTemplates: { quotation: { subject: 'Offer {{ quotationNumber }} for {{company}}', body: '{{lines}}\n\n{{acceptUrl}}' } } });
    expect(result.success).toBe(true);
  });

  it('the built-in templates use only their own variables', () => {
    for (const kind of MAIL_KINDS) expect(unknownVariables(kind, DEFAULT_MAIL_TEMPLATES[kind])).toEqual([]);
  });

  it('escapes every value in the HTML part and keeps line breaks out of the subject', () => {
    const vars = Object.fromEntries(MAIL_VARIABLES.quotation.map((v) => [v, `<b>${v}</b>\r\nBcc: evil@attacker.example`]));
    const mail = renderCustomerMail(DEFAULT_MAIL_TEMPLATES.quotation, vars);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('&lt;b&gt;customerName&lt;/b&gt;');
  });
});

describe('the call invitation of a process with a seller', () => {
  it('is the process\'s template, from the rep on the company address, with the calendar invitation', () => {
    const process = {
      ...PROCESS,
      seller: { legalName: 'Nordwerk GmbH', email: 'sales@nordwerk.example' },
      mailTemplates: { callInvitation: { subject: '{{sellerName}}: call on {{callTime}}', body: 'Dear {{customerName}},\n\nlet us talk ({{duration}}).\n\n{{repName}}' } },
    };
    const state = scheduleCall(fresh(INFO, process), { at: at(2 * DAY), by: 'alice' }, at(0));
    const mail = state.outbox.find((m) => m.calendar)!;
    expect(mail.subject).toMatch(/^Nordwerk GmbH: call on /);
    expect(mail.text).toBe('Dear Ada Buyer,\n\nlet us talk (30 min).\n\nalice');
    expect(mail.html).toContain('let us talk (30 min).');
    expect(mail.from).toEqual({ name: 'alice', address: 'sales@nordwerk.example' });
    expect(mail.calendar?.method).toBe('REQUEST');
  });
});
