import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { CsvRowError, Recipient } from '../domain/campaign/csv';
import type { RecipientStatus } from '../domain/campaign/campaign';
import { normalizeEmail } from '../domain/shared/email';
import { insertFromJson, type SalesflowDb } from './database';

/**
 * Where a campaign run keeps what is too big for workflow history, in the salesflow
 * database (db/migrations/005_campaign_store.ts): the resolved audience (100,000 recipients
 * do not fit in a workflow input), the send ledger (a row per recipient as soon as SMTP has
 * answered for it), checkpoints of audience resolution, and the audience CSVs uploaded
 * through the API. A retried batch reads the ledger and skips whoever SMTP already
 * accepted, whichever worker on whichever host runs it.
 */

export const CHUNK = 1_000;

export interface LedgerEntry {
  i: number;
  email: string;
  status: Exclude<RecipientStatus, 'skipped'>;
  messageId?: string;
  reason?: string;
  subject?: string;
  /** The mail is in the prospect's contact log (or the lead's prospect was started). */
  pipelined?: boolean;
  /** A bounce: the address is on the suppression list (a retry adds it if not). */
  suppressed?: boolean;
  at: string;
}

export interface AudienceMeta {
  total: number;
  columns: string[];
  invalidRows: number;
}

/** A run's audience names an uploaded CSV as `upload:<sha256>` (never a file path). */
const UPLOAD_REF = /^upload:([0-9a-f]{64})$/;

export function uploadRef(sha256: string): string {
  return `upload:${sha256}`;
}

/** The upload's hash when `csv` names one, else undefined (a path in SALESFLOW_CAMPAIGN_DIR). */
export function uploadOf(csv: string): string | undefined {
  return UPLOAD_REF.exec(csv)?.[1];
}

/** Stores an uploaded audience by its content hash (the same upload is the same row); returns its reference. */
export async function storeUpload(db: SalesflowDb, csv: string): Promise<string> {
  const sha256 = createHash('sha256').update(csv).digest('hex');
  await db.insertInto('campaign_uploads').values({ sha256, csv }).onConflict((oc) => oc.column('sha256').doNothing()).execute();
  return uploadRef(sha256);
}

export async function readUpload(db: SalesflowDb, sha256: string): Promise<string | undefined> {
  const row = await db.selectFrom('campaign_uploads').select('csv').where('sha256', '=', sha256).executeTakeFirst();
  return row?.csv;
}

type LedgerOp = { kind: 'insert'; entry: LedgerEntry } | { kind: 'pipelined' | 'suppressed'; i: number };

/**
 * How long a ledger row may wait for others to share its INSERT while the batch is sending.
 * Without it each group held the handful of rows that arrived during the last INSERT: 2,200
 * transactions (four round trips each) for 10,000 mails, the campaign's largest cost beside
 * SMTP. With it a group holds about 50 rows at full speed (README, "Benchmark").
 */
export const LEDGER_LINGER_MS = 25;

/**
 * Rows accepted by SMTP and not yet committed, at most: past this many the mail loop waits for
 * its row before handing out another mail, so a slow database bounds the crash window.
 */
export const LEDGER_MAX_UNRECORDED = 100;

/** A group this large goes without waiting out the linger. */
const GROUP_ROWS = 200;

/**
 * Group commit for one batch's ledger. Once `record` resolves, a crash can no longer cause a
 * resend. Rows wait up to LEDGER_LINGER_MS (or until a group is full) to share an INSERT while
 * the batch sends, and go at once after `flush` (the batch has stopped sending): the window in
 * which a crash causes a resend (with the same Message-ID) is that linger plus one INSERT, at
 * most LEDGER_MAX_UNRECORDED mails, and the mail is never slowed to one round trip per recipient.
 */
/** campaign_ledger's columns with their SQL types, as the writer sends a row. */
const LEDGER_COLUMNS = {
  run_key: 'text',
  idx: 'integer',
  email: 'text',
  status: 'text',
  message_id: 'text',
  reason: 'text',
  subject: 'text',
  pipelined: 'boolean',
  suppressed: 'boolean',
  at: 'timestamptz',
} as const;

export class LedgerWriter {
  private queue: { op: LedgerOp; done: (err?: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Set by `flush`: from then on rows go without lingering. */
  private eager = false;
  private writing = 0;

  constructor(
    private readonly db: SalesflowDb,
    private readonly runKey: string,
    private readonly lingerMs = LEDGER_LINGER_MS,
  ) {}

  /** Rows and marks queued or being written, not yet committed. */
  get pending(): number {
    return this.queue.length + this.writing;
  }

  /** Records one recipient's outcome; resolves once it is committed. First answer wins. */
  record(entry: LedgerEntry): Promise<void> {
    return this.push({ kind: 'insert', entry });
  }

  /** Marks a sent recipient as logged in the pipeline. */
  pipelined(i: number): Promise<void> {
    return this.push({ kind: 'pipelined', i });
  }

  /** Marks a bounced recipient as held by the suppression list. */
  suppressed(i: number): Promise<void> {
    return this.push({ kind: 'suppressed', i });
  }

  /** Writes what is queued without lingering, now and from now on; resolves once it is committed. */
  async flush(): Promise<void> {
    this.eager = true;
    while (this.queue.length > 0 || this.flushing) {
      this.start();
      await this.flushing;
    }
  }

  private push(op: LedgerOp): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ op, done: (err) => (err === undefined ? resolve() : reject(err)) });
      this.schedule();
    });
  }

  /** A group goes when it is full, when the linger is over, or at once once flushed. */
  private schedule(): void {
    if (this.flushing) return; // the write under way schedules the next group when it ends
    if (this.eager || this.lingerMs <= 0 || this.queue.length >= GROUP_ROWS) this.start();
    else this.timer ??= setTimeout(() => this.start(), this.lingerMs);
  }

  private start(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = this.writeGroup().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.schedule();
    });
  }

  private async writeGroup(): Promise<void> {
    const taken = this.queue.splice(0, 1_000);
    this.writing = taken.length;
    try {
      await this.write(taken.map((t) => t.op));
      for (const t of taken) t.done();
    } catch (err) {
      for (const t of taken) t.done(err);
    } finally {
      this.writing = 0;
    }
  }

  /**
   * One transaction per group, committed asynchronously (`synchronous_commit = off` for it
   * alone): the rows are visible to every worker at once and survive any worker's crash,
   * but not waiting for the WAL flush keeps a commit off the mail's path. A crash of
   * PostgreSQL itself (or the machine) may lose the last fraction of a second of rows; those
   * recipients are mailed again with the same Message-ID, the promise for the crash window.
   */
  private async write(ops: LedgerOp[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await sql`set local synchronous_commit = off`.execute(tx);
      await this.writeIn(tx, ops);
    });
  }

  private async writeIn(db: SalesflowDb, ops: LedgerOp[]): Promise<void> {
    const inserts = ops.flatMap((o) => (o.kind === 'insert' ? [o.entry] : []));
    const pipelined = ops.flatMap((o) => (o.kind === 'pipelined' ? [o.i] : []));
    const suppressed = ops.flatMap((o) => (o.kind === 'suppressed' ? [o.i] : []));
    if (inserts.length > 0) {
      const rows = inserts.map((e) => ({
        run_key: this.runKey,
        idx: e.i,
        email: e.email,
        status: e.status,
        message_id: e.messageId ?? null,
        reason: e.reason ?? null,
        subject: e.subject ?? null,
        pipelined: e.pipelined ?? false,
        suppressed: e.suppressed ?? false,
        at: e.at,
      }));
      // One statement text whatever the group holds, so it is planned once per connection.
      // Two attempts racing for one recipient (a stale attempt still running) both sent the
      // same Message-ID; the first row stands.
      await insertFromJson('campaign_ledger_put', 'campaign_ledger', LEDGER_COLUMNS, rows, { key: ['run_key', 'idx'], replace: false }).execute(db);
    }
    if (pipelined.length > 0) {
      await db.updateTable('campaign_ledger').set({ pipelined: true }).where('run_key', '=', this.runKey).where('idx', 'in', pipelined).execute();
    }
    if (suppressed.length > 0) {
      await db.updateTable('campaign_ledger').set({ suppressed: true }).where('run_key', '=', this.runKey).where('idx', 'in', suppressed).execute();
    }
  }
}

export class CampaignStore {
  constructor(readonly db: SalesflowDb) {}

  /**
   * Snapshots the audience; a later change to the CSV or the prospects does not change a run
   * under way. One transaction, the audience row first: a concurrent attempt waits on its
   * key and then keeps the snapshot that committed first.
   */
  async writeAudience(runKey: string, recipients: readonly Recipient[], columns: string[], invalid: CsvRowError[]): Promise<AudienceMeta> {
    const meta: AudienceMeta = { total: recipients.length, columns, invalidRows: invalid.length };
    const won = await this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('campaign_audiences')
        .values({ run_key: runKey, total: meta.total, chunk_size: CHUNK, columns: JSON.stringify(columns), invalid_rows: invalid.length, invalid: JSON.stringify(invalid) })
        .onConflict((oc) => oc.column('run_key').doNothing())
        .returning('run_key')
        .executeTakeFirst();
      if (!inserted) return false;
      const chunks = [];
      for (let c = 0; c * CHUNK < recipients.length; c++) {
        const slice = recipients.slice(c * CHUNK, (c + 1) * CHUNK);
        chunks.push({ run_key: runKey, chunk: c, recipients: JSON.stringify(slice), emails: slice.map((r) => r.email) });
      }
      // Ten chunks (about 1 MB) a statement.
      for (let k = 0; k < chunks.length; k += 10) await tx.insertInto('campaign_audience_chunks').values(chunks.slice(k, k + 10)).execute();
      return true;
    });
    return won ? meta : ((await this.readMeta(runKey)) ?? meta);
  }

  async readMeta(runKey: string): Promise<AudienceMeta | undefined> {
    const row = await this.db.selectFrom('campaign_audiences').select(['total', 'columns', 'invalid_rows']).where('run_key', '=', runKey).executeTakeFirst();
    return row ? { total: row.total, columns: row.columns, invalidRows: row.invalid_rows } : undefined;
  }

  async readInvalid(runKey: string): Promise<CsvRowError[]> {
    const row = await this.db.selectFrom('campaign_audiences').select('invalid').where('run_key', '=', runKey).executeTakeFirst();
    return row?.invalid ?? [];
  }

  async readAudience(runKey: string, offset: number, limit: number): Promise<Recipient[]> {
    if (limit <= 0) return [];
    const rows = await this.db
      .selectFrom('campaign_audience_chunks')
      .select(['chunk', 'recipients'])
      .where('run_key', '=', runKey)
      .where('chunk', '>=', Math.floor(offset / CHUNK))
      .where('chunk', '<=', Math.floor((offset + limit - 1) / CHUNK))
      .orderBy('chunk')
      .execute();
    const out: Recipient[] = [];
    let expected = Math.floor(offset / CHUNK);
    for (const { chunk: c, recipients } of rows) {
      // A missing chunk means the snapshot is not there (the caller checks the count).
      if (c !== expected++) break;
      const chunk = JSON.parse(recipients) as Recipient[];
      const from = Math.max(offset - c * CHUNK, 0);
      const to = Math.min(offset + limit - c * CHUNK, chunk.length);
      out.push(...chunk.slice(from, to));
    }
    return out;
  }

  /** Ledger entries for recipients in [offset, offset + limit). */
  async readLedger(runKey: string, offset: number, limit: number): Promise<Map<number, LedgerEntry>> {
    const rows = await this.db
      .selectFrom('campaign_ledger')
      .selectAll()
      .where('run_key', '=', runKey)
      .where('idx', '>=', offset)
      .where('idx', '<', offset + limit)
      .execute();
    return new Map(rows.map((r) => [r.idx, ledgerEntryOf(r)]));
  }

  ledger(runKey: string): LedgerWriter {
    return new LedgerWriter(this.db, runKey);
  }

  /** One recipient's status by address: the chunk holding it (an index look-up), then its ledger row. */
  async findRecipient(runKey: string, email: string): Promise<{ index: number; recipient: Recipient; ledger?: LedgerEntry } | undefined> {
    const wanted = normalizeEmail(email);
    const row = await this.db
      .selectFrom('campaign_audience_chunks')
      .select(['chunk', 'recipients', sql<number>`array_position(emails, ${wanted})`.as('position')])
      .where('run_key', '=', runKey)
      .where('emails', '@>', sql<string[]>`array[${wanted}]::text[]`)
      .orderBy('chunk')
      .executeTakeFirst();
    if (!row) return undefined;
    const k = row.position - 1;
    const index = row.chunk * CHUNK + k;
    const recipient = (JSON.parse(row.recipients) as Recipient[])[k]!;
    const ledger = await this.db.selectFrom('campaign_ledger').selectAll().where('run_key', '=', runKey).where('idx', '=', index).executeTakeFirst();
    return { index, recipient, ...(ledger ? { ledger: ledgerEntryOf(ledger) } : {}) };
  }

  /**
   * Work in progress of resolving an audience (e.g. the prospect ids listed from visibility so
   * far), so a retried resolution resumes instead of starting over, on any worker.
   */
  async writeCheckpoint(runKey: string, name: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    await this.db
      .insertInto('campaign_checkpoints')
      .values({ run_key: runKey, name, value: text })
      .onConflict((oc) => oc.columns(['run_key', 'name']).doUpdateSet({ value: text, updated_at: new Date() }))
      .execute();
  }

  async readCheckpoint<T>(runKey: string, name: string): Promise<T | undefined> {
    const row = await this.db.selectFrom('campaign_checkpoints').select('value').where('run_key', '=', runKey).where('name', '=', name).executeTakeFirst();
    return row ? (row.value as T) : undefined;
  }
}

function ledgerEntryOf(r: { idx: number; email: string; status: LedgerEntry['status']; message_id: string | null; reason: string | null; subject: string | null; pipelined: boolean; suppressed: boolean; at: Date }): LedgerEntry {
  return {
    i: r.idx,
    email: r.email,
    status: r.status,
    ...(r.message_id !== null ? { messageId: r.message_id } : {}),
    ...(r.reason !== null ? { reason: r.reason } : {}),
    ...(r.subject !== null ? { subject: r.subject } : {}),
    pipelined: r.pipelined,
    suppressed: r.suppressed,
    at: r.at.toISOString(),
  };
}
