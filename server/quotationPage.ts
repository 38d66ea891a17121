import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { escapeHtml } from '../domain/campaign/template';
import { quotationDocument, type QuotationDocument } from '../domain/pipeline/quotationDocument';
import type { ProspectState } from '../domain/pipeline/prospect';
import type { QuoteRevision } from '../domain/pipeline/quotation';
import { DomainError } from '../domain/shared/errors';
import { formatTime, formatTimesIn } from '../domain/shared/timeZone';
import { mailTimeZone } from '../domain/process/process';
import { findDocument } from '../db/documents';
import { renderQuotationPdf } from '../activities/pipeline/quotationPdf';
import { InvalidQuotationLinkError, verifyQuotationLink, type QuotationLinkPayload } from '../activities/pipeline/quotationLink';
import type { ServerDeps } from './app';
import { publicPage } from './publicPage';

/**
 * The public quotation page a quotation mail links to: the revision as HTML with its PDF,
 * and three answers — accept (name, typed signature, the terms box), decline (a reason), ask
 * a question. The signed link is the authorization (no login); every answer goes through the
 * prospect workflow's validated update, so a superseded, expired, already answered or
 * tampered quotation is refused there and the page says why. No scripts: plain forms, so it
 * works in any mail client's browser.
 */

const FORM_LIMIT = 16 * 1024;

const AcceptForm = z.object({
  signer: z.string().trim().min(1, 'Please give your name.').max(200),
  signature: z.string().trim().min(1, 'Please type your signature.').max(200),
  terms: z.literal('on', { error: 'Please confirm that you accept the terms.' }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
const RejectForm = z.object({
  reason: z.string().trim().min(1, 'Please tell us why you decline.').max(1000),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
const QuestionForm = z.object({
  question: z.string().trim().min(1, 'Please write your question.').max(4000),
  name: z.string().trim().max(200).optional(),
});

/** A refusal as the customer reads it: without the command's prefix, times in the process's zone. */
function why(err: DomainError, zone: string): string {
  const text = formatTimesIn(err.message.replace(/^cannot [^:]+: /, ''), zone);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

interface Loaded {
  link: QuotationLinkPayload;
  token: string;
  state: ProspectState;
  quote: QuoteRevision;
  doc: QuotationDocument;
  sha256?: string;
}

function parseForm(body: unknown): Record<string, string> {
  // Browsers send a textarea's line breaks as CR LF; the record keeps plain newlines.
  return Object.fromEntries([...new URLSearchParams(typeof body === 'string' ? body : '')].map(([k, v]) => [k, v.replace(/\r\n?/g, '\n')]));
}

/** Whether the revision can still be answered, and if not, the banner that says why. */
function standing(state: ProspectState, quote: QuoteRevision, now: number): { open: boolean; banner: string } {
  const zone = mailTimeZone(state.process);
  switch (quote.status) {
    case 'superseded':
      return { open: false, banner: `<div class="banner warn">This quotation is superseded: revision ${quote.supersededBy ?? quote.revision + 1} replaces it. Please use the link in the mail with the newer revision.</div>` };
    case 'accepted': {
      const online = quote.answeredOnline;
      return { open: false, banner: `<div class="banner ok">This quotation was accepted on ${escapeHtml(formatTime(quote.respondedAt, zone))}${online?.signer ? ` by ${escapeHtml(online.signer)}` : ''}. Thank you.</div>` };
    }
    case 'rejected':
      return { open: false, banner: `<div class="banner warn">This quotation was declined on ${escapeHtml(formatTime(quote.respondedAt, zone))}.</div>` };
    case 'expired':
      return { open: false, banner: `<div class="banner warn">This quotation expired on ${escapeHtml(formatTime(quote.validTo, zone))}. Please ask us for a new offer.</div>` };
    case 'draft':
      return { open: false, banner: '<div class="banner warn">This quotation has not been sent.</div>' };
    case 'sent':
      if (quote.validTo && now >= Date.parse(quote.validTo)) {
        return { open: false, banner: `<div class="banner warn">This quotation expired on ${escapeHtml(formatTime(quote.validTo, zone))}. Please ask us for a new offer.</div>` };
      }
      return { open: true, banner: `<div class="banner info">This offer is binding until ${escapeHtml(formatTime(quote.validTo, zone))}.</div>` };
  }
}

/** Whether the offer still binds, in the Terms, as the banner above says it (a superseded or expired one binds nobody). */
function termsLine(doc: QuotationDocument): string {
  const until = escapeHtml(doc.text.validTo);
  switch (doc.status) {
    case 'superseded':
      return `This revision was replaced by a newer one and binds nobody; it was valid until ${until}.`;
    case 'expired':
      return `This offer expired unanswered on ${until} and binds nobody now.`;
    case 'accepted':
      return `This offer was accepted; it was binding until ${until}.`;
    case 'rejected':
      return `This offer was declined; it was binding until ${until}.`;
    default:
      return `This offer is binding until ${until}.`;
  }
}

function documentHtml(doc: QuotationDocument, sha256: string | undefined, token: string): string {
  const s = doc.seller;
  const rows = doc.lines
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.product)}</td><td data-label="Qty">${l.quantity}</td><td data-label="Unit price">${escapeHtml(l.text.unitPrice)}</td><td data-label="Discount">${escapeHtml(l.text.discount)}</td><td data-label="Net">${escapeHtml(l.text.net)}</td><td data-label="${escapeHtml(s.tax.name)}">${escapeHtml(l.text.tax)} (${escapeHtml(l.text.taxRate)})</td><td data-label="Gross">${escapeHtml(l.text.gross)}</td></tr>`,
    )
    .join('');
  return (
    `<p><b>${escapeHtml(s.legalName)}</b><br>${escapeHtml(s.address).replace(/\n/g, '<br>')}${s.taxId ? `<br>Tax id: ${escapeHtml(s.taxId)}` : ''}</p>` +
    (doc.replaces !== undefined ? `<p>This revision ${doc.revision} replaces revision ${doc.replaces}.</p>` : '') +
    `<p>For <b>${escapeHtml(doc.customer.name)}</b>${doc.customer.company ? `, ${escapeHtml(doc.customer.company)}` : ''}<br>Date: ${escapeHtml(doc.text.issuedAt)}<br>Valid until: ${escapeHtml(doc.text.validTo)}<br>Your contact: ${escapeHtml(doc.rep.name)}${doc.rep.email ? ` &lt;${escapeHtml(doc.rep.email)}&gt;` : ''}</p>` +
    `<table class="lines"><tr class="head"><th>Item</th><th>Qty</th><th>Unit price</th><th>Discount</th><th>Net</th><th>${escapeHtml(s.tax.name)}</th><th>Gross</th></tr>${rows}` +
    `<tr class="sum"><td colspan="6">Net total</td><td id="net">${escapeHtml(doc.totals.text.net)}</td></tr>` +
    `<tr class="sum"><td colspan="6">${escapeHtml(s.tax.name)}</td><td id="tax">${escapeHtml(doc.totals.text.tax)}</td></tr>` +
    `<tr class="sum"><th colspan="6" style="text-align:left">Total</th><th id="total">${escapeHtml(doc.totals.text.gross)}</th></tr></table>` +
    (doc.note ? `<p>${escapeHtml(doc.note).replace(/\n/g, '<br>')}</p>` : '') +
    `<h2>Terms</h2><p>${termsLine(doc)}</p>` +
    (s.paymentTerms ? `<p>Payment: ${escapeHtml(s.paymentTerms)}</p>` : '') +
    (s.deliveryTerms ? `<p>Delivery: ${escapeHtml(s.deliveryTerms)}</p>` : '') +
    (sha256
      ? `<p><a id="pdf" href="/quotation/document?token=${encodeURIComponent(token)}">Download the quotation ${escapeHtml(doc.number)} (PDF${doc.status === 'superseded' ? ', marked superseded' : ''})</a>` +
        (doc.status === 'superseded' ? `<br><a id="pdf-original" href="/quotation/document?token=${encodeURIComponent(token)}&amp;original=1">The original as sent (PDF)</a>` : '') +
        `<br><span class="muted">Document SHA-256${doc.status === 'superseded' ? ' of the original' : ''}: <code id="sha256">${sha256}</code></span></p>`
      : '')
  );
}

function forms(loaded: Loaded): string {
  const t = encodeURIComponent(loaded.token);
  const hash = loaded.sha256 ? `<input type="hidden" name="sha256" value="${loaded.sha256}">` : '';
  return (
    `<form id="accept" method="post" action="/quotation/accept?token=${t}"><h2>Accept</h2>${hash}` +
    '<label>Your name <input type="text" name="signer" autocomplete="name" required maxlength="200"></label>' +
    '<label>Type your signature <input class="sig" type="text" name="signature" required maxlength="200"></label>' +
    `<label><input type="checkbox" name="terms" required> I accept this offer and its terms, and order as quoted (${escapeHtml(loaded.doc.totals.text.gross)}).</label>` +
    '<button type="submit">Accept the quotation</button></form>' +
    `<form id="reject" method="post" action="/quotation/reject?token=${t}"><h2>Decline</h2>${hash}` +
    '<label>Why do you decline? <textarea name="reason" rows="3" required maxlength="1000"></textarea></label><button type="submit">Decline</button></form>' +
    `<form id="question" method="post" action="/quotation/question?token=${t}"><h2>Ask a question</h2>` +
    '<label>Your name (optional) <input type="text" name="name" maxlength="200"></label>' +
    '<label>Your question <textarea name="question" rows="4" required maxlength="4000"></textarea></label><button type="submit">Send the question</button></form>'
  );
}

export async function registerQuotationPage(app: FastifyInstance, deps: Pick<ServerDeps, 'unsubscribeSecret' | 'sales' | 'db' | 'now'>): Promise<void> {
  // Plain HTML forms post url-encoded bodies; this scope reads them as text.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT }, (_req, body, done) => done(null, body));
  const now = () => (deps.now ?? Date.now)();

  /** The link's revision with its document, or a page saying why there is none (sent already). */
  async function load(request: FastifyRequest, reply: FastifyReply): Promise<Loaded | undefined> {
    const token = String((request.query as { token?: unknown }).token ?? '');
    let link: QuotationLinkPayload;
    try {
      link = verifyQuotationLink(deps.unsubscribeSecret, token, now());
    } catch (err) {
      if (!(err instanceof InvalidQuotationLinkError)) throw err;
      const status = err.reason === 'expired' ? 410 : 400;
      publicPage(reply, status, 'This link does not work', `<p id="reason">${escapeHtml(err.message.charAt(0).toUpperCase() + err.message.slice(1))}.</p><p>Please reply to the quotation mail or contact your sales representative.</p>`);
      return undefined;
    }
    let state: ProspectState | undefined;
    try {
      state = await deps.sales.findProspect(link.prospectId);
    } catch (err) {
      request.log.error({ err }, 'quotation page: prospect lookup failed');
      publicPage(reply, 503, 'Please try again in a moment', '<p>We could not load your quotation just now.</p>');
      return undefined;
    }
    const quote = state?.quotes.find((q) => q.revision === link.revision);
    if (!state || !quote || !quote.sentAt) {
      publicPage(reply, 404, 'Quotation not found', '<p>We have no such quotation. Please contact your sales representative.</p>');
      return undefined;
    }
    const stored = await findDocument(deps.db, link.prospectId, link.revision);
    return { link, token, state, quote, doc: quotationDocument(state, link.revision), ...(stored ? { sha256: stored.sha256 } : {}) };
  }

  app.get('/quotation', { schema: { hide: true } }, async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    let { open, banner } = standing(loaded.state, loaded.quote, now());
    // The mail can reach the customer a moment before its activity has told the prospect
    // the document's hash (they are one activity): an answer now would be refused, so the
    // page asks for a moment instead of offering the forms.
    if (open && loaded.sha256 && !loaded.quote.documentSha256) {
      open = false;
      banner = '<div class="banner info">Your quotation is being finalised. Please reload this page in a moment.</div>';
    }
    return publicPage(reply, 200, `Quotation ${loaded.doc.number}`, `<div id="status">${banner}</div>${documentHtml(loaded.doc, loaded.sha256, loaded.token)}${open ? forms(loaded) : ''}`);
  });

  app.get('/quotation/document', { schema: { hide: true } }, async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const stored = await findDocument(deps.db, loaded.link.prospectId, loaded.link.revision);
    if (!stored) return publicPage(reply, 404, 'Document not ready', '<p>The PDF of this quotation is still being prepared; please try again in a minute.</p>');
    // A superseded revision's document says so on every page; `original=1` is the bytes as
    // sent (the hash the revision records), kept for the customer's files and for audits.
    const superseded = loaded.quote.status === 'superseded' && (request.query as { original?: unknown }).original !== '1';
    const bytes = superseded
      ? await renderQuotationPdf(loaded.doc, { stamp: `SUPERSEDED — replaced by revision ${loaded.quote.supersededBy ?? loaded.quote.revision + 1}; this offer no longer stands` })
      : stored.bytes;
    reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="${stored.number}${superseded ? '-superseded' : ''}.pdf"`)
      .header('cache-control', 'private, max-age=300');
    // The hash header names the stored original; a stamped copy is not it.
    if (!superseded) reply.header('x-content-sha256', stored.sha256);
    return reply.send(bytes);
  });

  const answer = (
    action: 'accept' | 'reject' | 'question',
    run: (loaded: Loaded, form: Record<string, string>, request: FastifyRequest) => { command: 'acceptQuote' | 'rejectQuote' | 'customerMessage'; args: unknown; done: string; next?: string } | { problem: string },
  ) =>
    app.post(`/quotation/${action}`, { schema: { hide: true }, config: { rateLimit: { max: 20, timeWindow: 60_000 } } }, async (request, reply) => {
      const loaded = await load(request, reply);
      if (!loaded) return reply;
      const back = `<p><a href="/quotation?token=${encodeURIComponent(loaded.token)}">Back to the quotation</a></p>`;
      const planned = run(loaded, parseForm(request.body), request);
      if ('problem' in planned) return publicPage(reply, 400, 'Please check the form', `<p id="reason">${escapeHtml(planned.problem)}</p>${back}`);
      try {
        await deps.sales.run(loaded.link.prospectId, planned.command, planned.args);
      } catch (err) {
        if (!(err instanceof DomainError)) {
          request.log.error({ err }, 'quotation page: answer failed');
          return publicPage(reply, 503, 'Please try again in a moment', `<p>We could not record your answer just now; nothing was changed.</p>${back}`);
        }
        const title = action === 'accept' ? 'The quotation cannot be accepted' : action === 'reject' ? 'The quotation cannot be declined' : 'The question could not be sent';
        return publicPage(reply, 409, title, `<p id="reason">${escapeHtml(why(err, mailTimeZone(loaded.state.process)))}.</p>${back}`);
      }
      return publicPage(reply, 200, planned.done, `${planned.next ?? ''}${back}`);
    });

  const online = (request: FastifyRequest) => ({ ip: request.ip || 'unknown', userAgent: String(request.headers['user-agent'] ?? '').slice(0, 500).replace(/[\u0000-\u001f\u007f]/g, ' ') });

  answer('accept', (loaded, form, request) => {
    const parsed = AcceptForm.safeParse(form);
    if (!parsed.success) return { problem: parsed.error.issues[0]!.message };
    return {
      command: 'acceptQuote',
      args: {
        revision: loaded.link.revision,
        ...(parsed.data.sha256 ? { documentSha256: parsed.data.sha256 } : {}),
        online: { ...online(request), signer: parsed.data.signer, signature: parsed.data.signature, acceptedTerms: true },
        by: 'customer (quotation page)',
      },
      done: `Thank you: quotation ${loaded.doc.number} is accepted`,
      // What happens now and who to ask: the page the customer leaves with.
      next: `<p id="next">You accepted ${escapeHtml(loaded.doc.totals.text.gross)}.${loaded.doc.customer.email ? ` A confirmation with the accepted quotation (PDF) is on its way to ${escapeHtml(loaded.doc.customer.email)}.` : ''} Your contact: ${escapeHtml(loaded.doc.rep.name)}${loaded.doc.rep.email ? ` &lt;${escapeHtml(loaded.doc.rep.email)}&gt;` : ''}.</p>`,
    };
  });
  answer('reject', (loaded, form, request) => {
    const parsed = RejectForm.safeParse(form);
    if (!parsed.success) return { problem: parsed.error.issues[0]!.message };
    return {
      command: 'rejectQuote',
      args: { revision: loaded.link.revision, reason: parsed.data.reason, ...(parsed.data.sha256 ? { documentSha256: parsed.data.sha256 } : {}), online: online(request), by: 'customer (quotation page)' },
      done: `Quotation ${loaded.doc.number} is declined`,
      next: `<p id="next">Thank you for telling us. Your contact: ${escapeHtml(loaded.doc.rep.name)}${loaded.doc.rep.email ? ` &lt;${escapeHtml(loaded.doc.rep.email)}&gt;` : ''}.</p>`,
    };
  });
  answer('question', (loaded, form) => {
    const parsed = QuestionForm.safeParse(form);
    if (!parsed.success) return { problem: parsed.error.issues[0]!.message };
    return {
      command: 'customerMessage',
      args: { channel: 'web', note: parsed.data.question, ...(parsed.data.name ? { from: parsed.data.name } : {}), revision: loaded.link.revision, followUp: true, by: 'customer (quotation page)' },
      done: 'Thank you: your question is on its way',
    };
  });
}
