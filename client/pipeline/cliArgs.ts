import { DomainError } from '../../domain/shared/errors';
import type { InquiryItem } from '../../domain/pipeline/inquiry';
import { parsePercentText, parsePriceText } from '../../domain/shared/money';
import { discountBasisPointsOf, formatCents, type QuoteLine, type QuoteLineInput } from '../../domain/pipeline/quotation';

/**
 * Turns the compact flag forms people type into the objects the domain schemas validate.
 * These parsers only split text; the schemas decide what is valid.
 */

/** `context` is the flag as typed, so the error points at the whole value. */
function number(text: string, context: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new DomainError(`${context}: ${what} must be a number`);
  return n;
}

/** `--item PRODUCT:QTY[:YYYY-MM-DD]` */
export function parseInquiryItem(text: string): InquiryItem {
  const [product = '', qty = '', date] = text.split(':');
  if (!product || !qty) throw new DomainError(`--item "${text}": expected PRODUCT:QUANTITY[:YYYY-MM-DD]`);
  return { product, quantity: number(qty, `--item "${text}"`, 'quantity'), ...(date ? { wantedDeliveryDate: date } : {}) };
}

/**
 * A price or discount as typed, checked by the domain's parser so the message names the
 * flag and shows the accepted form; the command carries the text, which the domain reads
 * into cents again.
 */
function money(text: string, context: string, free: boolean): string {
  const parsed = parsePriceText(text);
  if (!parsed.ok) throw new DomainError(`${context}: ${parsed.problem}`);
  if (parsed.value === 0 && !free) throw new DomainError(`${context}: a zero price is a free offer: add --free to say so`);
  return text.trim();
}

function percent(text: string, context: string): string {
  const bare = text.trim().replace(/%$/, '');
  const parsed = parsePercentText(bare);
  if (!parsed.ok) throw new DomainError(`${context}: ${parsed.problem}`);
  return bare;
}

type LineInput = { product: string; quantity: number; unitPrice: string; discountPercent?: string; free?: boolean };

/** `--item PRODUCT:QTY:UNIT_PRICE[:DISCOUNT_PERCENT]` */
export function parseQuoteItem(text: string, free = false): QuoteLineInput {
  const [product = '', qty = '', price = '', discount] = text.split(':');
  if (!product || !qty || !price) throw new DomainError(`--item "${text}": expected PRODUCT:QUANTITY:UNIT_PRICE[:DISCOUNT%]`);
  const unitPrice = money(price, `--item ${product}`, free);
  return {
    product,
    quantity: number(qty, `--item "${text}"`, 'quantity'),
    unitPrice,
    ...(discount ? { discountPercent: percent(discount, `--item ${product} discount`) } : {}),
    ...(isZero(unitPrice) ? { free: true } : {}),
  };
}

/** `--price PRODUCT=UNIT_PRICE[:DISCOUNT_PERCENT]`: prices for the items of the inquiry. */
export function parsePrice(text: string, free = false): [string, Omit<LineInput, 'product' | 'quantity'>] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new DomainError(`--price "${text}": expected PRODUCT=UNIT_PRICE[:DISCOUNT%]`);
  const product = text.slice(0, eq);
  const [price = '', discount] = text.slice(eq + 1).split(':');
  const unitPrice = money(price, `--price ${product}`, free);
  return [
    product,
    {
      unitPrice,
      ...(discount ? { discountPercent: percent(discount, `--price ${product} discount`) } : {}),
      ...(isZero(unitPrice) ? { free: true } : {}),
    },
  ];
}

function isZero(price: string): boolean {
  const parsed = parsePriceText(price);
  return parsed.ok && parsed.value === 0;
}

/**
 * Prices the current inquiry's items: a quotation made "with reference to the inquiry"
 * takes its products and quantities from it, so the rep only types prices. On a change,
 * an item without --price keeps the price the quotation already has for it.
 */
export function linesFromInquiry(
  items: readonly InquiryItem[],
  prices: readonly string[],
  options: { free?: boolean; current?: readonly QuoteLine[] } = {},
): QuoteLineInput[] {
  const byProduct = new Map(prices.map((p) => parsePrice(p, options.free)));
  for (const product of byProduct.keys()) {
    if (!items.some((i) => i.product === product)) throw new DomainError(`--price ${product}: the inquiry has no item ${product}`);
  }
  return items.map((item) => {
    const price = byProduct.get(item.product) ?? keptPrice(options.current, item.product);
    if (!price) throw new DomainError(`no --price for ${item.product} (inquiry items: ${items.map((i) => i.product).join(', ')})`);
    return { product: item.product, quantity: item.quantity, ...price };
  });
}

function keptPrice(lines: readonly QuoteLine[] | undefined, product: string): Omit<LineInput, 'product' | 'quantity'> | undefined {
  const line = lines?.find((l) => l.product === product);
  if (!line) return undefined;
  const bp = discountBasisPointsOf(line);
  return {
    unitPrice: formatCents(line.unitPriceCents),
    ...(bp > 0 ? { discountPercent: (bp / 100).toFixed(2) } : {}),
    ...(line.free ? { free: true } : {}),
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
