/**
 * What an SMTP failure means for the mail and the recipient. Only a refusal of the
 * recipient is a bounce: a wrong password, a relay that will not relay for us, a
 * blocklisted sending IP or a dead connection say nothing about the address, and treating
 * them as bounces would suppress a whole audience for one line in SMTP_URL.
 *
 * nodemailer's errors carry what this needs: `responseCode` (550), `command` ('RCPT TO',
 * 'AUTH PLAIN', 'MAIL FROM', 'DATA', 'CONN'), `response` (the server's line, with the
 * RFC 3463 enhanced status such as 5.1.1) and `code` ('EAUTH', 'EENVELOPE', 'ECONNECTION').
 */

export type SmtpFailureKind =
  /** The recipient's mailbox refuses (RCPT TO 5xx, or 5.1.x/5.2.x): bounce and suppress. */
  | 'recipient'
  /** The relay refuses our login: configuration; retrying does not help until it is fixed. */
  | 'auth'
  /** A permanent refusal that is about us, not the address (policy, relay denial, sender). */
  | 'sender'
  /** 4xx, a refused or dropped connection, a timeout: try again later. */
  | 'temporary';

export interface SmtpFailureFacts {
  responseCode?: unknown;
  command?: unknown;
  response?: unknown;
  code?: unknown;
  message?: unknown;
}

export interface SmtpFailure {
  kind: SmtpFailureKind;
  /** One line for a person: the stage, the code and the server's words. */
  reason: string;
}

/** The enhanced status code (`5.1.1`) in a server reply, if it has one. */
export function enhancedStatus(text: string): string | undefined {
  return /(?:^|\s|-)([245]\.\d{1,3}\.\d{1,3})(?=\s|$|[,;:.])/.exec(text)?.[1];
}

export function classifySmtpFailure(err: SmtpFailureFacts): SmtpFailure {
  const code = typeof err.responseCode === 'number' ? err.responseCode : undefined;
  const command = typeof err.command === 'string' ? err.command.toUpperCase() : '';
  const response = typeof err.response === 'string' ? err.response : '';
  const message = typeof err.message === 'string' ? err.message : '';
  const status = enhancedStatus(response || message);
  const stage = command || (typeof err.code === 'string' ? err.code : 'SMTP');
  const said = (response || message).split('\n')[0]!.trim();
  const reason = `${stage}${code ? ` ${code}` : ''}: ${said}`.slice(0, 300);

  const permanent = code !== undefined && code >= 500 && code < 600;
  if (!permanent) return { kind: 'temporary', reason };
  if (command.startsWith('AUTH') || err.code === 'EAUTH' || code === 535 || code === 534 || code === 530) return { kind: 'auth', reason };
  // MAIL FROM is about our envelope sender, and so are 5.1.7/5.1.8 (bad sender address).
  if (command === 'MAIL FROM' || status === '5.1.7' || status === '5.1.8') return { kind: 'sender', reason };
  if (status?.startsWith('5.1.') || status?.startsWith('5.2.')) return { kind: 'recipient', reason };
  // 5.7.x is policy (relay denied, sender blocklisted, DMARC) even when it comes at RCPT TO.
  if (status?.startsWith('5.7.')) return { kind: 'sender', reason };
  if (command === 'RCPT TO') return { kind: 'recipient', reason };
  return { kind: 'sender', reason };
}
