import { z } from 'zod';
import { multiLineText, singleLineText } from '../shared/text';
import { parsePercentText } from '../shared/money';
import { shareable, emailSchema } from '../shared/shareable';

/**
 * The seller a process speaks for: who makes the binding offer (legal name, address, tax
 * id), how money and tax are shown, the terms printed on every quotation, and the signature
 * under every customer mail. It travels inside the process definition (and so in each
 * prospect's input), so a prospect's documents keep the seller of the version it runs on.
 */

// Every prospect parses its process again (start, replay, continue-as-new): ask Intl once per tag.
const knownLocales = new Map<string, boolean>();
function isLocale(tag: string): boolean {
  let known = knownLocales.get(tag);
  if (known === undefined) {
    try {
      known = Intl.NumberFormat.supportedLocalesOf([tag]).length > 0;
    } catch {
      known = false;
    }
    knownLocales.set(tag, known);
  }
  return known;
}

/** A locale Intl knows (`de-DE`, `en-GB`); money in documents and mails is written its way. */
export const LocaleSchema = shareable(z.string().min(2).max(35).refine(isLocale, { message: 'must be a locale such as en-GB or de-DE' }));

/**
 * A tax rate in percent, kept as the text people write (`"19"`, `"7.5"`; a YAML number is
 * read as its text), so a parsed definition parses again to itself inside workflow inputs.
 */
const TaxRateSchema = z
  .union([z.string(), z.number()])
  .transform((v) => String(v))
  .superRefine((text, ctx) => {
    const parsed = parsePercentText(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem.replace('a discount', 'a tax rate') });
  });

/** A logo small enough to travel in every prospect's input: a PNG or JPEG data URL up to 48 KB. */
const LogoSchema = z
  .string()
  .max(65_536, 'must be at most 48 KB of image (64 KB as a data URL)')
  .regex(/^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]+={0,2}$/, 'must be a data:image/png;base64,... or data:image/jpeg;base64,... URL');

export function sellerSchema(lenient = false) {
  return z.object({
    legalName: singleLineText(200, lenient).min(1, 'must not be empty'),
    /** Postal address, one line per line as printed. */
    address: multiLineText(500, lenient).default(''),
    taxId: singleLineText(50, lenient).optional(),
    /** The company's address mails are sent from (with the rep's name shown). */
    email: emailSchema('must be an email address'),
    phone: singleLineText(50, lenient).optional(),
    website: singleLineText(200, lenient).optional(),
    logo: LogoSchema.optional(),
    locale: LocaleSchema.default('en-GB'),
    tax: z
      .object({
        /** What the tax is called on documents (VAT, MwSt., GST). */
        name: singleLineText(30, lenient).min(1).default('VAT'),
        /** The rate of every line, in percent. */
        rate: TaxRateSchema.default('0'),
        /** Products taxed at another rate (`BOOK-1: "7"`). */
        products: z.record(z.string().min(1).max(100), TaxRateSchema).default({}),
      })
      .default({ name: 'VAT', rate: '0', products: {} }),
    paymentTerms: multiLineText(2000, lenient).default('Payment within 30 days of invoice, without deduction.'),
    deliveryTerms: multiLineText(2000, lenient).default(''),
    /** Closes every customer mail, under the rep's name. */
    mailSignature: multiLineText(1000, lenient).default(''),
  });
}
export const SellerSchema = shareable(sellerSchema());
export type SellerInput = z.input<typeof SellerSchema>;
export type Seller = z.output<typeof SellerSchema>;

/** A process without a seller section still makes documents; they name the process's team. */
export function fallbackSeller(name: string): Seller {
  return SellerSchema.parse({ legalName: name, email: 'sales@salesflow.invalid' });
}

/** The tax rate of a product in basis points. */
export function taxRateOf(seller: Seller, product: string): number {
  const parsed = parsePercentText(seller.tax.products[product] ?? seller.tax.rate);
  return parsed.ok ? parsed.value : 0;
}
