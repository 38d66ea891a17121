import { checkTemplateAgainstAudience, campaignMessageId, parseCampaignDefinition, throttledBatchSize, earliestSendTime, pauseCampaign, resumeCampaign, cancelCampaign, newCampaignState, type CampaignState } from '../../domain/campaign/campaign';
import { DomainError } from '../../domain/shared/errors';
import { missingVariables, renderTemplate, templateVariables, TemplateSchema } from '../../domain/campaign/template';

const template = {
  subject: 'Spring offer for {{company}}',
  text: 'Dear {{ name }},\nour pumps for {{company}}.\nUnsubscribe: {{unsubscribeUrl}}',
  html: '<p>Dear {{name}}</p>',
};

test('a template lists its variables and renders every one of them', () => {
  expect(templateVariables(template)).toEqual(['company', 'name', 'unsubscribeUrl']);
  const mail = renderTemplate(template, { name: 'Ann <Boss>', company: 'ACME\r\nBcc: x@evil', unsubscribeUrl: 'http://u' });
  expect(mail.subject).toBe('Spring offer for ACME Bcc: x@evil');
  expect(mail.text).toBe('Dear Ann <Boss>,\nour pumps for ACME\r\nBcc: x@evil.\nUnsubscribe: http://u');
  // Values are escaped in HTML, never in text.
  expect(mail.html).toBe('<p>Dear Ann &lt;Boss&gt;</p>');
});

test('a variable the audience does not provide is refused at validation time, naming it', () => {
  expect(missingVariables(template, ['name'])).toEqual(['company']);
  expect(missingVariables(template, ['name', 'company'])).toEqual([]);
  expect(() => checkTemplateAgainstAudience(template, { csv: 'x.csv' }, ['email', 'name'])).toThrow(
    new DomainError('template uses {{company}} but the CSV (columns: email, name) does not provide it'),
  );
  // The refusal is at the template's part that uses the variable, so an editor marks its line.
  const refused = (() => {
    try {
      checkTemplateAgainstAudience({ ...template, subject: 'Hello', text: 'for {{company}}' }, { csv: 'x.csv' }, ['email', 'name']);
    } catch (err) {
      return err as DomainError;
    }
  })();
  expect(refused?.issues?.map((i) => i.path)).toEqual([['template', 'text']]);
  // Prospect audiences provide the prospect's fields.
  expect(() => checkTemplateAgainstAudience(template, { prospects: ['acme'] })).not.toThrow();
  expect(() => checkTemplateAgainstAudience({ ...template, text: '{{budget}}' }, { filter: { stage: 'contact' } })).toThrow(/\{\{budget\}\}/);
});

test('rendering without a value throws instead of mailing a hole', () => {
  expect(() => renderTemplate(template, { name: 'Ann' })).toThrow('template variable {{company}} has no value');
});

test('a malformed placeholder is refused by the schema', () => {
  const result = TemplateSchema.safeParse({ subject: 'Hi {{first name}}', text: 'x' });
  expect(result.success).toBe(false);
  expect(result.error?.issues[0]?.message).toMatch(/malformed/);
});

test('an unbalanced placeholder is refused, not mailed as written', () => {
  const message = (t: Record<string, string>) => TemplateSchema.safeParse({ subject: 's', text: 't', ...t }).error?.issues.map((i) => [i.path.join('.'), i.message]);
  expect(message({ text: 'Dear {{name}} at {{company}, {{ company }}' })).toEqual([['text', 'has "{{company}," without its closing }} (a placeholder is {{name}})']]);
  expect(message({ subject: 'Hello name}} and {{name}}' })).toEqual([['subject', 'has "name}}": a }} with no {{ before it (a placeholder is {{name}})']]);
  // An HTML body's CSS may close two blocks at once; an unclosed {{ is refused there too.
  expect(message({ html: '<style>@media print { p { color: red }}</style><p>{{name}}</p>' })).toBeUndefined();
  expect(message({ html: '<p>{{name</p>' })).toEqual([['html', 'has "{{name</p>" without its closing }} (a placeholder is {{name}})']]);
});

test('a template is strict about its keys: htm: for html: is refused, not dropped', () => {
  const result = TemplateSchema.safeParse({ subject: 's', text: 't', htm: '<p>{{nme}}</p>' });
  expect(result.error?.issues).toMatchObject([{ code: 'unrecognized_keys', keys: ['htm'] }]);
});

test('a campaign definition names every bad field', () => {
  expect(() =>
    parseCampaignDefinition({ id: 'bad id', name: '', template: { subject: 's', text: 't' }, audience: { csv: 'a.csv' }, throttle: 0 }),
  ).toThrow(/id: must be letters.*name: must not be empty.*throttle/);
  expect(() => parseCampaignDefinition({ id: 'x', name: 'X', template: { subject: 's', text: 't' }, audience: { prospects: ['a'] }, leads: { rep: 'alice' } })).toThrow(
    /leads: leads only applies to a csv audience/,
  );
  expect(() => parseCampaignDefinition({ id: 'x', name: 'X', template: { subject: 's', text: 't' }, audience: { everyone: true } })).toThrow(/audience: must be one of/);
});

test('Message-IDs depend on the run and the recipient only', () => {
  const a = campaignMessageId('campaign-spring', 'Ann@ACME.example');
  expect(a).toBe(campaignMessageId('campaign-spring', 'ann@acme.example '));
  expect(a).toMatch(/^<campaign-spring\.ann_acme\.example-[0-9a-f]{8}@salesflow\.invalid>$/);
  expect(campaignMessageId('campaign-spring', 'ann+x@acme.example')).not.toBe(campaignMessageId('campaign-spring', 'ann_x@acme.example'));
  expect(campaignMessageId('campaign-autumn', 'ann@acme.example')).not.toBe(a);
});

test('the throttle spreads a minute\'s mails over the minute, and a pause gives no credit', () => {
  expect(throttledBatchSize(500, undefined)).toBe(500);
  expect(throttledBatchSize(500, 60)).toBe(10);
  expect(throttledBatchSize(500, 6000)).toBe(500);
  const def = parseCampaignDefinition({ id: 'x', name: 'X', template: { subject: 's', text: 't' }, audience: { csv: 'a.csv' }, throttle: 60 });
  let state: CampaignState = { ...newCampaignState(def, 'campaign-x', '2026-01-01T00:00:00.000Z'), status: 'running', pace: { since: '2026-01-01T00:00:00.000Z', cursor: 0 }, cursor: 30 };
  expect(earliestSendTime(state)).toBe(Date.parse('2026-01-01T00:00:30.000Z'));
  state = pauseCampaign(state, { by: 'ops' }, '2026-01-01T00:00:10.000Z');
  expect(() => pauseCampaign(state, { by: 'ops' }, '2026-01-01T00:00:11.000Z')).toThrow('cannot pause campaign x: it is paused');
  state = resumeCampaign(state, { by: 'ops' }, '2026-01-01T01:00:00.000Z');
  expect(earliestSendTime(state)).toBe(Date.parse('2026-01-01T01:00:00.000Z'));
  expect(earliestSendTime({ ...state, cursor: 40 })).toBe(Date.parse('2026-01-01T01:00:10.000Z'));
  const cancelled = cancelCampaign(state, { by: 'ops', reason: 'wrong list' }, '2026-01-01T01:00:05.000Z');
  expect(cancelled).toMatchObject({ status: 'cancelled', finishedAt: '2026-01-01T01:00:05.000Z' });
  expect(cancelled.changes.map((c) => c.what)).toEqual(['pause', 'resume', 'cancel: wrong list']);
  expect(() => resumeCampaign(cancelled, {}, '2026-01-01T01:00:06.000Z')).toThrow('cannot resume campaign x: it is cancelled');
});
