import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Role } from '../domain/accounts/accounts';

/**
 * The salesflow database as Kysely sees it: one interface per table, column names as in SQL.
 * Only what Temporal should not hold lives here (accounts, sessions, tokens, audit,
 * idempotency); prospects, tasks and campaigns stay in their workflows.
 */

/** Set by the database on insert, readable as a Date afterwards. */
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date, Date>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

export interface UsersTable {
  id: Generated<string>;
  login: string;
  display_name: string | null;
  role: Role;
  person_id: string | null;
  team: string | null;
  /** `scrypt$N=..,r=..,p=..$salt$hash`, see db/passwords.ts. */
  password_hash: string;
  created_at: CreatedAt;
  disabled_at: NullableTimestamp;
}

export interface SessionsTable {
  /** SHA-256 of the cookie's token; the token itself is never stored. */
  token_hash: string;
  user_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
  csrf_secret: string;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  role: Role;
  created_at: CreatedAt;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface AuditLogTable {
  /** bigint: pg hands it over as a string so no id is ever rounded. */
  id: Generated<string>;
  at: CreatedAt;
  user_id: string | null;
  action: string;
  target: string | null;
  detail: JSONColumnType<Record<string, unknown>, string, string>;
  request_id: string | null;
}

export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  request_hash: string;
  response_status: number;
  response_body: ColumnType<unknown, string, string>;
  created_at: CreatedAt;
}

export interface RateLimitsTable {
  /** What is limited and for whom, e.g. `login|127.0.0.1|alice`. */
  key: string;
  window_start: ColumnType<Date, Date | undefined, Date>;
  count: number;
}

export interface QuotationDocumentsTable {
  prospect_id: string;
  revision: number;
  /** `Q-<prospect>-<revision>`. */
  number: string;
  sha256: string;
  bytes: Buffer;
  created_at: CreatedAt;
}

export type InboundStatus = 'pending' | 'logged' | 'auto_reply' | 'unmatched';

export interface InboundMailTable {
  id: Generated<string>;
  received_at: CreatedAt;
  message_id: string;
  from_address: string | null;
  subject: string | null;
  status: InboundStatus;
  prospect_id: string | null;
  /** How it was matched: `in-reply-to`, `references`, `plus-address`. */
  matched_by: string | null;
  /** Why it is not logged, or what it was logged as. */
  detail: string | null;
  /** The new text of the message (quoted history stripped). */
  text: string | null;
  raw: Buffer;
}

/** The reporting read model (db/migrations/004_reporting.ts, db/reporting.ts). bigint columns read as strings. */
export interface ReportProspectsTable {
  workflow_id: string;
  prospect_id: string;
  /** Null on rows last written before migration 010 (until `salesflow report rebuild`). */
  name: string | null;
  company: string | null;
  email: string | null;
  version: number;
  rep: string;
  team: string | null;
  process: string;
  process_version: number;
  source: string;
  campaign: string | null;
  stage: string;
  created_at: Timestamp;
  closed_at: NullableTimestamp;
  value_cents: ColumnType<string, number, number>;
  currency: string;
  probability: number;
  expected_close: NullableTimestamp;
  category: string | null;
  lost_reason: string | null;
  ms_contact: ColumnType<string | null, number | null, number | null>;
  ms_qualification: ColumnType<string | null, number | null, number | null>;
  ms_inquiry: ColumnType<string | null, number | null, number | null>;
  ms_quotation: ColumnType<string | null, number | null, number | null>;
  reached: number;
}

export interface ReportEventsTable {
  workflow_id: string;
  seq: number;
  at: Timestamp;
  kind: string;
  stage: string | null;
  rep: string | null;
  channel: string | null;
  direction: string | null;
  quote_revision: number | null;
  value_cents: ColumnType<string | null, number | null, number | null>;
  task_id: string | null;
  task_kind: string | null;
  reason: string | null;
  campaign: string | null;
  ms: ColumnType<string | null, number | null, number | null>;
  on_time: boolean | null;
}

/** The campaign store (db/migrations/005_campaign_store.ts, db/campaignStore.ts). */
export interface CampaignUploadsTable {
  sha256: string;
  csv: string;
  created_at: CreatedAt;
}

export interface CampaignAudiencesTable {
  run_key: string;
  total: number;
  chunk_size: number;
  columns: JSONColumnType<string[], string, string>;
  invalid_rows: number;
  invalid: JSONColumnType<{ line: number; message: string }[], string, string>;
  created_at: CreatedAt;
}

export interface CampaignAudienceChunksTable {
  run_key: string;
  chunk: number;
  /** JSON text of Recipient[]. */
  recipients: string;
  emails: string[];
}

export interface CampaignLedgerTable {
  run_key: string;
  idx: number;
  email: string;
  status: 'sent' | 'bounced' | 'failed';
  message_id: string | null;
  reason: string | null;
  subject: string | null;
  pipelined: ColumnType<boolean, boolean | undefined, boolean>;
  suppressed: ColumnType<boolean, boolean | undefined, boolean>;
  at: Timestamp;
}

export interface CampaignCheckpointsTable {
  run_key: string;
  name: string;
  value: ColumnType<unknown, string, string>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** Per-day pre-aggregates of the read model (db/migrations/006_report_daily.ts); numeric and bigint read as strings. */
export interface ReportDailyTable {
  metric: string;
  day: ColumnType<Date, string, string>;
  key: string;
  actor: string;
  rep: string;
  team: string;
  process: string;
  source: string;
  campaign: string;
  n: ColumnType<string, number, number>;
  value: ColumnType<string, number | string, number | string>;
  weighted: ColumnType<string, number | string, number | string>;
}

/** Each prospect's share of `report_daily` as last written (db/migrations/008_report_prospect_daily.ts). */
export interface ReportProspectDailyTable {
  workflow_id: string;
  version: number;
  cells: ColumnType<unknown, string, string>;
}

/** Bounces and unsubscribes of campaign runs, once per (run, address, outcome). */
export interface ReportCampaignOutcomesTable {
  run: string;
  email: string;
  outcome: 'bounced' | 'unsubscribed';
  campaign: string;
  at: Timestamp;
}

/** Post-sales read model (db/migrations/007_report_customers.ts): an account's snapshot; bigint reads as a string. */
export interface ReportCustomersTable {
  workflow_id: string;
  customer_id: string;
  owner: string;
  team: string;
  process: string;
  version: number;
  active_contracts: number;
  recurring_cents: ColumnType<string, number, number>;
  annual_recurring_cents: ColumnType<string, number, number>;
  lost_revenue_cents: ColumnType<string, number, number>;
}

/** An account's dated post-sales events, keyed by (workflow, key). */
export interface ReportCustomerEventsTable {
  workflow_id: string;
  key: string;
  kind: string;
  at: Timestamp;
  contract_id: string | null;
  value_cents: ColumnType<string, number, number>;
  /** Tasks' events: the rep credited (migration 009). */
  actor: string | null;
  /** task_done: on_time or late. */
  detail: string | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  idempotency_keys: IdempotencyKeysTable;
  rate_limits: RateLimitsTable;
  quotation_documents: QuotationDocumentsTable;
  inbound_mail: InboundMailTable;
  report_prospects: ReportProspectsTable;
  report_events: ReportEventsTable;
  campaign_uploads: CampaignUploadsTable;
  campaign_audiences: CampaignAudiencesTable;
  campaign_audience_chunks: CampaignAudienceChunksTable;
  campaign_ledger: CampaignLedgerTable;
  campaign_checkpoints: CampaignCheckpointsTable;
  report_daily: ReportDailyTable;
  report_prospect_daily: ReportProspectDailyTable;
  report_campaign_outcomes: ReportCampaignOutcomesTable;
  report_customers: ReportCustomersTable;
  report_customer_events: ReportCustomerEventsTable;
}
