import { pdfText } from '../helpers/pdfText';
import PDFDocument from 'pdfkit';
import { fitsStandardFonts, renderQuotationPdf, shareStandardFonts } from '../../activities/pipeline/quotationPdf';
import { sha256Hex } from '../../db/documents';
import { changeQuote, sendQuote } from '../../domain/pipeline/lifecycle';
import { formatMoney, quotationDocument } from '../../domain/pipeline/quotationDocument';
import { ProcessDefinitionSchema } from '../../domain/process/process';
import { INFO, PROCESS, at, DAY, HOUR, fresh, withDraft, withSent, inInquiry, qualified } from './fixtures';

/** The test process with a seller: 19 % VAT, 7 % on the installation service. */
const SELLING = {
  ...PROCESS,
  seller: {
    legalName: 'Nordwerk Pumpen GmbH',
    address: 'Hafenstraße 5\n20457 Hamburg',
    taxId: 'DE999999999',
    email: 'sales@nordwerk.example',
    locale: 'de-DE',
    tax: { name: 'MwSt.', rate: '19', products: { 'SVC/INSTALL': '7' } },
    paymentTerms: '14 Tage netto.',
    deliveryTerms: 'Lieferung frei Haus.',
  },
};

function sentWithSeller() {
  return withSent(withDraft(inInquiry(qualified(fresh(INFO, SELLING)))));
}

describe('the quotation document', () => {
  it('prices each line with its net, tax and gross, formatted for the seller locale', () => {
    const doc = quotationDocument(sentWithSeller(), 1);
    expect(doc.number).toBe('Q-P1-1');
    // WIDGET-1: net 53.97, 19 % = 10.25 (10.2543 rounds half up); SVC/INSTALL: 250.00, 7 % = 17.50.
    expect(doc.lines.map((l) => [l.product, l.netCents, l.taxCents, l.grossCents])).toEqual([
      ['WIDGET-1', 5397, 1025, 6422],
      ['SVC/INSTALL', 25000, 1750, 26750],
    ]);
    expect(doc.totals).toMatchObject({ netCents: 30397, taxCents: 2775, grossCents: 33172 });
    expect(doc.totals.text.gross).toBe(formatMoney(33172, 'EUR', 'de-DE'));
    expect(doc.totals.text.gross.replace(/\s/g, ' ')).toBe('331,72 €');
  });

  it('says which revision it replaces', () => {
    const changed = changeQuote(sentWithSeller(), { note: 'faster delivery', by: 'alice' }, at(5 * HOUR));
    const resent = sendQuote(changed, { by: 'alice' }, at(6 * HOUR));
    expect(quotationDocument(resent, 2)).toMatchObject({ number: 'Q-P1-2', replaces: 1 });
    expect(quotationDocument(resent, 1)).toMatchObject({ status: 'superseded', supersededBy: 2 });
  });

  it('renders to a PDF whose text holds the lines, the totals, the validity and the terms, the same bytes every time', async () => {
    const doc = quotationDocument(sentWithSeller(), 1);
    const bytes = await renderQuotationPdf(doc);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = (await pdfText(bytes)).replace(/[\u00a0\u202f]/g, ' ');
    for (const expected of [
      'Nordwerk Pumpen GmbH',
      'Tax id: DE999999999',
      'Quotation Q-P1-1',
      'WIDGET-1',
      'SVC/INSTALL',
      '19,99 €',
      '53,97 €',
      '10,25 € (19 %)',
      '64,22 €',
      '267,50 €',
      'Net total',
      '303,97 €',
      'MwSt.',
      '27,75 €',
      '331,72 €',
      'Valid until',
      'Payment: 14 Tage netto.',
      'Delivery: Lieferung frei Haus.',
    ]) {
      expect(text).toContain(expected);
    }
    // Rendering is a function of the document: the same revision gives the same bytes.
    expect(sha256Hex(await renderQuotationPdf(doc))).toBe(sha256Hex(bytes));
  });

  it('prints "replaces revision N" on a revision', async () => {
    const changed = changeQuote(sentWithSeller(), { note: 'faster delivery', by: 'alice' }, at(5 * HOUR));
    const resent = sendQuote(changed, { by: 'alice' }, at(6 * HOUR + DAY));
    const text = await pdfText(await renderQuotationPdf(quotationDocument(resent, 2)));
    expect(text).toContain('This revision 2 replaces revision 1.');
    expect(text).toContain('faster delivery');
  });

  it('prints names and money outside Latin-1 as written, not as question marks', async () => {
    const state = sentWithSeller();
    const doc = quotationDocument({ ...state, info: { ...state.info, name: 'Łukasz Żółć', company: 'Ηλίας & Øystein Şahin ООО' } }, 1);
    const text = await pdfText(await renderQuotationPdf(doc));
    expect(text).toContain('Łukasz Żółć, Ηλίας & Øystein Şahin ООО');
    expect(text).not.toContain('?');
  });

  it('sets a document WinAnsi can print in the standard Helvetica, embedding no font, and embeds DejaVu only for other letters', async () => {
    const state = sentWithSeller();
    const latin = quotationDocument({ ...state, info: { ...state.info, name: 'Zoë Müller', company: 'Œuvre & Søn — “Zürich” €' } }, 1);
    expect(fitsStandardFonts(latin)).toBe(true);
    const plain = await renderQuotationPdf(latin);
    expect(plain.toString('latin1')).toContain('/BaseFont /Helvetica');
    expect(plain.toString('latin1')).not.toContain('/FontFile2');
    expect(await pdfText(plain)).toContain('Zoë Müller, Œuvre & Søn — “Zürich” €');

    const polish = quotationDocument({ ...state, info: { ...state.info, name: 'Łukasz Müller' } }, 1);
    expect(fitsStandardFonts(polish)).toBe(false);
    const embedded = await renderQuotationPdf(polish);
    expect(embedded.toString('latin1')).toContain('/FontFile2');
    expect(embedded.toString('latin1')).toContain('DejaVu');
    expect(embedded.length).toBeGreaterThan(plain.length * 4);
  });

  it('shares the standard fonts\' metrics between documents, and a document set with them is byte for byte the one pdfkit sets alone', async () => {
    const when = new Date('2030-01-02T03:04:05Z');
    const render = (share: boolean) =>
      new Promise<{ bytes: Buffer; metrics: unknown[] }>((resolve, reject) => {
        const pdf = new PDFDocument({ size: 'A4', info: { CreationDate: when, ModDate: when }, ...(share ? { font: null as unknown as string } : {}) });
        const shared = share ? shareStandardFonts(pdf, ['Helvetica', 'Helvetica-Bold']) : false;
        if (share) expect(shared).toBe(true);
        const chunks: Buffer[] = [];
        pdf.on('data', (c: Buffer) => chunks.push(c));
        pdf.on('error', reject);
        pdf.font('Helvetica-Bold').fontSize(14).text('AVA Wasserpumpen — Angebot €', 50, 50);
        pdf.font('Helvetica').fontSize(10).text('Kerning: AV Ty Yo WA LT', { width: 300, align: 'right' });
        pdf.font('Helvetica-Bold').text('Total 1.999,99 €');
        const families = (pdf as unknown as { _fontFamilies: Record<string, { font: unknown }> })._fontFamilies;
        const metrics = ['Helvetica', 'Helvetica-Bold'].map((name) => families[name]!.font);
        pdf.on('end', () => resolve({ bytes: Buffer.concat(chunks), metrics }));
        pdf.end();
      });
    const alone = await render(false);
    const first = await render(true);
    const second = await render(true);
    expect(first.bytes.equals(alone.bytes)).toBe(true);
    expect(second.bytes.equals(alone.bytes)).toBe(true);
    // Built once: both documents hold the same metrics, which pdfkit built anew for the other.
    expect(second.metrics[0]).toBe(first.metrics[0]);
    expect(second.metrics[1]).toBe(first.metrics[1]);
    expect(alone.metrics[0]).not.toBe(first.metrics[0]);
    expect(alone.bytes.toString('latin1')).toContain('/BaseFont /Helvetica-Bold');
  });

  it('refuses a seller with a tax rate that is not a percentage, naming the field', () => {
    const result = ProcessDefinitionSchema.safeParse({ ...SELLING, seller: { ...SELLING.seller, tax: { rate: '119' } } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['seller', 'tax', 'rate']);
  });
});
