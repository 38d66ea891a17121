import { classifySmtpFailure, enhancedStatus } from '../../domain/shared/smtpFailure';

/** The errors nodemailer raises, as the relay's reply and the command it answered. */
const cases: [string, Parameters<typeof classifySmtpFailure>[0], string][] = [
  ['mailbox unknown at RCPT', { responseCode: 550, command: 'RCPT TO', response: '550 5.1.1 <x@y.test>: mailbox unavailable', code: 'EENVELOPE' }, 'recipient'],
  ['mailbox unknown, no enhanced status', { responseCode: 550, command: 'RCPT TO', response: '550 No such user here' }, 'recipient'],
  ['mailbox full after DATA', { responseCode: 552, command: 'DATA', response: '552 5.2.2 Mailbox full' }, 'recipient'],
  ['bad destination domain', { responseCode: 550, command: 'RCPT TO', response: '550 5.1.2 Host unknown' }, 'recipient'],
  ['wrong password', { responseCode: 535, command: 'AUTH PLAIN', response: '535 5.7.8 Authentication credentials invalid', code: 'EAUTH' }, 'auth'],
  ['wrong password, LOGIN', { responseCode: 535, command: 'AUTH LOGIN', response: '535 Error: authentication failed' }, 'auth'],
  ['authentication required', { responseCode: 530, command: 'MAIL FROM', response: '530 5.7.0 Authentication required' }, 'auth'],
  ['relay denied at RCPT', { responseCode: 554, command: 'RCPT TO', response: '554 5.7.1 <x@y.test>: Relay access denied' }, 'sender'],
  ['blocklisted IP at RCPT', { responseCode: 550, command: 'RCPT TO', response: '550 5.7.1 Service unavailable; client host blocked' }, 'sender'],
  ['policy at DATA', { responseCode: 554, command: 'DATA', response: '554 5.7.1 Message rejected as spam' }, 'sender'],
  ['sender refused', { responseCode: 553, command: 'MAIL FROM', response: '553 5.1.8 Sender address rejected' }, 'sender'],
  ['sender domain refused, seen after RCPT', { responseCode: 550, command: 'RCPT TO', response: '550 5.1.8 Bad sender domain' }, 'sender'],
  ['transaction failed at DATA', { responseCode: 554, command: 'DATA', response: '554 Transaction failed' }, 'sender'],
  ['greylisted', { responseCode: 451, command: 'RCPT TO', response: '451 4.7.1 Greylisted, try again' }, 'temporary'],
  ['temporary auth failure', { responseCode: 454, command: 'AUTH PLAIN', response: '454 4.7.0 Temporary authentication failure', code: 'EAUTH' }, 'temporary'],
  ['connection refused', { code: 'ESOCKET', command: 'CONN', message: 'connect ECONNREFUSED 127.0.0.1:2525' }, 'temporary'],
  ['timeout', { code: 'ETIMEDOUT', command: 'CONN', message: 'Connection timeout' }, 'temporary'],
  ['shutting down', { responseCode: 421, command: 'MAIL FROM', response: '421 Server shutting down' }, 'temporary'],
  ['not an SMTP error at all', { message: 'something broke' }, 'temporary'],
];

test.each(cases)('%s', (_name, err, kind) => {
  expect(classifySmtpFailure(err).kind).toBe(kind);
});

test('the reason names the stage, the code and the relay\'s words', () => {
  expect(classifySmtpFailure({ responseCode: 535, command: 'AUTH PLAIN', response: '535 5.7.8 Authentication credentials invalid' }).reason).toBe(
    'AUTH PLAIN 535: 535 5.7.8 Authentication credentials invalid',
  );
});

test('enhanced status codes are found where relays put them', () => {
  expect(enhancedStatus('550 5.1.1 <a@b>: no')).toBe('5.1.1');
  expect(enhancedStatus('550-5.7.1 blocked')).toBe('5.7.1');
  expect(enhancedStatus('550 mailbox 15.1.10 unknown')).toBeUndefined();
  expect(enhancedStatus('no status here')).toBeUndefined();
});
