import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { normalizeEmail } from '../../domain/shared/email';
import { join } from 'node:path';
import type { CsvRowError, Recipient } from '../../domain/campaign/csv';
import type { RecipientStatus } from '../../domain/campaign/campaign';

/**
 * Where a campaign run keeps what is too big for workflow history: the resolved audience
 * (100,000 recipients do not fit in a workflow input) and the send ledger, one line per
 * recipient as soon as SMTP has answered for it. A retried batch reads the ledger and
 * skips whoever SMTP already accepted.
 *
 * This implementation is a folder per run under the worker's data dir. Every worker that
 * may run a campaign's activities must see the same folder: true for `npm start` (one
 * process) and for workers on one host; workers on separate machines (docker-compose
 * scaled out) need a shared volume mounted at SALESFLOW_DATA_DIR.
 *
 * Layout: `audience-<chunk>.json` (CHUNK recipients each, written once, atomically),
 * `meta.json`, `invalid.json`, `ledger-<chunk>.jsonl` (append-only).
 */

export const CHUNK = 1_000;

export interface LedgerEntry {
  i: number;
  email: string;
  status: RecipientStatus;
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

function safeName(runKey: string): string {
  return runKey.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export class CampaignStore {
  constructor(readonly dir: string) {}

  private runDir(runKey: string): string {
    return join(this.dir, safeName(runKey));
  }

  private writeAtomically(file: string, text: string): void {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  }

  /** Snapshots the audience; a later change to the CSV does not change a run under way. */
  writeAudience(runKey: string, recipients: readonly Recipient[], columns: string[], invalid: CsvRowError[]): AudienceMeta {
    const dir = this.runDir(runKey);
    mkdirSync(dir, { recursive: true });
    for (let c = 0; c * CHUNK < recipients.length; c++) {
      this.writeAtomically(join(dir, `audience-${c}.json`), JSON.stringify(recipients.slice(c * CHUNK, (c + 1) * CHUNK)));
    }
    this.writeAtomically(join(dir, 'invalid.json'), JSON.stringify(invalid));
    const meta: AudienceMeta = { total: recipients.length, columns, invalidRows: invalid.length };
    // meta.json last: its presence means the snapshot is complete.
    this.writeAtomically(join(dir, 'meta.json'), JSON.stringify(meta));
    return meta;
  }

  readMeta(runKey: string): AudienceMeta | undefined {
    const file = join(this.runDir(runKey), 'meta.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AudienceMeta) : undefined;
  }

  readInvalid(runKey: string): CsvRowError[] {
    const file = join(this.runDir(runKey), 'invalid.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CsvRowError[]) : [];
  }

  readAudience(runKey: string, offset: number, limit: number): Recipient[] {
    const out: Recipient[] = [];
    for (let c = Math.floor(offset / CHUNK); c * CHUNK < offset + limit; c++) {
      const file = join(this.runDir(runKey), `audience-${c}.json`);
      if (!existsSync(file)) break;
      const chunk = JSON.parse(readFileSync(file, 'utf8')) as Recipient[];
      const from = Math.max(offset - c * CHUNK, 0);
      const to = Math.min(offset + limit - c * CHUNK, chunk.length);
      out.push(...chunk.slice(from, to));
    }
    return out;
  }

  /** Ledger entries for recipients in [offset, offset + limit), the last one per recipient. */
  readLedger(runKey: string, offset: number, limit: number): Map<number, LedgerEntry> {
    const out = new Map<number, LedgerEntry>();
    for (let c = Math.floor(offset / CHUNK); c * CHUNK < offset + limit; c++) {
      for (const entry of this.readLedgerChunk(runKey, c)) {
        if (entry.i >= offset && entry.i < offset + limit) out.set(entry.i, entry);
      }
    }
    return out;
  }

  private readLedgerChunk(runKey: string, chunk: number): LedgerEntry[] {
    const file = join(this.runDir(runKey), `ledger-${chunk}.jsonl`);
    if (!existsSync(file)) return [];
    const out: LedgerEntry[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      // A process killed mid-write can leave a torn last line: that recipient counts as
      // not yet accepted, and its resend carries the same Message-ID.
      if (line === '') continue;
      try {
        out.push(JSON.parse(line) as LedgerEntry);
      } catch {
        /* torn line */
      }
    }
    return out;
  }

  /**
   * Records one recipient's outcome. Appended synchronously right after SMTP answers: the
   * window in which a crash can cause a resend is one write call wide. (No fsync: a killed
   * process keeps its writes; a power cut is outside what this store promises.)
   */
  record(runKey: string, entry: LedgerEntry): void {
    appendFileSync(join(this.runDir(runKey), `ledger-${Math.floor(entry.i / CHUNK)}.jsonl`), `${JSON.stringify(entry)}\n`);
  }

  /** One recipient's status by address (a scan of the run's audience and ledger). */
  findRecipient(runKey: string, email: string): { index: number; recipient: Recipient; ledger?: LedgerEntry } | undefined {
    const meta = this.readMeta(runKey);
    if (!meta) return undefined;
    const wanted = normalizeEmail(email);
    for (let c = 0; c * CHUNK < meta.total; c++) {
      const chunk = this.readAudience(runKey, c * CHUNK, CHUNK);
      const k = chunk.findIndex((r) => r.email === wanted);
      if (k >= 0) {
        const index = c * CHUNK + k;
        return { index, recipient: chunk[k]!, ledger: this.readLedger(runKey, index, 1).get(index) };
      }
    }
    return undefined;
  }

  /**
   * Work in progress of resolving an audience (e.g. the prospect ids listed from visibility so
   * far), so a retried resolution resumes instead of starting over. Written atomically.
   */
  writeCheckpoint(runKey: string, name: string, value: unknown): void {
    const dir = this.runDir(runKey);
    mkdirSync(dir, { recursive: true });
    this.writeAtomically(join(dir, `checkpoint-${name}.json`), JSON.stringify(value));
  }

  readCheckpoint<T>(runKey: string, name: string): T | undefined {
    const file = join(this.runDir(runKey), `checkpoint-${name}.json`);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
  }
}
