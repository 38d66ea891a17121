import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { InboundHandler } from '../server/inboundMail';
export type { InboundHandler };

/**
 * A real SMTP server on loopback that keeps every message: in memory for tests, and as
 * `.eml` files when given a folder (the local stack's `.data/mail/`). It speaks plain SMTP
 * without authentication, as a capture sink should, unless a test asks for a login.
 *
 * Fault modes, for tests that reproduce what real relays do (each can be changed while
 * the sink runs, through `faults`): refuse every login with 535, refuse chosen
 * recipients with 550 5.1.1, refuse recipients by policy with 554 5.7.1, answer slowly
 * (a delay per message), and be down (`stop()`, then `start()` again).
 */

export interface MailSinkFaults {
  /** Refuse every AUTH with `535 5.7.8` (a wrong password as the relay sees it). */
  refuseAuth?: boolean;
  /** Refuse every recipient with `554 5.7.1` (a blocklisted sending IP, a relay denial). */
  policyRefusal?: boolean;
  /** Hold each message this long before accepting it (a slow relay). */
  delayMs?: number;
}

export interface CapturedMail {
  /** The envelope recipients (RCPT TO). */
  recipients: string[];
  from: string;
  messageId: string;
  subject: string;
  headers: Map<string, string>;
  raw: string;
  /** The SMTP session (one client connection) that delivered it. */
  session: string;
  /** When the message arrived (ms since the epoch), to measure rates. */
  receivedAt: number;
  file?: string;
}

export interface MailSinkOptions {
  port?: number;
  host?: string;
  /** Write each message as an .eml file here. */
  dir?: string;
  /** Recipients refused with a permanent 550, to exercise bounce handling. */
  rejectRecipients?: Iterable<string>;
  /**
   * Every recipient at this domain is refused with a permanent 550 too: `npm start`'s sink
   * refuses `…@bounce.example`, so a user can watch a campaign handle a bounce.
   */
  bounceDomain?: string;
  /**
   * How long `stop()` lets open sessions finish before answering them 421 (smtp-server's
   * default is 30 s, during which pooled clients keep delivering). Short for outage tests.
   */
  closeTimeoutMs?: number;
  /** Offer AUTH (PLAIN, LOGIN over plain text); without it the sink takes no login. */
  auth?: boolean;
  /** The fault modes it starts with. */
  faults?: MailSinkFaults;
}

/** Unfolds and reads the header block; enough to find Message-ID, To and Subject. */
export function parseHeaders(raw: string): Map<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

export class MailSink {
  readonly messages: CapturedMail[] = [];
  /** Every SMTP command the sink answered with a refusal, and every login: `AUTH user`, `RCPT 550 x`. */
  readonly log: string[] = [];
  faults: MailSinkFaults;
  private server?: SMTPServer;
  /** Recipients refused with 550 5.1.1 (lower case); tests may add to it while it runs. */
  readonly rejected: Set<string>;
  private listeners: (() => void)[] = [];
  port: number;
  /** Inbound mail handling (see InboundHandler); may be set while the sink runs. */
  inbound?: InboundHandler;

  constructor(private readonly options: MailSinkOptions = {}) {
    this.port = options.port ?? 0;
    this.rejected = new Set([...(options.rejectRecipients ?? [])].map((a) => a.toLowerCase()));
    this.faults = { ...options.faults };
    if (options.dir) mkdirSync(options.dir, { recursive: true });
  }

  get url(): string {
    return `smtp://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** The URL with a login, for a sink started with `auth`. */
  urlWithLogin(user: string, password: string): string {
    return `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  async start(): Promise<this> {
    const refuse = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
    const serverOptions: SMTPServerOptions = {
      authOptional: true,
      disabledCommands: this.options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      size: 25 * 1024 * 1024,
      ...(this.options.closeTimeoutMs === undefined ? {} : { closeTimeout: this.options.closeTimeoutMs }),
      onAuth: (auth, _session, callback) => {
        this.log.push(`AUTH ${auth.username ?? ''}${this.faults.refuseAuth ? ' refused' : ''}`);
        if (this.faults.refuseAuth) {
          callback(refuse(535, '5.7.8 Authentication credentials invalid'));
          return;
        }
        callback(null, { user: auth.username });
      },
      onRcptTo: (address, _session, callback) => {
        const bounceDomain = this.options.bounceDomain?.toLowerCase();
        if (this.rejected.has(address.address.toLowerCase()) || (bounceDomain !== undefined && address.address.toLowerCase().endsWith(`@${bounceDomain}`))) {
          this.log.push(`RCPT 550 ${address.address}`);
          callback(refuse(550, `5.1.1 <${address.address}>: mailbox unavailable`));
          return;
        }
        if (this.faults.policyRefusal) {
          this.log.push(`RCPT 554 ${address.address}`);
          callback(refuse(554, `5.7.1 <${address.address}>: sending host is on a blocklist`));
          return;
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const accept = () => {
            const raw = Buffer.concat(chunks);
            const recipients = session.envelope.rcptTo.map((r) => r.address);
            const inbound = this.inbound;
            const handOver = inbound && recipients.some((r) => inbound.accepts(r)) ? inbound.receive(raw, recipients) : Promise.resolve();
            handOver.then(
              () => {
                this.capture(raw.toString('utf8'), recipients, session.envelope.mailFrom ? session.envelope.mailFrom.address : '', session.id);
                callback();
              },
              (err: unknown) => {
                this.log.push(`DATA 451 ${(err as Error).message}`);
                callback(refuse(451, `4.3.0 could not take the message now: ${(err as Error).message.split('\n')[0]}`));
              },
            );
          };
          const delay = this.faults.delayMs ?? 0;
          if (delay > 0) setTimeout(accept, delay);
          else accept();
        });
      },
    };
    const server = new SMTPServer(serverOptions);
    server.on('error', () => {
      /* a client that hangs up mid-session is not the sink's problem */
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.options.host ?? '127.0.0.1', () => resolve());
    });
    const address = server.server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
    return this;
  }

  /** Stops listening (an SMTP outage); `start()` again listens on the same port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private capture(raw: string, recipients: string[], from: string, session: string): void {
    const headers = parseHeaders(raw);
    const mail: CapturedMail = {
      recipients,
      from,
      messageId: headers.get('message-id') ?? '',
      subject: headers.get('subject') ?? '',
      headers,
      raw,
      session,
      receivedAt: Date.now(),
    };
    if (this.options.dir) {
      const safeId = mail.messageId.replace(/[^A-Za-z0-9.@_-]+/g, '_').slice(0, 120) || 'no-id';
      const file = join(this.options.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeId}.eml`);
      writeFileSync(file, raw);
      mail.file = file;
    }
    this.messages.push(mail);
    for (const listener of this.listeners) listener();
  }

  /** Resolves once a message matching the predicate has arrived. */
  waitFor(predicate: (m: CapturedMail) => boolean, timeoutMs = 30_000): Promise<CapturedMail> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.messages.find(predicate);
        if (found) {
          cleanup();
          resolve(found);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no matching mail within ${timeoutMs} ms; got: ${this.messages.map((m) => m.subject).join(' | ')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
      const listener = () => void check();
      this.listeners.push(listener);
      check();
    });
  }
}
