import { SMTPServer } from 'smtp-server';
import type { InboundHandler } from './inboundMail';

/**
 * Salesflow's inbound SMTP endpoint for `npm run api` (SALESFLOW_INBOUND_SMTP): the place a
 * relay (or the reply domain's MX) delivers replies to. Unlike the local stack's sink it is
 * not a sink: a recipient outside the reply address's domain is refused at RCPT with 550, so
 * it relays nothing and stores nothing for anyone else. A message is answered 250 only after
 * it was handed over (claimed by Message-ID and logged); a failure answers 451 so the sender
 * keeps it and delivers again, which the Message-ID claim makes harmless.
 */
export interface InboundSmtp {
  /** host:port it listens on (the port the OS gave when 0 was asked). */
  address: string;
  close(): Promise<void>;
}

/** The largest reply taken (quoted history and a signature image included). */
export const INBOUND_MAX_BYTES = 10 * 1024 * 1024;

export async function startInboundSmtp(handler: InboundHandler, listen: { host: string; port: number }): Promise<InboundSmtp> {
  const refuse = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
  const server = new SMTPServer({
    // Replies arrive from relays on the open internet: no login, and TLS is the relay's
    // business in front of it (documented in the README's production notes).
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: INBOUND_MAX_BYTES,
    onRcptTo: (address, _session, callback) => {
      if (!handler.accepts(address.address)) {
        callback(refuse(550, `5.7.1 <${address.address}>: this server only takes replies to salesflow`));
        return;
      }
      callback();
    },
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(refuse(552, `5.3.4 message larger than ${INBOUND_MAX_BYTES} bytes`));
          return;
        }
        handler.receive(Buffer.concat(chunks), session.envelope.rcptTo.map((r) => r.address)).then(
          () => callback(),
          (err: unknown) => callback(refuse(451, `4.3.0 could not take the message now: ${(err as Error).message.split('\n')[0]}`)),
        );
      });
    },
  });
  server.on('error', () => {
    /* a client hanging up mid-session is its own problem */
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const bound = server.server.address();
  const port = bound && typeof bound === 'object' ? bound.port : listen.port;
  return {
    address: `${listen.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
