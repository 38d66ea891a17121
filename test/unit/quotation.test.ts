import { DomainError } from '../../domain/shared/errors';
import { applyDueDeadlines } from '../../domain/pipeline/deadlines';
import { changeInquiry, changeQuote, createQuote, currentQuote, refreshQuote, sendQuote, staleReference } from '../../domain/pipeline/lifecycle';
import {
  formatCents,
  priceLine,
  QuoteLineInputSchema,
  QuoteLinesSchema,
  quoteLineInputSchema,
  specOf,
  totalsOf,
  type QuoteLineInput,
} from '../../domain/pipeline/quotation';
import { MAX_AMOUNT_CENTS, parsePercentText, parsePriceText, priceSchema } from '../../domain/shared/money';
import { describeIssues } from '../../domain/shared/errors';
import {
  at,
  DAY,
  fresh,
  HOUR,
  INFO,
  inInquiry,
  LINES,
  PROCESS,
  qualified,
  QUOTED_AT,
  SENT_AT,
  snapshot,
  withDraft,
  withSent,
} from './fixtures';

function line(input: QuoteLineInput) {
  return priceLine(specOf(QuoteLineInputSchema.parse(input)));
}

function issues(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown): string[] {
  const result = schema.safeParse(value);
  expect(result.success).toBe(false);
  return describeIssues(result.error as Parameters<typeof describeIssues>[0]);
}

describe('pricing a line in cents', () => {
  it('computes gross, discount and net from a price in major units', () => {
    expect(line({ product: 'WIDGET-1', quantity: 3, unitPrice: '19.99', discountPercent: '10' })).toEqual({
      product: 'WIDGET-1',
      quantity: 3,
      discountPercent: 10,
      discountBasisPoints: 1000,
      unitPriceCents: 1999,
      grossCents: 5997,
      discountCents: 600, // 599.7 rounds to the nearest cent
      netCents: 5397,
    });
  });

  it('has no discount by default', () => {
    expect(line({ product: 'A', quantity: 2, unitPrice: '250' })).toMatchObject({ discountBasisPoints: 0, grossCents: 50000, discountCents: 0, netCents: 50000 });
  });

  it('converts prices that are inexact in binary floating point to exact cents', () => {
    // 0.29 * 100 = 28.999999999999996 and 1.15 * 100 = 114.99999999999999 in IEEE doubles.
    expect(line({ product: 'A', quantity: 1, unitPrice: '0.29' }).unitPriceCents).toBe(29);
    expect(line({ product: 'A', quantity: 7, unitPrice: '1.15' })).toMatchObject({ unitPriceCents: 115, grossCents: 805 });
    // 0.1 + 0.2 worth of cents stays exact when summed.
    const totals = totalsOf([line({ product: 'A', quantity: 1, unitPrice: '0.1' }), line({ product: 'B', quantity: 1, unitPrice: '0.2' })]);
    expect(totals.netCents).toBe(30);
  });

  it('rounds a half-cent discount to the nearest cent, half up', () => {
    // 50 cents at 25% = 12.5 cents.
    expect(line({ product: 'A', quantity: 2, unitPrice: '0.25', discountPercent: '25' })).toMatchObject({
      grossCents: 50,
      discountCents: 13,
      netCents: 37,
    });
    // 1 cent at 49% = 0.49 cents.
    expect(line({ product: 'A', quantity: 1, unitPrice: '0.01', discountPercent: '49' }).discountCents).toBe(0);
  });

  it('takes fractional discount percentages', () => {
    expect(line({ product: 'A', quantity: 1, unitPrice: '100', discountPercent: '12.5' })).toMatchObject({ discountCents: 1250, netCents: 8750 });
  });

  it('a 100% discount makes the line free', () => {
    expect(line({ product: 'A', quantity: 4, unitPrice: '9.99', discountPercent: '100' })).toMatchObject({ grossCents: 3996, discountCents: 3996, netCents: 0 });
  });

  it('the net of a line is always gross minus discount', () => {
    for (const discountPercent of [0, 1, 3.3, 33.33, 50, 66.67, 99.9, 100]) {
      for (const unitPrice of [0.01, 0.07, 1.15, 19.99, 1234.56]) {
        const l = line({ product: 'A', quantity: 3, unitPrice: String(unitPrice), discountPercent: String(discountPercent) });
        expect(Number.isInteger(l.discountCents)).toBe(true);
        expect(l.netCents).toBe(l.grossCents - l.discountCents);
      }
    }
  });
});

describe('totals', () => {
  it('sums the lines in cents', () => {
    const lines = LINES.map(line);
    expect(totalsOf(lines)).toEqual({ grossCents: 30997, discountCents: 600, netCents: 30397 });
  });

  it('rounds each line, not the total', () => {
    // Three lines of 0.05 at 10%: each discount is 0.5 → 1 cent, so 3 cents (not round(1.5) = 2).
    const lines = [1, 2, 3].map(() => line({ product: 'A', quantity: 1, unitPrice: '0.05', discountPercent: '10' }));
    expect(totalsOf(lines)).toEqual({ grossCents: 15, discountCents: 3, netCents: 12 });
  });

  it('is zero for no lines', () => {
    expect(totalsOf([])).toEqual({ grossCents: 0, discountCents: 0, netCents: 0 });
  });

  it('formats cents with two decimals', () => {
    expect(formatCents(123456)).toBe('1234.56');
    expect(formatCents(30397)).toBe('303.97');
    expect(formatCents(5)).toBe('0.05');
    expect(formatCents(50)).toBe('0.50');
    expect(formatCents(0)).toBe('0.00');
    expect(formatCents(-250)).toBe('-2.50');
  });
});

describe('prices are decimal text, read into exact cents', () => {
  it.each([
    ['1999.90', 199990],
    ['45', 4500],
    ['0.5', 50],
    ['0.29', 29],
    ['007.10', 710],
    ['1000000000.00', MAX_AMOUNT_CENTS],
  ])('reads %p as %p cents', (text, cents) => {
    expect(parsePriceText(text)).toEqual({ ok: true, value: cents });
  });

  it.each(['0x10', '1e3', '1,999.90', '-1', '12.345', '.5', '1.', 'NaN', 'Infinity', '1 000'])('refuses %p and shows the accepted form', (text) => {
    expect(parsePriceText(text)).toEqual({ ok: false, problem: `${JSON.stringify(text)} is not a price: write digits with at most two decimals, like 1999.90` });
  });

  it.each(['', ' '])('asks for a price when there is none (%p)', (text) => {
    expect(parsePriceText(text)).toEqual({ ok: false, problem: 'give a price: write digits with at most two decimals, like 1999.90' });
  });

  it('refuses a price above 1,000,000,000.00, however many digits it has', () => {
    for (const text of ['1000000000.01', '9999999999', '100000000000000000000000000000']) {
      expect(parsePriceText(text)).toEqual({ ok: false, problem: `"${text}" is above the limit of 1000000000.00` });
    }
  });

  it('a command takes text; a number is refused with the form to write instead', () => {
    expect(issues(QuoteLineInputSchema, { product: 'A', quantity: 1, unitPrice: 1999.9 })).toEqual([
      'unitPrice: must be decimal text such as "1999.90", not the number 1999.9',
    ]);
    expect(issues(QuoteLineInputSchema, { product: 'A', quantity: 1, unitPrice: '1', discountPercent: 5 })).toEqual([
      'discountPercent: must be decimal text such as "12.5", not the number 5',
    ]);
  });

  it('commands recorded before prices were text still read as exact cents under recorded rules', () => {
    const recorded = quoteLineInputSchema('recorded');
    expect(recorded.parse({ product: 'A', quantity: 250, unitPrice: 12.4, discountPercent: 10 })).toMatchObject({ unitPrice: 1240, discountPercent: 1000 });
    expect(priceSchema(true).safeParse(1.005).success).toBe(false);
    expect(priceSchema(true).safeParse(-1).success).toBe(false);
  });

  it('a discount is a percent with at most two decimals, kept in basis points', () => {
    expect(parsePercentText('12.5')).toEqual({ ok: true, value: 1250 });
    expect(parsePercentText('33.33')).toEqual({ ok: true, value: 3333 });
    expect(parsePercentText('100')).toEqual({ ok: true, value: 10_000 });
    for (const text of ['100.01', '101', '-5', '12.345', '1e1', '5%']) {
      expect(parsePercentText(text)).toEqual({ ok: false, problem: `${JSON.stringify(text)} is not a discount: write a number from 0 to 100 with at most two decimals, like 12.5` });
    }
  });
});

describe('a zero price is a free offer only when it says so', () => {
  it('refuses a zero price without free: true', () => {
    expect(issues(QuoteLineInputSchema, { product: 'A', quantity: 1, unitPrice: '0' })).toEqual([
      'unitPrice: a zero price is a free offer: say so with free: true (--free)',
    ]);
    expect(issues(QuoteLineInputSchema, { product: 'A', quantity: 1, unitPrice: '0.00' })).toHaveLength(1);
  });

  it('takes a zero price with free: true, and refuses free on a priced line', () => {
    expect(line({ product: 'A', quantity: 2, unitPrice: '0', free: true })).toMatchObject({ free: true, grossCents: 0, netCents: 0 });
    expect(issues(QuoteLineInputSchema, { product: 'A', quantity: 1, unitPrice: '5', free: true })).toEqual(['free: a free line has the unit price 0']);
  });

  it('a missing price is refused, never read as zero', () => {
    expect(issues(QuoteLineInputSchema, { product: 'A', quantity: 1 })[0]).toMatch(/^unitPrice: /);
  });
});

describe('totals at the bounds', () => {
  it('a line total may reach 1,000,000,000.00 and not pass it', () => {
    expect(line({ product: 'A', quantity: 4, unitPrice: '250000000' }).grossCents).toBe(MAX_AMOUNT_CENTS);
    expect(issues(QuoteLineInputSchema, { product: 'A', quantity: 3, unitPrice: '333333333.34' })).toEqual([
      'quantity: the line total 1000000000.02 is above the limit of 1000000000.00 per line',
    ]);
  });

  it('stays exact to the cent with the largest lines and an awkward discount', () => {
    const top = line({ product: 'A', quantity: 1, unitPrice: '999999999.99', discountPercent: '33.33' });
    // 99999999999 × 3333 / 10000 = 33329999999.6667 → 33330000000 cents, half up.
    expect(top).toMatchObject({ grossCents: 99_999_999_999, discountCents: 33_330_000_000, netCents: 66_669_999_999 });
    const lines = Array.from({ length: 1000 }, () => top);
    const totals = totalsOf(lines);
    expect(totals).toEqual({ grossCents: 99_999_999_999_000, discountCents: 33_330_000_000_000, netCents: 66_669_999_999_000 });
    expect(Number.isSafeInteger(totals.grossCents)).toBe(true);
    expect(formatCents(totals.netCents)).toBe('666699999990.00');
  });

  it('a quotation has at most 1000 lines, so its total stays exact', () => {
    const many = Array.from({ length: 1001 }, () => ({ product: 'A', quantity: 1, unitPrice: '1' }));
    expect(issues(QuoteLinesSchema, many)).toEqual(['a quotation has at most 1000 items']);
  });
});

describe("a line's other fields", () => {
  it('checks quantity and discount of a line', () => {
    expect(issues(QuoteLineInputSchema, { product: 'A', quantity: 2.5, unitPrice: '1' })).toEqual(['quantity: must be a whole number']);
    expect(issues(QuoteLineInputSchema, { product: 'A', quantity: 0, unitPrice: '1' })).toEqual(['quantity: must be at least 1']);
    expect(issues(QuoteLineInputSchema, { product: 'A', quantity: 1, unitPrice: '1', discountPercent: '101' })).toEqual([
      'discountPercent: "101" is not a discount: write a number from 0 to 100 with at most two decimals, like 12.5',
    ]);
    expect(issues(QuoteLineInputSchema, { product: 'A', quantity: 1, unitPrice: '1', discountPercent: -5 })[0]).toMatch(/^discountPercent: /);
    expect(issues(QuoteLineInputSchema, { product: 'bad code!', quantity: 1, unitPrice: '1' })[0]).toMatch(/^product: must be a product code/);
  });

  it('a quotation needs at least one line', () => {
    expect(issues(QuoteLinesSchema, [])).toEqual(['a quotation needs at least one item']);
  });
});

describe('creating a quotation', () => {
  it('prices the lines and takes the currency from the process', () => {
    const chf = { ...PROCESS, quotePolicy: { ...PROCESS.quotePolicy, currency: 'CHF' } };
    const state = createQuote(inInquiry(qualified(fresh(INFO, chf))), { lines: LINES, note: 'incl. install', by: 'alice' }, QUOTED_AT);
    const quote = currentQuote(state);
    expect(quote).toMatchObject({
      revision: 1,
      status: 'draft',
      currency: 'CHF',
      note: 'incl. install',
      totals: { grossCents: 30997, discountCents: 600, netCents: 30397 },
      createdAt: QUOTED_AT,
      createdBy: 'alice',
    });
    expect(quote?.lines.map((l) => l.netCents)).toEqual([5397, 25000]);
    expect(quote?.sentAt).toBeUndefined();
    expect(quote?.validTo).toBeUndefined();
  });

  it('refuses a validity end that is not in the future', () => {
    const state = inInquiry();
    expect(() => createQuote(state, { lines: LINES, validTo: QUOTED_AT }, QUOTED_AT)).toThrow(
      new DomainError(`validTo ${QUOTED_AT} is not in the future`),
    );
    expect(() => createQuote(state, { lines: LINES, validTo: at(0) }, QUOTED_AT)).toThrow(DomainError);
  });
});

describe('sending a quotation', () => {
  it('is valid for the process validity counted from sending by default', () => {
    const quote = currentQuote(withSent());
    expect(quote).toMatchObject({ status: 'sent', sentAt: SENT_AT, validTo: at(4 * HOUR + 10 * DAY) });
  });

  it('keeps a validity end asked for when the quotation was made', () => {
    const requested = '2026-04-01T00:00:00.000Z';
    const quote = currentQuote(withSent(withDraft(inInquiry(), { validTo: requested })));
    expect(quote).toMatchObject({ requestedValidTo: requested, validTo: requested });
  });

  it('refuses to send when the requested validity end has passed meanwhile', () => {
    const draft = withDraft(inInquiry(), { validTo: at(3 * HOUR + 30 * 60_000) });
    expect(() => sendQuote(draft, { by: 'alice' }, SENT_AT)).toThrow(`validTo ${at(3 * HOUR + 30 * 60_000)} is not in the future`);
    expect(currentQuote(draft)?.status).toBe('draft');
  });
});

describe('revisions', () => {
  it('a draft is edited in place: same revision, new lines and totals, original creation time', () => {
    const draft = withDraft();
    const edited = changeQuote(draft, { lines: [{ product: 'WIDGET-1', quantity: 10, unitPrice: '18', discountPercent: '5' }], by: 'bob' }, at(3.5 * HOUR));
    expect(edited.quotes).toHaveLength(1);
    expect(edited.quotes[0]).toMatchObject({
      revision: 1,
      status: 'draft',
      createdAt: QUOTED_AT,
      totals: { grossCents: 18000, discountCents: 900, netCents: 17100 },
    });
    expect(edited.quotes[0]?.supersededBy).toBeUndefined();
    expect(edited.changes.at(-1)).toEqual({ at: at(3.5 * HOUR), by: 'bob', what: 'edited draft revision 1' });
  });

  it('editing only the note of a draft keeps its lines', () => {
    const draft = withDraft();
    const edited = changeQuote(draft, { note: 'delivery in May', by: 'alice' }, at(3.5 * HOUR));
    expect(edited.quotes[0]?.note).toBe('delivery in May');
    expect(edited.quotes[0]?.lines).toEqual(draft.quotes[0]?.lines);
    expect(edited.quotes[0]?.totals).toEqual(draft.quotes[0]?.totals);
  });

  it('changing a sent quotation makes revision 2 and marks revision 1 superseded', () => {
    const sent = withSent();
    const original = currentQuote(sent)!;
    const changed = changeQuote(sent, { lines: [{ product: 'WIDGET-1', quantity: 3, unitPrice: '17.5' }], by: 'alice' }, at(DAY));

    expect(changed.quotes.map((q) => [q.revision, q.status])).toEqual([
      [1, 'superseded'],
      [2, 'draft'],
    ]);
    // The binding offer itself is untouched: only its status and the pointer to its successor change.
    expect(changed.quotes[0]).toEqual({ ...original, status: 'superseded', supersededBy: 2 });
    expect(changed.quotes[1]).toMatchObject({
      revision: 2,
      createdAt: at(DAY),
      createdBy: 'alice',
      note: original.note,
      totals: { grossCents: 5250, discountCents: 0, netCents: 5250 },
    });
    expect(changed.quotes[1]?.sentAt).toBeUndefined();
    expect(changed.quotes[1]?.validTo).toBeUndefined();
    expect(changed.stage).toBe('quotation');
    expect(changed.changes.at(-1)?.what).toBe('revision 2 supersedes revision 1');
  });

  it('a sent quotation is never edited in place, whatever is changed', () => {
    for (const change of [{ note: 'new note' }, { validTo: at(30 * DAY) }, { lines: LINES }]) {
      const sent = withSent();
      const before = snapshot(sent);
      const changed = changeQuote(sent, { ...change, by: 'alice' }, at(DAY));
      expect(changed.quotes).toHaveLength(2);
      expect(changed.quotes[0]).toEqual({ ...currentQuote(sent), status: 'superseded', supersededBy: 2 });
      expect(snapshot(sent)).toEqual(before);
    }
  });

  it('a change of a sent quotation carries over what it does not change', () => {
    const changed = changeQuote(withSent(), { validTo: at(30 * DAY), by: 'alice' }, at(DAY));
    const [r1, r2] = changed.quotes;
    expect(r2?.lines).toEqual(r1?.lines);
    expect(r2?.totals).toEqual(r1?.totals);
    expect(r2?.requestedValidTo).toBe(at(30 * DAY));
  });

  it('the new revision is sent with its own Message-ID and validity, the old one stays superseded', () => {
    const changed = changeQuote(withSent(), { note: 'revised', by: 'alice' }, at(DAY));
    const resent = sendQuote(changed, { by: 'alice' }, at(DAY + HOUR));
    expect(resent.quotes.map((q) => q.status)).toEqual(['superseded', 'sent']);
    expect(resent.quotes[1]).toMatchObject({ sentAt: at(DAY + HOUR), validTo: at(11 * DAY + HOUR) });
    expect(resent.outbox.map((m) => m.messageId)).toEqual([
      '<prospect-P1.quote-r1-sent@salesflow.invalid>',
      '<prospect-P1.quote-r2-sent@salesflow.invalid>',
    ]);
    expect(resent.outbox[1]?.subject).toBe('Revised quotation Q-P1-2 from the test-process sales team');
  });

  it('a draft revision 2 is edited in place; changing it again after sending makes revision 3', () => {
    const r2draft = changeQuote(withSent(), { note: 'v2', by: 'alice' }, at(DAY));
    const r2edited = changeQuote(r2draft, { note: 'v2 fixed', by: 'alice' }, at(DAY + HOUR));
    expect(r2edited.quotes.map((q) => [q.revision, q.status, q.note])).toEqual([
      [1, 'superseded', ''],
      [2, 'draft', 'v2 fixed'],
    ]);
    const r2sent = sendQuote(r2edited, { by: 'alice' }, at(DAY + 2 * HOUR));
    const r3 = changeQuote(r2sent, { note: 'v3', by: 'alice' }, at(2 * DAY));
    expect(r3.quotes.map((q) => [q.revision, q.status, q.supersededBy])).toEqual([
      [1, 'superseded', 2],
      [2, 'superseded', 3],
      [3, 'draft', undefined],
    ]);
  });

  it('changing an expired quotation makes a new revision that supersedes it', () => {
    const expired = applyDueDeadlines(withSent(), at(20 * DAY));
    expect(currentQuote(expired)?.status).toBe('expired');
    const changed = changeQuote(expired, { note: 'renewed offer', by: 'alice' }, at(21 * DAY));
    expect(changed.quotes.map((q) => [q.revision, q.status, q.supersededBy])).toEqual([
      [1, 'superseded', 2],
      [2, 'draft', undefined],
    ]);
  });

  it('refuses a new validity end that is not in the future', () => {
    expect(() => changeQuote(withSent(), { validTo: at(HOUR), by: 'alice' }, at(DAY))).toThrow(`validTo ${at(HOUR)} is not in the future`);
  });
});

describe('a quotation follows its inquiry', () => {
  /** The inquiry changed after the draft: WIDGET-1 now 5 pieces, and a new item. */
  function staleDraft(items = [{ product: 'WIDGET-1', quantity: 5 }, { product: 'SVC/INSTALL', quantity: 1 }]) {
    const draft = withDraft();
    return changeInquiry(draft, { items, by: 'alice' }, at(3.5 * HOUR));
  }

  it('a draft made for an older inquiry version cannot be sent until refreshed', () => {
    const stale = staleDraft();
    expect(() => sendQuote(stale, { by: 'alice' }, SENT_AT)).toThrow(
      new DomainError('cannot send revision 1: it refers to inquiry version 1; the inquiry is now at version 2: run quote refresh'),
    );
    expect(staleReference(currentQuote(stale)!, 2)).toBe('it refers to inquiry version 1; the inquiry is now at version 2: run quote refresh');
  });

  it('refresh re-reads products and quantities and keeps the prices of products still asked for', () => {
    const refreshed = refreshQuote(staleDraft(), { by: 'bob' }, at(3.6 * HOUR));
    const quote = currentQuote(refreshed)!;
    expect(quote).toMatchObject({ revision: 1, status: 'draft', inquiryVersion: 2, createdAt: QUOTED_AT });
    expect(quote.lines.map((l) => [l.product, l.quantity, l.unitPriceCents, l.discountBasisPoints])).toEqual([
      ['WIDGET-1', 5, 1999, 1000],
      ['SVC/INSTALL', 1, 25000, 0],
    ]);
    // 5 × 19.99 = 99.95, 10% = 9.995 → 10.00 (half up); + 250.00.
    expect(quote.totals).toEqual({ grossCents: 34995, discountCents: 1000, netCents: 33995 });
    expect(sendQuote(refreshed, { by: 'bob' }, SENT_AT).quotes[0]?.status).toBe('sent');
  });

  it('refuses to refresh when a product new in the inquiry has no price, naming it', () => {
    const stale = staleDraft([{ product: 'WIDGET-1', quantity: 5 }, { product: 'GADGET', quantity: 2 }]);
    expect(() => refreshQuote(stale, { by: 'bob' }, at(3.6 * HOUR))).toThrow(
      new DomainError('cannot refresh revision 1: no price for GADGET, new in the inquiry: price it with quote change --price PRODUCT=PRICE'),
    );
  });

  it('refuses to refresh a quotation that already refers to the current inquiry', () => {
    expect(() => refreshQuote(withDraft(), { by: 'bob' }, at(3.6 * HOUR))).toThrow('nothing to refresh: revision 1 already refers to inquiry version 1');
  });

  it('refreshing a sent quotation makes a new draft revision for the current inquiry', () => {
    const sent = withSent();
    const changed = changeInquiry(sent, { items: [{ product: 'WIDGET-1', quantity: 4 }], by: 'alice' }, at(DAY));
    const refreshed = refreshQuote(changed, { by: 'alice' }, at(DAY + HOUR));
    expect(refreshed.quotes.map((q) => [q.revision, q.status, q.inquiryVersion])).toEqual([
      [1, 'superseded', 1],
      [2, 'draft', 2],
    ]);
    expect(refreshed.quotes[1]?.lines.map((l) => [l.product, l.quantity])).toEqual([['WIDGET-1', 4]]);
  });

  it('a change without new lines re-reads the inquiry too, so a note edit never claims the new version with old lines', () => {
    const edited = changeQuote(staleDraft(), { note: 'updated', by: 'bob' }, at(3.6 * HOUR));
    expect(currentQuote(edited)).toMatchObject({ inquiryVersion: 2, note: 'updated' });
    expect(currentQuote(edited)?.lines.map((l) => [l.product, l.quantity])).toEqual([
      ['WIDGET-1', 5],
      ['SVC/INSTALL', 1],
    ]);
  });
});
