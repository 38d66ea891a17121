import { QUOTATION_LINK, messageId, quoteSentMail } from '../../domain/pipeline/notifications';
import { currentQuote } from '../../domain/pipeline/lifecycle';
import { at, HOUR, DAY, withSent } from './fixtures';
import { formatTime } from '../../domain/shared/timeZone';

describe('mails', () => {
  it('derives Message-IDs from the workflow and the subject of the mail', () => {
    expect(messageId('prospect-P1', 'quote-r2-sent')).toBe('<prospect-P1.quote-r2-sent@salesflow.invalid>');
  });

  it('the quotation mail lists every line, the total and the validity', () => {
    const state = withSent();
    const mail = quoteSentMail(state, currentQuote(state)!);
    expect(mail).toEqual(state.outbox[0]);
    const text = mail!.text;
    expect(text).toContain('Dear Ada Buyer,');
    expect(text).toContain('  WIDGET-1  3 x €19.99 -10 %  net €53.97  VAT 0 % €0.00  = €53.97');
    expect(text).toContain('  SVC/INSTALL  1 x €250.00  net €250.00  VAT 0 % €0.00  = €250.00');
    expect(text).toContain('  Total: €303.97');
    expect(text).toContain(`  Valid until: ${formatTime(at(4 * HOUR + 10 * DAY))}`);
    // The lines come after the opening, before the link to accept.
    expect(text.indexOf('offer you the following')).toBeLessThan(text.indexOf('WIDGET-1'));
    expect(text.indexOf('WIDGET-1')).toBeLessThan(text.indexOf(QUOTATION_LINK));
  });
});
