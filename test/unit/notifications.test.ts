import { messageId, quoteSentMail } from '../../domain/pipeline/notifications';
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
    expect(text).toContain('  WIDGET-1  3 x 19.99 -10%  = 53.97 EUR');
    expect(text).toContain('  SVC/INSTALL  1 x 250.00  = 250.00 EUR');
    expect(text).toContain('  Total: 303.97 EUR');
    expect(text).toContain(`  Valid until: ${formatTime(at(4 * HOUR + 10 * DAY))}`);
  });
});
