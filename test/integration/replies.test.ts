import nodemailer, { type SendMailOptions } from 'nodemailer';
import { simpleParser } from 'mailparser';
import type { ProcessDefinitionInput } from '../../domain/process/process';
import { prospectWorkflowId } from '../../domain/pipeline/prospect';
import { inboundHandler } from '../../server/inboundMail';
import { eventually } from '../helpers/eventually';
import { accountFor, call, startServer, type ServerHarness } from '../helpers/server';

/**
 * Replies count: a customer's answer to a quotation mail, sent over real SMTP to the sink
 * (which is also salesflow's inbound endpoint), is matched to its prospect, logged as an
 * inbound email contact with its new text, and stops the stale-quotation reminder. An
 * out-of-office does not; mail that matches nothing lands in the unmatched list ops read.
 */

let h: ServerHarness;
const REPLIES = 'replies@salesflow.localhost';
beforeAll(async () => {
  h = await startServer();
  h.stack.sink.inbound = inboundHandler({ db: h.database.db, sales: h.stack.client, replyAddress: REPLIES });
});
afterAll(async () => {
  await h?.close();
});

const uniq = Date.now().toString(36);
// Reminders after 6 s without an answer; the offer itself stays open.
const PROCESS: ProcessDefinitionInput = {
  name: 'replies',
  teams: [{ name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', name: 'Ravi Rep', email: 'ravi@sales.test' }] }],
  quotePolicy: { validity: '1h', staleAfter: '6s', escalateAfter: '50m', followUpDueIn: '1h' },
  seller: { legalName: 'Pumpen Nord GmbH', email: 'sales@pumpen.test' },
};

async function quoted(name: string) {
  const id = `${name}-${uniq}`;
  const client = h.stack.client;
  await client.createProspect({ id, name: 'Ada Buyer', email: `${id}@customer.test`, rep: 'ravi' }, PROCESS);
  await client.command(id, 'qualify', { outcome: 'qualified', by: 'ravi' });
  await client.command(id, 'createInquiry', { items: [{ product: 'VALVE', quantity: 10 }], by: 'ravi' });
  await client.command(id, 'createQuote', { lines: [{ product: 'VALVE', quantity: 10, unitPrice: '5' }], by: 'ravi' });
  const sent = await client.command(id, 'sendQuote', { by: 'ravi' });
  const captured = await h.stack.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-sent@salesflow.invalid>`);
  return { id, sentAt: Date.parse(sent.quotes[0]!.sentAt!), mail: await simpleParser(captured.raw) };
}

/** What a customer's mail program does: answer to Reply-To, quoting the mail. */
async function reply(message: SendMailOptions): Promise<void> {
  const transport = nodemailer.createTransport({ url: h.stack.sink.url, ignoreTLS: true } as Parameters<typeof nodemailer.createTransport>[0]);
  try {
    await transport.sendMail(message);
  } finally {
    transport.close();
  }
}

const waitPast = (at: number) => new Promise((r) => setTimeout(r, Math.max(at - Date.now(), 0)));

test('a reply over SMTP to the quotation mail is logged on its prospect (quoted history stripped) and stops the reminder; the same mail again is logged once', async () => {
  const { id, sentAt, mail } = await quoted('answered');
  const replyTo = mail.replyTo!.value[0]!.address!;
  expect(replyTo).toBe(`replies+p.${id}@salesflow.localhost`);
  const answer = {
    from: `Ada Buyer <${id}@customer.test>`,
    to: replyTo,
    subject: `Re: ${mail.subject}`,
    inReplyTo: mail.messageId,
    references: [mail.messageId!],
    messageId: `<answer-${id}@customer.test>`,
    text: `Looks good. Can you deliver in March?\n\nOn Mon, 2 Mar 2026, Ravi Rep <sales@pumpen.test> wrote:\n> Dear Ada Buyer,\n> thank you for your inquiry.\n`,
  };
  await reply(answer);
  const state = await eventually(async () => {
    const s = await h.stack.client.getProspect(id);
    if (!s.contacts.some((c) => c.direction === 'inbound')) throw new Error('reply not logged yet');
    return s;
  });
  expect(state.contacts.filter((c) => c.direction === 'inbound')).toEqual([
    expect.objectContaining({ channel: 'email', note: 'Looks good. Can you deliver in March?', by: `${id}@customer.test`, source: `mail:<answer-${id}@customer.test>` }),
  ]);
  expect(state.tasks.at(-1)).toMatchObject({ kind: 'follow_up', rep: 'ravi', title: `Answer Ada Buyer's reply on quotation Q-${id}-1` });

  // Delivered again (a relay retrying): recognised by its Message-ID, logged once.
  await reply(answer);
  // Past the stale time: no reminder, because the customer answered.
  await waitPast(sentAt + 6_000 + 3_000);
  expect(h.stack.sink.messages.some((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-reminder@salesflow.invalid>`)).toBe(false);
  const after = await h.stack.client.getProspect(id);
  expect(after.contacts.filter((c) => c.direction === 'inbound')).toHaveLength(1);
  expect(after.quotes[0]!.remindedAt).toBeUndefined();
});

test('an out-of-office answer does not count: the reminder still goes out, and the auto-reply is kept', async () => {
  const { id, mail } = await quoted('away');
  await reply({
    from: `${id}@customer.test`,
    to: mail.replyTo!.value[0]!.address!,
    subject: `Automatic reply: ${mail.subject}`,
    inReplyTo: mail.messageId,
    headers: { 'Auto-Submitted': 'auto-replied' },
    messageId: `<ooo-${id}@customer.test>`,
    text: 'I am out of the office until Monday.',
  });
  await h.stack.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-reminder@salesflow.invalid>`, 30_000);
  expect((await h.stack.client.getProspect(id)).contacts.filter((c) => c.direction === 'inbound')).toEqual([]);
  const ops = await accountFor(h, `ops-away-${uniq}`, 'ops');
  const listed = await call(h.url, 'GET', '/api/inbound?status=auto_reply', { as: ops });
  expect(listed.body.mail).toContainEqual(expect.objectContaining({ messageId: `<ooo-${id}@customer.test>`, prospectId: id, status: 'auto_reply' }));
});

test('a reply to a campaign mail (plus address c.<prospect>) is logged on the recipient\'s prospect with a follow-up task', async () => {
  const { id } = await quoted('campaign');
  await reply({ from: `${id}@customer.test`, to: `replies+c.${id}@salesflow.localhost`, subject: 'Re: Spring offers', messageId: `<camp-${id}@customer.test>`, text: 'Interested in the spring pumps.' });
  const state = await eventually(async () => {
    const s = await h.stack.client.getProspect(id);
    if (!s.contacts.some((c) => c.note === 'Interested in the spring pumps.')) throw new Error('not logged yet');
    return s;
  });
  expect(state.tasks.at(-1)).toMatchObject({ kind: 'follow_up', rep: 'ravi', title: "Answer Ada Buyer's reply" });
});

test('mail that matches no prospect lands in the unmatched list ops read, not in the bin', async () => {
  await reply({ from: 'stranger@elsewhere.test', to: REPLIES, subject: 'Do you sell valves?', messageId: `<stranger-${uniq}@elsewhere.test>`, text: 'Hello, do you sell valves?' });
  const ops = await accountFor(h, `ops-${uniq}`, 'ops');
  const listed = await eventually(async () => {
    const answer = await call(h.url, 'GET', '/api/inbound', { as: ops });
    if (!answer.body.mail?.some((m: { messageId: string }) => m.messageId === `<stranger-${uniq}@elsewhere.test>`)) throw new Error(JSON.stringify(answer.body));
    return answer;
  });
  expect(listed.body.mail).toContainEqual(
    expect.objectContaining({ from: 'stranger@elsewhere.test', subject: 'Do you sell valves?', status: 'unmatched', text: 'Hello, do you sell valves?', detail: expect.stringContaining('no In-Reply-To') }),
  );
  // A rep may not read other people's mail.
  const rep = await accountFor(h, `rep-${uniq}`, 'rep', { personId: 'ravi' });
  expect((await call(h.url, 'GET', '/api/inbound', { as: rep })).status).toBe(403);
});
