import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { create as createFont, type Font } from 'fontkit';
import PDFDocument from 'pdfkit';
import type { QuotationDocument } from '../../domain/pipeline/quotationDocument';

/**
 * The quotation as a PDF (pdfkit, A4). Rendering is a pure function of the document: the
 * PDF's dates and file id come from the time it was sent, so the same revision renders to
 * the same bytes (they are stored once all the same, see db/documents.ts).
 */

// A document whose every letter WinAnsi has (English, German, French, Spanish, the Nordic
// languages, the euro and pound signs) is set in the standard Helvetica, which every PDF
// reader carries: nothing to embed, a file of about 3 KB. Any other letter (a customer named
// Łukasz, Şahin or Ηλίας, a price in zł or ₽) would print as a question mark there, so such
// a document embeds DejaVu Sans (the npm package dejavu-fonts-ttf), subset: about 24 KB. The
// embedded font cost about a fifth of the lifecycle's throughput (subsetting on the worker's
// main thread, and eight times the bytes through the database, SMTP and the customer's
// mailbox), for documents that did not need it.
// DejaVu is read and parsed (fontkit, what pdfkit uses) once per process: parsing the two
// 700 KB files for every document cost about 17 ms of the main thread per quotation.
const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
let fonts: { regular: Font; bold: Font } | undefined;
function parsedFont(file: string): Font {
  const font = createFont(readFileSync(join(FONT_DIR, file)));
  if (!('layout' in font)) throw new Error(`${file} is a font collection, not a font`);
  return font;
}
function loadFonts(): { regular: Font; bold: Font } {
  fonts ??= { regular: parsedFont('DejaVuSans.ttf'), bold: parsedFont('DejaVuSans-Bold.ttf') };
  return fonts;
}

/** The letters WinAnsi (Windows-1252) adds to Latin-1 in 0x80-0x9f, which pdfkit maps for the standard fonts. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Whether the standard fonts can print every letter of the document (its logo is an image, not text). */
export function fitsStandardFonts(doc: QuotationDocument): boolean {
  const fits = (value: unknown): boolean => {
    if (typeof value === 'string') {
      for (const ch of value) {
        const code = ch.codePointAt(0)!;
        if (!(code <= 0xff || WIN_ANSI_EXTRA.has(ch))) return false;
      }
      return true;
    }
    if (Array.isArray(value)) return value.every(fits);
    if (value && typeof value === 'object') return Object.entries(value).every(([key, v]) => key === 'logo' || fits(v));
    return true;
  };
  return fits(doc);
}

/**
 * pdfkit's standard fonts as it builds them once, for every document to share. pdfkit
 * builds a standard font's metrics (its table of some 2,700 kerning pairs, keyed by glyph
 * names) for every document that uses the font: measured in the lifecycle benchmark, that
 * was 0.8 ms of the worker's main thread per quotation for Helvetica and Helvetica-Bold,
 * about a third of rendering it, and garbage besides. The metrics never change once built;
 * what belongs to a document (the document, the font's id and its PDF object) does not
 * carry over.
 */
interface StandardFontLike {
  document: unknown;
  id: string;
  dictionary?: unknown;
  embedded?: boolean;
}
interface FontRegistry {
  _fontFamilies?: Record<string, StandardFontLike>;
  _fontCount?: number;
}
let templateFonts: FontRegistry['_fontFamilies'] | null | undefined;

/** The standard fonts pdfkit built for a document of its own, or null where this pdfkit keeps them elsewhere. */
function standardFontTemplates(): FontRegistry['_fontFamilies'] | null {
  if (templateFonts !== undefined) return templateFonts;
  const template = new PDFDocument({ autoFirstPage: false }).font('Helvetica-Bold') as unknown as FontRegistry;
  const families = template._fontFamilies;
  templateFonts = families && typeof template._fontCount === 'number' && families.Helvetica && families['Helvetica-Bold'] ? families : null;
  return templateFonts;
}

/**
 * Gives `pdf` its own font objects for `names` over the shared metrics, as if it had built
 * them (`pdf.font(name)` then finds them). Uses two of pdfkit's internals (0.20); should a
 * later pdfkit keep fonts differently, nothing is shared and pdfkit builds them as before.
 * The quotation tests compare a document rendered this way with one rendered without.
 */
export function shareStandardFonts(pdf: PDFKit.PDFDocument, names: readonly string[]): boolean {
  const templates = standardFontTemplates();
  const own = pdf as unknown as FontRegistry;
  if (!templates || !own._fontFamilies || typeof own._fontCount !== 'number') return false;
  for (const name of names) {
    const shared = templates[name];
    if (!shared || own._fontFamilies[name]) continue;
    const font = Object.assign(Object.create(Object.getPrototypeOf(shared) as object) as StandardFontLike, shared, { document: pdf, id: `F${++own._fontCount}` });
    delete font.dictionary;
    delete font.embedded;
    own._fontFamilies[name] = font;
  }
  return true;
}

/** Text as the PDF prints it: control characters become spaces (a name cannot break the layout). */
function printable(text: string): string {
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, ' ');
}

// Sized for DejaVu, which runs wider than Helvetica: the tax column holds "10,25 € (19 %)" on one line;
// the widths add up to the A4 text width (495 pt).
const COLUMNS = [
  { key: 'product', title: 'Item', width: 105, align: 'left' },
  { key: 'quantity', title: 'Qty', width: 28, align: 'right' },
  { key: 'unitPrice', title: 'Unit price', width: 68, align: 'right' },
  { key: 'discount', title: 'Discount', width: 52, align: 'right' },
  { key: 'net', title: 'Net', width: 68, align: 'right' },
  { key: 'tax', title: 'Tax', width: 100, align: 'right' },
  { key: 'gross', title: 'Gross', width: 74, align: 'right' },
] as const;

/**
 * `stamp`: a superseded revision's copy says so across every page. The stored original (what
 * the customer was sent, whose hash the revision records) never carries it.
 */
export function renderQuotationPdf(doc: QuotationDocument, options: { stamp?: string } = {}): Promise<Buffer> {
  const issued = new Date(doc.issuedAt);
  const standard = fitsStandardFonts(doc);
  const pdf = new PDFDocument({
    size: 'A4',
    // No default font: a standard-font document takes the shared metrics below instead.
    ...(standard ? { font: null as unknown as string } : {}),
    // Pages kept until the end only when the stamp goes back over every one of them.
    bufferPages: Boolean(options.stamp),
    margin: 50,
    info: {
      Title: `Quotation ${doc.number}`,
      Author: printable(doc.seller.legalName),
      Subject: printable(`Quotation ${doc.number} for ${doc.customer.company ?? doc.customer.name}`),
      Producer: 'salesflow',
      Creator: 'salesflow',
      CreationDate: issued,
      ModDate: issued,
    },
  });
  const REGULAR = standard ? 'Helvetica' : 'Regular';
  const BOLD = standard ? 'Helvetica-Bold' : 'Bold';
  if (standard) shareStandardFonts(pdf, [REGULAR, BOLD]);
  else {
    const { regular, bold } = loadFonts();
    // pdfkit's types name only files and buffers; its font factory takes a fontkit font too.
    pdf.registerFont(REGULAR, regular as unknown as Buffer);
    pdf.registerFont(BOLD, bold as unknown as Buffer);
  }
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const left = pdf.page.margins.left;
  const width = pdf.page.width - pdf.page.margins.left - pdf.page.margins.right;
  const t = (s: string) => printable(s);

  // Seller (with its logo), then the document's heading.
  if (doc.seller.logo) {
    const data = Buffer.from(doc.seller.logo.slice(doc.seller.logo.indexOf(',') + 1), 'base64');
    try {
      pdf.image(data, left + width - 120, 40, { fit: [120, 50] });
    } catch {
      // A logo pdfkit cannot read leaves the space empty; the document still goes out.
    }
  }
  pdf.font(BOLD).fontSize(14).text(t(doc.seller.legalName), left, 50, { width: width - 130 });
  pdf.font(REGULAR).fontSize(9);
  if (doc.seller.address) pdf.text(t(doc.seller.address), { width: width - 130 });
  if (doc.seller.taxId) pdf.text(t(`Tax id: ${doc.seller.taxId}`));
  pdf.text(t([doc.seller.email, doc.seller.phone, doc.seller.website].filter(Boolean).join('  ·  ')));
  pdf.moveDown(1.5);

  pdf.font(BOLD).fontSize(18).text(t(`Quotation ${doc.number}`), left);
  pdf.font(REGULAR).fontSize(10);
  if (doc.replaces !== undefined) pdf.text(t(`This revision ${doc.revision} replaces revision ${doc.replaces}.`));
  pdf.moveDown(0.5);
  const details: [string, string][] = [
    ['Date', doc.text.issuedAt],
    ['Valid until', doc.text.validTo],
    ['Customer', doc.customer.company ? `${doc.customer.name}, ${doc.customer.company}` : doc.customer.name],
    ...(doc.customer.email ? ([['Email', doc.customer.email]] as [string, string][]) : []),
    ['Your contact', doc.rep.email ? `${doc.rep.name} <${doc.rep.email}>` : doc.rep.name],
    ['Currency', doc.currency],
  ];
  for (const [label, value] of details) {
    const y = pdf.y;
    pdf.font(BOLD).text(t(`${label}:`), left, y, { width: 90 });
    pdf.font(REGULAR).text(t(value), left + 90, y, { width: width - 90 });
  }
  pdf.moveDown(1);

  // The lines: one row each, then the totals under the money columns.
  const row = (cells: Record<string, string>, bold = false) => {
    const y = pdf.y;
    let x = left;
    let bottom = y;
    pdf.font(bold ? BOLD : REGULAR).fontSize(9);
    for (const col of COLUMNS) {
      pdf.text(t(cells[col.key] ?? ''), x, y, { width: col.width - 4, align: col.align });
      bottom = Math.max(bottom, pdf.y);
      x += col.width;
    }
    pdf.y = bottom + 3;
    pdf.x = left;
  };
  const rule = () => {
    pdf.moveTo(left, pdf.y).lineTo(left + width, pdf.y).lineWidth(0.5).stroke();
    pdf.y += 3;
  };
  row(Object.fromEntries(COLUMNS.map((c) => [c.key, c.title])), true);
  rule();
  for (const line of doc.lines) {
    if (pdf.y > pdf.page.height - 150) pdf.addPage();
    row({
      product: line.product,
      quantity: String(line.quantity),
      unitPrice: line.text.unitPrice,
      discount: line.text.discount,
      net: line.text.net,
      tax: `${line.text.tax} (${line.text.taxRate})`,
      gross: line.text.gross,
    });
  }
  rule();
  const total = (label: string, value: string, bold = false) => {
    const y = pdf.y;
    pdf.font(bold ? BOLD : REGULAR).fontSize(10);
    pdf.text(t(label), left + width - 260, y, { width: 150 });
    pdf.text(t(value), left + width - 110, y, { width: 110, align: 'right' });
    pdf.x = left;
  };
  if (doc.totals.discountCents > 0) total('Discounts included', doc.totals.text.discount);
  total('Net total', doc.totals.text.net);
  total(doc.seller.tax.name, doc.totals.text.tax);
  total('Total', doc.totals.text.gross, true);
  pdf.moveDown(1.5);

  pdf.font(REGULAR).fontSize(10);
  if (doc.note) {
    pdf.font(BOLD).text('Note', left);
    pdf.font(REGULAR).text(t(doc.note), { width });
    pdf.moveDown(0.5);
  }
  pdf.font(BOLD).text('Terms', left);
  pdf.font(REGULAR).text(t(`This offer is binding until ${doc.text.validTo}.`), { width });
  if (doc.seller.paymentTerms) pdf.text(t(`Payment: ${doc.seller.paymentTerms}`), { width });
  if (doc.seller.deliveryTerms) pdf.text(t(`Delivery: ${doc.seller.deliveryTerms}`), { width });
  pdf.moveDown(1);
  pdf.fontSize(8).fillColor('#555').text(t(`${doc.seller.legalName}${doc.seller.taxId ? ` · Tax id ${doc.seller.taxId}` : ''} · ${doc.number}`), { width });
  if (options.stamp) {
    const stamp = t(options.stamp);
    const range = pdf.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      pdf.switchToPage(i);
      pdf.save();
      pdf.rect(0, 0, pdf.page.width, 28).fill('#b42318');
      pdf.fillColor('#ffffff').font(BOLD).fontSize(11).text(stamp, left, 9, { width, align: 'center', lineBreak: false });
      pdf.restore();
    }
  }
  pdf.end();
  return done;
}
