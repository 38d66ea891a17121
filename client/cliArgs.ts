import { DomainError } from '../domain/errors';
import type { InquiryItem } from '../domain/inquiry';
import type { QuoteLineInput } from '../domain/quotation';

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

/** `--item PRODUCT:QTY:UNIT_PRICE[:DISCOUNT_PERCENT]` */
export function parseQuoteItem(text: string): QuoteLineInput {
  const [product = '', qty = '', price = '', discount] = text.split(':');
  if (!product || !qty || !price) throw new DomainError(`--item "${text}": expected PRODUCT:QUANTITY:UNIT_PRICE[:DISCOUNT%]`);
  return {
    product,
    quantity: number(qty, `--item "${text}"`, 'quantity'),
    unitPrice: number(price, `--item "${text}"`, 'unit price'),
    ...(discount ? { discountPercent: number(discount.replace(/%$/, ''), `--item "${text}"`, 'discount') } : {}),
  };
}

/** `--price PRODUCT=UNIT_PRICE[:DISCOUNT_PERCENT]`: prices for the items of the inquiry. */
export function parsePrice(text: string): [string, { unitPrice: number; discountPercent?: number }] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new DomainError(`--price "${text}": expected PRODUCT=UNIT_PRICE[:DISCOUNT%]`);
  const [price = '', discount] = text.slice(eq + 1).split(':');
  return [
    text.slice(0, eq),
    {
      unitPrice: number(price, `--price "${text}"`, 'unit price'),
      ...(discount ? { discountPercent: number(discount.replace(/%$/, ''), `--price "${text}"`, 'discount') } : {}),
    },
  ];
}

/**
 * Prices the current inquiry's items: a quotation made "with reference to the inquiry"
 * takes its products and quantities from it, so the rep only types prices.
 */
export function linesFromInquiry(items: readonly InquiryItem[], prices: readonly string[]): QuoteLineInput[] {
  const byProduct = new Map(prices.map(parsePrice));
  for (const product of byProduct.keys()) {
    if (!items.some((i) => i.product === product)) throw new DomainError(`--price ${product}: the inquiry has no item ${product}`);
  }
  return items.map((item) => {
    const price = byProduct.get(item.product);
    if (!price) throw new DomainError(`no --price for ${item.product} (inquiry items: ${items.map((i) => i.product).join(', ')})`);
    return { product: item.product, quantity: item.quantity, ...price };
  });
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
