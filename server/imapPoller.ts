import { ImapFlow } from 'imapflow';
import { receiveInboundMail, type InboundDeps } from './inboundMail';

/**
 * Polls an IMAP mailbox (IMAP_URL, `imaps://user:password@host:993/INBOX`) for replies, for
 * deployments where no relay forwards salesflow's reply address to its SMTP endpoint. Each
 * unseen message is handed to receiveInboundMail and then flagged \Seen; a message is marked
 * only after it was handled, and handling is idempotent by Message-ID, so a crash between
 * the two reads it again harmlessly.
 */

export interface ImapPoller {
  /** One pass over the unseen messages; how many were handled. */
  pollOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function imapOptions(url: string): { host: string; port: number; secure: boolean; auth: { user: string; pass: string }; mailbox: string } {
  const u = new URL(url);
  const secure = u.protocol === 'imaps:';
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    secure,
    auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
    mailbox: decodeURIComponent(u.pathname.replace(/^\/+/, '')) || 'INBOX',
  };
}

export function startImapPoller(deps: InboundDeps, options: { url: string; intervalMs: number; log?: (message: string) => void }): ImapPoller {
  const { mailbox, ...connect } = imapOptions(options.url);
  const log = options.log ?? (() => undefined);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  /** The poll's connection while one runs: stop() closes it rather than wait on a silent server. */
  const open = new Set<ImapFlow>();

  const pollOnce = async (): Promise<number> => {
    const client = new ImapFlow({ ...connect, logger: false });
    open.add(client);
    // A connection lost while no command is out (a reset while a reply is being handled) is
    // reported only as an 'error' event, which would kill the server unheard. The poll's next
    // command then fails ("Connection not available"), and the loop logs it and polls again.
    let lost: Error | undefined;
    client.on('error', (err: Error) => {
      lost = err;
    });
    let handled = 0;
    try {
      await client.connect();
      const lock = await client.getMailboxLock(mailbox);
      try {
        const unseen = await client.search({ seen: false }, { uid: true });
        for (const uid of unseen || []) {
          const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
          if (!message || !message.source) continue;
          const outcome = await receiveInboundMail(deps, message.source);
          log(`imap: message ${uid}: ${outcome.status}`);
          await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
          handled++;
        }
      } finally {
        lock.release();
      }
    } catch (err) {
      // Say why the connection went away, not only that it had.
      if (lost && err instanceof Error && !err.message.includes(lost.message)) err.message = `${err.message} (${lost.message})`;
      throw err;
    } finally {
      if (open.delete(client)) await client.logout().catch(() => undefined);
    }
    return handled;
  };

  const loop = () => {
    if (stopped) return;
    running = pollOnce()
      .catch((err: unknown) => {
        log(`imap: poll failed: ${(err as Error).message}`);
        return 0;
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.intervalMs);
      });
  };
  loop();
  return {
    pollOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      // A poll waiting on a silent mailbox server would hold the shutdown for minutes (the
      // socket's timeout): its connection is closed, its commands fail, and nothing of the
      // message it was handling is lost (unflagged, it is fetched again by the next start).
      for (const client of open) {
        open.delete(client);
        client.close();
      }
      await running;
    },
  };
}
