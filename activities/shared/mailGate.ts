import { setMaxListeners } from 'node:events';
import { Context } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';

/**
 * Hands a mail to a pooled SMTP transport only when one of its connections is free, and gives
 * up waiting at the activity attempt's deadline.
 *
 * Why: nodemailer's pool queues a mail it has no free connection for, and sends it whenever
 * one frees, with no way to take it back. When the relay goes silent (a host gone, a network
 * dropping packets), every connection waits on it; the activity's attempt times out, Temporal
 * retries, and each retry's mail joined the queue. Once the relay answered again, the mail of
 * every abandoned attempt went out too: as many copies as attempts, where the rule allows a
 * repeat only in the crash window. Behind this gate a mail either goes out within its attempt
 * or not at all. Campaign batches hand their mails over the same way: a batch attempt given up
 * while the relay is silent leaves nothing queued to go out after its retry, which reads the
 * ledger and mails the same recipients (test/integration/campaignSilentRelay.test.ts).
 */
export class MailGate {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  /** Mails never handed over: no connection freed before their attempt's end or cancellation (for metrics). */
  givenUp = 0;

  constructor(readonly size: number) {
    this.free = size;
  }

  /**
   * The gate of a transport: its pool's connections, or none needed (a transport that does
   * not queue). One per transport, however many activities mail through it, so that they
   * share its connections and the worker's metrics see them all.
   */
  static of(mailer: Transporter): MailGate {
    let gate = GATES.get(mailer);
    if (!gate) {
      // The options the transport was made with (`pool`), and the pool's own with its defaults
      // filled in (`maxConnections`: 5 unless given).
      const { options, transporter } = mailer as unknown as { options?: { pool?: boolean }; transporter?: { options?: { maxConnections?: number } } };
      gate = new MailGate(options?.pool === true ? (transporter?.options?.maxConnections ?? 5) : Number.POSITIVE_INFINITY);
      GATES.set(mailer, gate);
    }
    return gate;
  }

  /** Connections a mail holds now (the pool's, as far as this gate has handed them out). */
  get busy(): number {
    return Number.isFinite(this.size) ? this.size - this.free : 0;
  }

  /** Mails waiting for a connection to free. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `send` once a connection is free. Rejects with GateTimeout, without sending, when
   * none frees before `deadline` (ms since the epoch) or `signal` aborts.
   */
  async send<T>(send: () => Promise<T>, until: { deadline: number; signal?: AbortSignal }): Promise<T> {
    await this.acquire(until);
    try {
      return await send();
    } finally {
      this.release();
    }
  }

  private acquire(until: { deadline: number; signal?: AbortSignal }): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const give = () => {
        clearTimeout(timer);
        until.signal?.removeEventListener('abort', abandon);
        resolve();
      };
      const abandon = () => {
        const at = this.waiting.indexOf(give);
        if (at >= 0) this.waiting.splice(at, 1);
        this.givenUp++;
        clearTimeout(timer);
        until.signal?.removeEventListener('abort', abandon);
        reject(new GateTimeout(this.size));
      };
      // setTimeout takes at most 2^31 - 1 ms: an endless wait has no timer at all.
      const timer = Number.isFinite(until.deadline) ? setTimeout(abandon, Math.max(0, until.deadline - Date.now())) : undefined;
      if (until.signal) {
        // A campaign batch's waiting mails (up to its in-flight count) all listen on its one
        // cancellation signal, each until it is handed over: no leak, not worth Node's warning.
        setMaxListeners(0, until.signal);
        until.signal.addEventListener('abort', abandon, { once: true });
      }
      this.waiting.push(give);
    });
  }

  private release(): void {
    // The connection passes straight to the next mail waiting, if any.
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

const GATES = new WeakMap<Transporter, MailGate>();

/** No connection freed in time: every one is still waiting on the relay. Nothing was sent. */
export class GateTimeout extends Error {
  constructor(size: number) {
    super(`all ${size} SMTP connections are still waiting on the relay; the mail was not handed over`);
    this.name = 'GateTimeout';
  }
}

/** Time kept back from an attempt's timeout (at most a quarter of it): a mail handed over later might outlive its attempt. */
const ATTEMPT_MARGIN_MS = 2_000;

/** Until when this activity attempt may hand a mail over, and its cancellation; no limit outside an activity. */
export function attemptBounds(): { deadline: number; signal?: AbortSignal } {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return { deadline: Number.POSITIVE_INFINITY };
  }
  const timeout = context.info.startToCloseTimeoutMs;
  // Counted from now: a mail's activity asks at its start (a quotation's PDF, rendered
  // before the mail in the same attempt, takes milliseconds, well within the margin), a
  // campaign batch at the start of its attempt.
  return { deadline: timeout > 0 ? Date.now() + timeout - Math.min(ATTEMPT_MARGIN_MS, timeout / 4) : Number.POSITIVE_INFINITY, signal: context.cancellationSignal };
}
