import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { signQuotationLink } from '../../activities/pipeline/quotationLink';
import { findDocument } from '../../db/documents';
import type { ProcessDefinitionInput } from '../../domain/process/process';
import { DEV_UNSUBSCRIBE_SECRET } from '../../domain/shared/config';
import { prospectWorkflowId } from '../../domain/pipeline/prospect';
import { useBrowser } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { pdfText } from '../helpers/pdfText';
import { startServer, type ServerHarness } from '../helpers/server';
import { screenshot } from '../web/webHarness';

/**
 * The public quotation page end to end: a real worker mails the quotation (PDF stored in
 * PostgreSQL), the link from that mail is opened in Chromium against the real server, and
 * the customer accepts, declines or asks; broken, expired and superseded links are refused
 * with a page that says why, and two racing acceptances end in one.
 */

let h: ServerHarness;
let browser: Browser;
beforeAll(async () => {
  // The worker signs links with its secret (the development one in tests); the server checks them.
  h = await startServer({ unsubscribeSecret: DEV_UNSUBSCRIBE_SECRET });
  browser = await useBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const uniq = Date.now().toString(36);

const PROCESS: ProcessDefinitionInput = {
  name: 'page',
  teams: [{ name: 'north', manager: { id: 'nina', name: 'Nina Manager', email: 'nina@sales.test' }, reps: [{ id: 'ravi', name: 'Ravi Rep', email: 'ravi@sales.test' }] }],
  quotePolicy: { validity: '1h', staleAfter: '30m', escalateAfter: '45m', followUpDueIn: '1h' },
  seller: {
    legalName: 'Pumpen Nord GmbH',
    address: 'Kai 1\n20457 Hamburg',
    taxId: 'DE111111111',
    email: 'sales@pumpen.test',
    locale: 'en-GB',
    tax: { name: 'VAT', rate: '19' },
    paymentTerms: '14 days net.',
  },
};

interface Sent {
  id: string;
  mail: ParsedMail;
  /** The page's link from the mail, pointed at the test server. */
  url: string;
  token: string;
  sha256: string;
}

async function sendQuotation(name: string, extra: { validTo?: string } = {}): Promise<Sent> {
  const id = `${name}-${uniq}`;
  const client = h.stack.client;
  await client.createProspect({ id, name: 'Ada Buyer', company: 'Acme', email: `${id}@customer.test`, rep: 'ravi' }, PROCESS);
  await client.command(id, 'qualify', { outcome: 'qualified', by: 'ravi' });
  await client.command(id, 'createInquiry', { items: [{ product: 'PUMP-X', quantity: 2 }], by: 'ravi' });
  await client.command(id, 'createQuote', { lines: [{ product: 'PUMP-X', quantity: 2, unitPrice: '1999.90', discountPercent: '5' }], ...extra, by: 'ravi' });
  await client.command(id, 'sendQuote', { by: 'ravi' });
  const captured = await h.stack.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-sent@salesflow.invalid>`);
  const mail = await simpleParser(captured.raw);
  const link = /https?:\/\/[^\s]+\/quotation\?token=[A-Za-z0-9._%-]+/.exec(mail.text ?? '')![0];
  const token = decodeURIComponent(new URL(link).searchParams.get('token')!);
  const sha256 = await eventually(async () => {
    const hash = (await client.getProspect(id)).quotes[0]?.documentSha256;
    if (!hash) throw new Error('no document hash yet');
    return hash;
  });
  return { id, mail, token, sha256, url: `${h.url}/quotation?token=${encodeURIComponent(token)}` };
}

async function open(url: string): Promise<Page> {
  const page = await (await browser.newContext({ userAgent: 'Mozilla/5.0 (salesflow test) Chrome/153' })).newPage();
  await page.goto(url);
  return page;
}

async function fillAcceptance(page: Page, signer: string): Promise<void> {
  await page.fill('#accept input[name=signer]', signer);
  await page.fill('#accept input[name=signature]', signer);
  await page.check('#accept input[name=terms]');
}

test('the customer opens the link from the mail, sees the revision and its PDF, and accepts: won, with the acceptance on record', async () => {
  const sent = await sendQuotation('accept');
  expect(sent.mail.attachments.map((a) => a.filename)).toEqual([`Q-${sent.id}-1.pdf`]);

  const page = await open(sent.url);
  expect(await page.title()).toBe(`Quotation Q-${sent.id}-1`);
  // 2 x 1,999.90 at 5 % off = 3,799.81 net; 19 % VAT 721.96; 4,521.77 gross.
  expect(await page.textContent('#net')).toBe('€3,799.81');
  expect(await page.textContent('#total')).toBe('€4,521.77');
  expect(await page.textContent('#sha256')).toBe(sent.sha256);
  // On a phone the page does not scroll sideways: each line a card, its figures named.
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number)).toBeLessThanOrEqual(390);
  const gross = (await page.locator('table.lines td[data-label="Gross"]').first().boundingBox())!;
  expect(gross.x + gross.width).toBeLessThanOrEqual(390);
  expect((await page.locator('#total').boundingBox())!.x + (await page.locator('#total').boundingBox())!.width).toBeLessThanOrEqual(390);
  await page.screenshot({ path: join(__dirname, '..', 'web', 'screenshots', 'quotation-page-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 860 });

  // The PDF behind the page's link: the stored bytes, whose hash the workflow recorded.
  const pdf = await page.request.get(new URL((await page.getAttribute('#pdf', 'href'))!, h.url).toString());
  expect(pdf.headers()['content-type']).toBe('application/pdf');
  const bytes = await pdf.body();
  expect(createHash('sha256').update(bytes).digest('hex')).toBe(sent.sha256);
  expect((await findDocument(h.database.db, sent.id, 1))?.sha256).toBe(sent.sha256);
  expect(createHash('sha256').update(sent.mail.attachments[0]!.content).digest('hex')).toBe(sent.sha256);
  const text = await pdfText(bytes);
  for (const expected of ['PUMP-X', '€1,999.90', '€3,799.81', '€721.96', '€4,521.77', 'Net total', 'Valid until', 'Payment: 14 days net.']) expect(text).toContain(expected);

  await fillAcceptance(page, 'Ada Buyer');
  await page.click('#accept button');
  expect(await page.textContent('h1')).toBe(`Thank you: quotation Q-${sent.id}-1 is accepted`);
  // What happens now, and who to ask.
  expect(await page.textContent('#next')).toBe(`You accepted €4,521.77. A confirmation with the accepted quotation (PDF) is on its way to ${sent.id}@customer.test. Your contact: Ravi Rep <ravi@sales.test>.`);

  const state = await h.stack.client.getProspect(sent.id);
  expect(state.stage).toBe('won');
  expect(state.quotes[0]).toMatchObject({ status: 'accepted', answeredOnline: { decision: 'accepted', signer: 'Ada Buyer', signature: 'Ada Buyer', ip: '127.0.0.1', documentSha256: sent.sha256 } });
  expect(state.quotes[0]!.answeredOnline!.userAgent).toContain('salesflow test');

  // The customer's confirmation carries the accepted PDF; the rep and the manager are told.
  const confirmation = await simpleParser((await h.stack.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(sent.id)}.quote-r1-accepted@salesflow.invalid>`)).raw);
  expect(confirmation.to && 'text' in confirmation.to ? confirmation.to.text : '').toContain(`${sent.id}@customer.test`);
  expect(createHash('sha256').update(confirmation.attachments[0]!.content).digest('hex')).toBe(sent.sha256);
  expect(confirmation.text).toMatch(/^Dear Ada Buyer,\n\nthank you for accepting our quotation Q-\S+ \(€4,521\.77\), signed by Ada Buyer on /);
  const notice = await h.stack.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(sent.id)}.quote-r1-accepted-notice@salesflow.invalid>`);
  expect(notice.recipients.sort()).toEqual(['nina@sales.test', 'ravi@sales.test']);
  // The time as every mail writes it, not an ISO instant.
  expect(notice.raw).toMatch(/\nAt: \w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2} /);

  // Opened again, the page says it is accepted and offers nothing more.
  await page.goto(sent.url);
  expect(await page.textContent('#status')).toContain('was accepted');
  expect(await page.$('#accept')).toBeNull();
});

test('the customer declines with a reason: lost, and the rep is told', async () => {
  const sent = await sendQuotation('reject');
  const page = await open(sent.url);
  await page.fill('#reject textarea[name=reason]', 'Too expensive\nfor this year');
  await page.click('#reject button');
  expect(await page.textContent('h1')).toBe(`Quotation Q-${sent.id}-1 is declined`);
  const state = await h.stack.client.getProspect(sent.id);
  expect(state.stage).toBe('lost');
  expect(state.quotes[0]).toMatchObject({ status: 'rejected', reason: 'Too expensive\nfor this year' });
  await h.stack.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(sent.id)}.quote-r1-rejected-notice@salesflow.invalid>`);
});

test('the customer asks a question: an inbound contact and a task for the rep, the offer still open', async () => {
  const sent = await sendQuotation('question');
  const page = await open(sent.url);
  await page.fill('#question input[name=name]', 'Ada');
  await page.fill('#question textarea[name=question]', 'Can you deliver in March?');
  await page.click('#question button');
  expect(await page.textContent('h1')).toBe('Thank you: your question is on its way');
  const state = await h.stack.client.getProspect(sent.id);
  expect(state.stage).toBe('quotation');
  expect(state.contacts.at(-1)).toMatchObject({ channel: 'web', direction: 'inbound', note: 'Can you deliver in March?', by: 'Ada' });
  expect(state.tasks.at(-1)).toMatchObject({ kind: 'follow_up', rep: 'ravi', state: 'open', title: `Answer Ada Buyer's question on quotation Q-${sent.id}-1` });
  // The rep's task mail carries the question itself.
  const taskMail = await h.stack.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(sent.id)}.task-${state.tasks.at(-1)!.id}@salesflow.invalid>`);
  expect(taskMail.raw).toContain('They wrote:\r\n> Can you deliver in March?\r\n');
});

test('a changed link, a changed document and an expired link are refused with a page that says why', async () => {
  const sent = await sendQuotation('tamper');
  // Another revision in the link, with the old signature.
  const [body, sig] = sent.token.split('.');
  const payload = JSON.parse(Buffer.from(body!, 'base64url').toString());
  const forged = `${Buffer.from(JSON.stringify({ ...payload, r: 2 })).toString('base64url')}.${sig}`;
  const page = await open(`${h.url}/quotation?token=${encodeURIComponent(forged)}`);
  expect(await page.textContent('h1')).toBe('This link does not work');
  expect(await page.textContent('#reason')).toBe('The link has been changed or was not made by us.');

  // The page's form with another document's hash: the workflow refuses, nothing changes.
  await page.goto(sent.url);
  await fillAcceptance(page, 'Mallory');
  await page.locator('#accept input[name=sha256]').evaluate((input, value) => ((input as unknown as { value: string }).value = value), '0'.repeat(64));
  await page.click('#accept button');
  expect(await page.textContent('h1')).toBe('The quotation cannot be accepted');
  expect(await page.textContent('#reason')).toBe('The document answered is not the one sent as revision 1.');
  expect((await h.stack.client.getProspect(sent.id)).stage).toBe('quotation');

  const expired = signQuotationLink(DEV_UNSUBSCRIBE_SECRET, { prospectId: sent.id, revision: 1, expiresAt: Date.now() - 1000 });
  const response = await page.goto(`${h.url}/quotation?token=${encodeURIComponent(expired)}`);
  expect(response?.status()).toBe(410);
  expect(await page.textContent('#reason')).toBe('The link has expired.');
});

/** A prospect at the quotation stage whose first revision has just been sent (its mail may not be out yet). */
async function quoteWithoutWaiting(id: string, email: string): Promise<void> {
  const client = h.stack.client;
  await client.createProspect({ id, name: 'Pat Pending', company: 'Acme', email, rep: 'ravi' }, PROCESS);
  await client.command(id, 'qualify', { outcome: 'qualified', by: 'ravi' });
  await client.command(id, 'createInquiry', { items: [{ product: 'PUMP-X', quantity: 1 }], by: 'ravi' });
  await client.command(id, 'createQuote', { lines: [{ product: 'PUMP-X', quantity: 1, unitPrice: '100' }], by: 'ravi' });
  await client.command(id, 'sendQuote', { by: 'ravi' });
}

test('while the quotation mail waits for SMTP its document is stored: the page asks for a moment and an answer is refused, until the mail is out', async () => {
  const id = `pending-${uniq}`;
  const client = h.stack.client;
  // The relay refuses by policy (retried, as for an outage): the activity that stores the
  // document and then sends the mail stops between the two.
  h.stack.sink.faults.policyRefusal = true;
  let stored;
  let page: Page;
  const url = `${h.url}/quotation?token=${encodeURIComponent(signQuotationLink(DEV_UNSUBSCRIBE_SECRET, { prospectId: id, revision: 1, expiresAt: Date.now() + 3_600_000 }))}`;
  try {
    await quoteWithoutWaiting(id, `${id}@customer.test`);
    stored = await eventually(async () => {
      const doc = await findDocument(h.database.db, id, 1);
      if (!doc) throw new Error('no document stored yet');
      return doc;
    });
    expect((await client.getProspect(id)).quotes[0]!.documentSha256).toBeUndefined();
    page = await open(url);
    expect(await page.textContent('#status')).toContain('being finalised');
    expect(await page.$('#accept')).toBeNull();
    await screenshot(page, 'quotation-being-finalised');
    // An answer naming the stored document (through the API) is refused and changes nothing.
    await expect(client.command(id, 'acceptQuote', { revision: 1, documentSha256: stored.sha256, by: 'customer' })).rejects.toThrow(/still being recorded/);
    expect((await client.getProspect(id)).stage).toBe('quotation');
  } finally {
    h.stack.sink.faults.policyRefusal = false;
  }
  // The relay takes it on the next try: the mail carries that document, and its hash is on record.
  const captured = await h.stack.sink.waitFor((m) => m.messageId === `<${prospectWorkflowId(id)}.quote-r1-sent@salesflow.invalid>`, 90_000);
  const mail = await simpleParser(captured.raw);
  expect(createHash('sha256').update(mail.attachments[0]!.content).digest('hex')).toBe(stored.sha256);
  await eventually(async () => {
    if ((await client.getProspect(id)).quotes[0]!.documentSha256 !== stored.sha256) throw new Error('hash not recorded yet');
  });
  await page.goto(url);
  await fillAcceptance(page, 'Pat Pending');
  await page.click('#accept button');
  expect(await page.textContent('h1')).toBe(`Thank you: quotation Q-${id}-1 is accepted`);
}, 120_000);

test('a quotation mail whose recipient is refused still records its stored document', async () => {
  const id = `refused-${uniq}`;
  const email = `${id}@customer.test`;
  // The rep is on copy: SMTP fails the mail only when every recipient is refused.
  const refused = [email, 'ravi@sales.test'];
  for (const address of refused) h.stack.sink.rejected.add(address);
  let state;
  try {
    await quoteWithoutWaiting(id, email);
    // The mail failed for good after the document was stored: the failure carried the hash.
    state = await eventually(async () => {
      const s = await h.stack.client.getProspect(id);
      if (s.outbox.some((m) => m.messageId.includes('quote-r1-sent'))) throw new Error('the quotation mail is still queued');
      return s;
    }, 30_000);
  } finally {
    for (const address of refused) h.stack.sink.rejected.delete(address);
  }
  expect(state.changes.map((c) => c.what)).toContainEqual(expect.stringMatching(new RegExp(`^mail to ${email} refused`)));
  expect(state.quotes[0]!.documentSha256).toBe((await findDocument(h.database.db, id, 1))!.sha256);
});

test('an offer past its validity shows that it expired, and an acceptance sent anyway is refused', async () => {
  const sent = await sendQuotation('expired', { validTo: new Date(Date.now() + 8_000).toISOString() });
  const page = await open(sent.url);
  await fillAcceptance(page, 'Late Larry');
  const validTo = Date.parse((await h.stack.client.getProspect(sent.id)).quotes[0]!.validTo!);
  await new Promise((r) => setTimeout(r, Math.max(validTo - Date.now() + 500, 0)));
  await page.click('#accept button');
  expect(await page.textContent('h1')).toBe('The quotation cannot be accepted');
  expect(await page.textContent('#reason')).toMatch(/^Revision 1 expired/);
  await page.goto(sent.url);
  expect(await page.textContent('#status')).toContain('expired');
  expect(await page.$('#accept')).toBeNull();
  // Its terms no longer call it binding.
  expect(await page.textContent('body')).toMatch(/This offer expired unanswered on .* and binds nobody now\./);
  expect(await page.textContent('body')).not.toContain('This offer is binding until');
});

test('a superseded revision cannot be accepted from a tab left open, and its document stays available', async () => {
  const sent = await sendQuotation('superseded');
  const page = await open(sent.url);
  await fillAcceptance(page, 'Ada Buyer');
  await h.stack.client.command(sent.id, 'changeQuote', { lines: [{ product: 'PUMP-X', quantity: 2, unitPrice: '1899.90' }], by: 'ravi' });
  await page.click('#accept button');
  expect(await page.textContent('h1')).toBe('The quotation cannot be accepted');
  expect(await page.textContent('#reason')).toBe('Revision 1 was superseded by revision 2.');

  await page.goto(sent.url);
  expect(await page.textContent('#status')).toContain('superseded: revision 2 replaces it');
  expect(await page.textContent('body')).toMatch(/This revision was replaced by a newer one and binds nobody; it was valid until /);
  // The document the page offers says it is superseded, on its face ...
  const marked = await page.request.get(`${h.url}/quotation/document?token=${encodeURIComponent(sent.token)}`);
  expect(marked.status()).toBe(200);
  expect(marked.headers()['content-disposition']).toContain(`Q-${sent.id}-1-superseded.pdf`);
  const markedText = await pdfText(await marked.body());
  expect(markedText).toContain('SUPERSEDED — replaced by revision 2');
  expect(markedText).toContain(`Quotation Q-${sent.id}-1`);
  // ... and the original as sent stays available, byte for byte the recorded hash.
  expect(await page.getAttribute('#pdf-original', 'href')).toContain('original=1');
  const original = await page.request.get(`${h.url}/quotation/document?token=${encodeURIComponent(sent.token)}&original=1`);
  expect(createHash('sha256').update(await original.body()).digest('hex')).toBe(sent.sha256);
  expect(original.headers()['x-content-sha256']).toBe(sent.sha256);
  expect(await pdfText(await original.body())).not.toContain('SUPERSEDED');
  expect((await h.stack.client.getProspect(sent.id)).quotes.map((q) => q.status)).toEqual(['superseded', 'draft']);
});

test('two acceptances racing (two tabs, two signers) end with one', async () => {
  const sent = await sendQuotation('race');
  const [first, second] = await Promise.all([open(sent.url), open(sent.url)]);
  await fillAcceptance(first!, 'Ada Buyer');
  await fillAcceptance(second!, 'Bob Buyer');
  await Promise.all([first!.click('#accept button'), second!.click('#accept button')]);
  const titles = [await first!.textContent('h1'), await second!.textContent('h1')];
  expect([...titles].sort()).toEqual(['The quotation cannot be accepted', `Thank you: quotation Q-${sent.id}-1 is accepted`].sort());
  const loser = titles[0] === 'The quotation cannot be accepted' ? first! : second!;
  expect(await loser.textContent('#reason')).toMatch(/^Revision 1 was already accepted/);
  const state = await h.stack.client.getProspect(sent.id);
  expect(state.stage).toBe('won');
  expect(state.changes.filter((c) => c.what.startsWith('customer accepted'))).toHaveLength(1);
  expect(state.contacts.filter((c) => c.source === 'quotation-page')).toHaveLength(1);
});
