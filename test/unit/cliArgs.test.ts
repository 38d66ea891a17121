import { linesFromInquiry, parsePrice, parseQuoteItem } from '../../client/pipeline/cliArgs';
import { DomainError } from '../../domain/shared/errors';
import { priceLine, QuoteLineInputSchema, specOf } from '../../domain/pipeline/quotation';

const ITEMS = [
  { product: 'PUMP-X', quantity: 5 },
  { product: 'VALVE-2', quantity: 10 },
];

describe('--price PRODUCT=PRICE[:DISC%]', () => {
  it('passes the decimal text on; the domain reads it into cents', () => {
    expect(parsePrice('PUMP-X=1999.90:5')).toEqual(['PUMP-X', { unitPrice: '1999.90', discountPercent: '5' }]);
    expect(parsePrice('VALVE-2=42.50')).toEqual(['VALVE-2', { unitPrice: '42.50' }]);
    expect(parsePrice('PUMP-X=0.5:12.5%')).toEqual(['PUMP-X', { unitPrice: '0.5', discountPercent: '12.5' }]);
    const [, price] = parsePrice('PUMP-X=1999.90:5');
    expect(priceLine(specOf(QuoteLineInputSchema.parse({ product: 'PUMP-X', quantity: 5, ...price })))).toMatchObject({ grossCents: 999_950, discountCents: 49_998, netCents: 949_952 });
  });

  it.each(['0x10', '1e3', '1,999.90', '-1', '12.345'])('refuses %p, naming the flag and showing the accepted form', (price) => {
    expect(() => parsePrice(`PUMP-X=${price}`)).toThrow(new DomainError(`--price PUMP-X: ${JSON.stringify(price)} is not a price: write digits with at most two decimals, like 1999.90`));
  });

  it('refuses a price above the bound', () => {
    expect(() => parsePrice('PUMP-X=1000000000.01')).toThrow(new DomainError('--price PUMP-X: "1000000000.01" is above the limit of 1000000000.00'));
  });

  it('refuses a bad discount', () => {
    expect(() => parsePrice('PUMP-X=10:150')).toThrow(
      new DomainError('--price PUMP-X discount: "150" is not a discount: write a number from 0 to 100 with at most two decimals, like 12.5'),
    );
  });

  it('a zero price needs --free', () => {
    expect(() => parsePrice('PUMP-X=0')).toThrow(new DomainError('--price PUMP-X: a zero price is a free offer: add --free to say so'));
    expect(parsePrice('PUMP-X=0', true)).toEqual(['PUMP-X', { unitPrice: '0', free: true }]);
  });
});

describe('--item PRODUCT:QTY:PRICE[:DISC%]', () => {
  it('checks the price the same way', () => {
    expect(parseQuoteItem('PUMP-X:2:1999.90:10')).toEqual({ product: 'PUMP-X', quantity: 2, unitPrice: '1999.90', discountPercent: '10' });
    expect(() => parseQuoteItem('PUMP-X:2:1e3')).toThrow(new DomainError('--item PUMP-X: "1e3" is not a price: write digits with at most two decimals, like 1999.90'));
    expect(() => parseQuoteItem('PUMP-X:2:0')).toThrow(/add --free/);
    expect(parseQuoteItem('PUMP-X:2:0', true)).toMatchObject({ unitPrice: '0', free: true });
  });
});

describe('pricing the inquiry', () => {
  it('needs a price for every item on create', () => {
    expect(() => linesFromInquiry(ITEMS, ['PUMP-X=10'])).toThrow('no --price for VALVE-2 (inquiry items: PUMP-X, VALVE-2)');
  });

  it('on a change, keeps the quotation price of items not re-priced', () => {
    const current = [priceLine({ product: 'VALVE-2', quantity: 8, unitPriceCents: 4250, discountBasisPoints: 250 })];
    expect(linesFromInquiry(ITEMS, ['PUMP-X=10'], { current })).toEqual([
      { product: 'PUMP-X', quantity: 5, unitPrice: '10' },
      { product: 'VALVE-2', quantity: 10, unitPrice: '42.50', discountPercent: '2.50' },
    ]);
  });
});
