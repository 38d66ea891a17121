import { z } from 'zod';
import { singleLineText } from '../shared/text';
import { IsoTimeSchema } from '../pipeline/contact';
import { CsvRowErrorSchema, type CsvAudience, type CsvRowError, type Recipient } from './csv';
import { normalizeEmail } from '../shared/email';
import { DurationSchema } from '../shared/duration';
import { DomainError, issueMessage, parseOrThrow } from '../shared/errors';
import { MESSAGE_ID_DOMAIN } from '../pipeline/notifications';
import { PersonIdSchema, ProcessNameSchema, allReps, findRep, type ProcessDefinition } from '../process/process';
import { ProspectIdSchema, ProspectInfoSchema } from '../pipeline/prospect';
import { STAGES } from '../pipeline/stages';
import { TemplateSchema, requireVariables, type Template } from './template';
import { shareable } from '../shared/shareable';
import { cronProblem } from './cron';

/**
 * A campaign mails one template to an audience, throttled, exactly once per recipient.
 * The definition is what sales ops write (a YAML file); one run of it is one
 * `campaign-<id>` workflow.
 */

export const CampaignIdSchema = shareable(z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/, 'must be letters, digits, "_" or "-" (at most 80)'));

export const AudienceSchema = shareable(z.union([
  z.strictObject({
    /** A CSV file with an `email` column; the other columns are template variables. */
    csv: z.string().min(1, 'must name a CSV file'),
  }),
  z.strictObject({
    /** Existing prospects by id. */
    prospects: z.array(ProspectIdSchema).min(1, 'must list at least one prospect').max(100_000),
  }),
  z.strictObject({
    /**
     * Running prospects from visibility, like `salesflow list`. Won and lost prospects are
     * left out unless the filter names their stage or sets `includeClosed`.
     */
    filter: z.strictObject({
      stage: z.enum(STAGES).optional(),
      rep: PersonIdSchema.optional(),
      includeClosed: z.boolean().optional(),
    }),
  }),
], { error: 'must be one of {csv: FILE}, {prospects: [ID, ...]} or {filter: {stage, rep, includeClosed}}' }));
export type Audience = z.infer<typeof AudienceSchema>;

/** The template variables a prospect audience provides (from each prospect's record). */
export const PROSPECT_VARIABLES = ['id', 'name', 'company', 'email', 'rep'] as const;

export const ScheduleSchema = shareable(z
  .strictObject({
    /** Cron expressions in UTC, e.g. `0 9 * * MON`: checked here, each at its own line, not first by Temporal. */
    cron: z
      .array(
        z.string().superRefine((expression, ctx) => {
          const problem = cronProblem(expression);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
        }),
      )
      .min(1)
      .optional(),
    /** A fixed interval such as `1w` or `1d`. */
    every: DurationSchema.optional(),
  })
  .refine((s) => (s.cron === undefined) !== (s.every === undefined), { message: 'give either cron or every' }));

export const CampaignDefinitionSchema = shareable(z
  .strictObject({
    id: CampaignIdSchema,
    name: singleLineText(200).min(1, 'must not be empty'),
    /** The From header; the worker's MAIL_FROM when absent. */
    from: z.string().trim().min(3).max(300).optional(),
    template: TemplateSchema,
    audience: AudienceSchema,
    /**
     * Make every CSV recipient a prospect (source `campaign:<id>`), so a campaign over
     * bought or collected leads fills the pipeline. Only for CSV audiences.
     */
    leads: z
      .strictObject({
        /** The rep for every lead; with `process` and no rep, the process assigns one per lead. */
        rep: PersonIdSchema.optional(),
        /** A published process the leads start on (its latest version); the built-in one otherwise. */
        process: ProcessNameSchema.optional(),
        /** Column holding the prospect id; default: derived from the address. */
        idColumn: z.string().min(1).optional(),
        /** Column holding the contact's name; default the `name` column if there is one, else the address. */
        nameColumn: z.string().min(1).optional(),
        /** Column holding the company; default the `company` column if there is one. */
        companyColumn: z.string().min(1).optional(),
      })
      .refine((l) => l.rep !== undefined || l.process !== undefined, { message: 'leads need a rep, or a published process that assigns reps', path: ['rep'] })
      .optional(),
    /** Mails per minute; absent means as fast as SMTP accepts them. */
    throttle: z.number().int('must be a whole number of mails per minute').positive().max(1_000_000).optional(),
    schedule: ScheduleSchema.optional(),
  })
  .refine((d) => d.leads === undefined || 'csv' in d.audience, { message: 'leads only applies to a csv audience', path: ['leads'] }));
export type CampaignDefinitionInput = z.input<typeof CampaignDefinitionSchema>;
export type CampaignDefinition = z.output<typeof CampaignDefinitionSchema>;

export function parseCampaignDefinition(value: unknown): CampaignDefinition {
  return parseOrThrow(CampaignDefinitionSchema, value, 'campaign');
}


/** Which variables an audience provides before looking at its rows. */
export function audienceVariables(audience: Audience, csvColumns?: readonly string[]): string[] {
  if ('csv' in audience) return [...(csvColumns ?? [])];
  return [...PROSPECT_VARIABLES];
}

/** A template variable the audience does not provide is an error now, not at send time. */
export function checkTemplateAgainstAudience(template: Template, audience: Audience, csvColumns?: readonly string[]): void {
  const source = 'csv' in audience ? `the CSV (columns: ${(csvColumns ?? []).join(', ')})` : 'a prospect audience (id, name, company, email, rep)';
  requireVariables(template, audienceVariables(audience, csvColumns), source);
}

/** Stages a filter leaves out unless asked: the sale is decided, a campaign is not for them. */
export const CLOSED_STAGES = ['won', 'lost'] as const satisfies readonly (typeof STAGES)[number][];

/** The stages a filter audience excludes (none when it names a stage or includes closed ones). */
export function filterExcludedStages(filter: { stage?: string; includeClosed?: boolean }): readonly string[] {
  return filter.stage !== undefined || filter.includeClosed ? [] : CLOSED_STAGES;
}

export type LeadOptions = NonNullable<CampaignDefinition['leads']>;

/** What a CSV row gives the prospect it becomes. */
export interface LeadFields {
  id: string;
  name: string;
  company?: string;
}

/**
 * A column named in `leads` that the CSV lacks is a mistake in the campaign file; it fails
 * the run before anyone is mailed, naming the setting.
 */
export function checkLeadColumns(leads: LeadOptions, columns: readonly string[]): void {
  const named = [
    ['leads.idColumn', leads.idColumn],
    ['leads.nameColumn', leads.nameColumn],
    ['leads.companyColumn', leads.companyColumn],
  ] as const;
  const missing = named.filter(([, col]) => col !== undefined && !columns.includes(col));
  if (missing.length === 0) return;
  const why = `no such column in the CSV (columns: ${columns.join(', ')})`;
  // Each at its setting, so a definition's editor (and `validate`'s file:line) marks its line.
  throw new DomainError(
    `${missing.map(([setting, col]) => `${setting} "${col}"`).join(', ')}: ${why}`,
    missing.map(([setting, col]) => ({ path: setting.split('.'), message: `"${col}": ${why}` })),
  );
}

/** `leads.rep` must be a rep of the process the leads start on. */
export function checkLeadRep(leads: LeadOptions, process: ProcessDefinition): void {
  if (leads.rep === undefined || findRep(process, leads.rep)) return;
  const why = `is not a rep in process "${process.name}" (reps: ${allReps(process).map((r) => r.id).join(', ')})`;
  // At its setting, so a definition's editor (and `validate`'s file:line) marks its line.
  throw new DomainError(`leads.rep "${leads.rep}" ${why}`, [{ path: ['leads', 'rep'], message: `"${leads.rep}" ${why}` }]);
}

const LeadFieldsSchema = ProspectInfoSchema.pick({ id: true, name: true, company: true });

/**
 * The prospect one CSV row becomes, or why it cannot become one (the row is then reported
 * with its line and the run goes on without it).
 */
export function leadFieldsOf(leads: LeadOptions, email: string, vars: Readonly<Record<string, string>>): LeadFields | { problem: string } {
  // The default `name` and `company` columns in any case (`Name`), as the address column is read.
  const anyCase = (name: string) => vars[name] ?? Object.entries(vars).find(([k]) => k.toLowerCase() === name)?.[1];
  const cell = (col: string | undefined, fallback: string) => (col !== undefined ? (vars[col] ?? '') : (anyCase(fallback) ?? '')).trim();
  const id = leads.idColumn !== undefined ? cell(leads.idColumn, '') : leadProspectId(email);
  const name = cell(leads.nameColumn, 'name') || email;
  const company = cell(leads.companyColumn, 'company');
  const parsed = LeadFieldsSchema.safeParse({ id, name, ...(company ? { company } : {}) });
  if (parsed.success) return { id: parsed.data.id, name: parsed.data.name, ...(parsed.data.company ? { company: parsed.data.company } : {}) };
  const what = (key: PropertyKey | undefined) => (key === 'id' ? `prospect id ${JSON.stringify(id)}` : key === 'name' ? `name ${JSON.stringify(name)}` : `company ${JSON.stringify(company)}`);
  return { problem: parsed.error.issues.map((i) => `${what(i.path[0])}: ${issueMessage(i)}`).join('; ') };
}

/** FNV-1a, 32 bit: a short, stable fingerprint to keep derived ids unique. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The Message-ID of a campaign mail, derived from the run (its workflow id) and the
 * recipient only: a retried or duplicated send carries the same id, so a receiver or an
 * audit can recognise it. The readable part is for people; the fingerprint keeps two
 * addresses that sanitise alike apart.
 */
export function campaignMessageId(runKey: string, email: string): string {
  const who = normalizeEmail(email);
  const readable = who.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 60);
  return `<${runKey}.${readable}-${fnv1a(who)}@${MESSAGE_ID_DOMAIN}>`;
}

/** A prospect id for a lead that has none: stable per address. */
export function leadProspectId(email: string): string {
  const who = normalizeEmail(email);
  return `lead-${who.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 80)}-${fnv1a(who).slice(0, 6)}`;
}

// ---------------------------------------------------------------------------------------
// A run's state, its progress and the commands that steer it.

export const CAMPAIGN_STATUSES = ['resolving', 'running', 'paused', 'completed', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export type RecipientStatus = 'sent' | 'skipped' | 'bounced' | 'failed';

/** A recipient that did not simply get the mail: why, for the report. */
export interface RecipientException {
  index: number;
  email: string;
  status: Exclude<RecipientStatus, 'sent'>;
  reason: string;
}

/** What one batch activity reports back to the workflow. */
export interface BatchOutcome {
  offset: number;
  count: number;
  sent: number;
  /** Sent by an earlier attempt of this batch and found in the ledger: not sent again. */
  alreadySent: number;
  skipped: number;
  bounced: number;
  failed: number;
  exceptions: RecipientException[];
}

/**
 * What kind of audience a run mails: what its refused "rows" are, so they are named as the
 * person wrote them (a CSV's line, a listed prospect's place). Absent in runs started before
 * it was recorded, which are read as CSV runs.
 */
export type AudienceKind = 'csv' | 'prospects' | 'filter';
export const AUDIENCE_KINDS = ['csv', 'prospects', 'filter'] as const satisfies readonly AudienceKind[];

export function audienceKindOf(audience: Audience): AudienceKind {
  return 'csv' in audience ? 'csv' : 'prospects' in audience ? 'prospects' : 'filter';
}

/** A refused row of a run's audience, by where it is: `CSV line 5`, `prospect 2 of the list`. */
export function refusedRowName(kind: AudienceKind | undefined, line: number): string {
  if (kind === 'prospects') return `prospect ${line} of the list`;
  if (kind === 'filter') return `prospect ${line} of those the filter selected`;
  return `CSV line ${line}`;
}

export interface CampaignState {
  id: string;
  audience?: AudienceKind;
  /** The workflow id of this run: the key of its ledger and of its Message-IDs. */
  runKey: string;
  name: string;
  status: CampaignStatus;
  total: number;
  /** Index of the next recipient to send; recipients before it are done. */
  cursor: number;
  sent: number;
  skipped: number;
  bounced: number;
  failed: number;
  /** Rows of the CSV that were refused, and the first ones of them (all are in the store). */
  invalidRows: number;
  invalidRowSamples: CsvRowError[];
  /** The first skipped, bounced or failed recipients, for the report. */
  exceptions: RecipientException[];
  startedAt: string;
  sendingSince?: string;
  finishedAt?: string;
  throttle?: number;
  /** Where the throttle's schedule counts from: reset by every resume, so a pause is no credit. */
  pace?: { since: string; cursor: number };
  changes: { at: string; by: string; what: string }[];
  /** Runs of this workflow so far (continue-as-new). */
  runs: number;
}

export const MAX_LISTED_EXCEPTIONS = 1_000;
export const MAX_LISTED_INVALID_ROWS = 100;

export function newCampaignState(definition: CampaignDefinition, runKey: string, now: string): CampaignState {
  return {
    id: definition.id,
    audience: audienceKindOf(definition.audience),
    runKey,
    name: definition.name,
    status: 'resolving',
    total: 0,
    cursor: 0,
    sent: 0,
    skipped: 0,
    bounced: 0,
    failed: 0,
    invalidRows: 0,
    invalidRowSamples: [],
    exceptions: [],
    startedAt: now,
    throttle: definition.throttle,
    changes: [],
    runs: 1,
  };
}

export function audienceResolved(state: CampaignState, total: number, invalid: { count: number; samples: CsvRowError[] }, now: string): CampaignState {
  return {
    ...state,
    status: state.status === 'resolving' ? 'running' : state.status,
    total,
    invalidRows: invalid.count,
    invalidRowSamples: invalid.samples.slice(0, MAX_LISTED_INVALID_ROWS),
    sendingSince: now,
    pace: { since: now, cursor: state.cursor },
  };
}

export function applyBatch(state: CampaignState, outcome: BatchOutcome): CampaignState {
  if (outcome.offset !== state.cursor) throw new DomainError(`batch at ${outcome.offset} does not continue at ${state.cursor}`);
  const room = Math.max(MAX_LISTED_EXCEPTIONS - state.exceptions.length, 0);
  return {
    ...state,
    cursor: state.cursor + outcome.count,
    sent: state.sent + outcome.sent + outcome.alreadySent,
    skipped: state.skipped + outcome.skipped,
    bounced: state.bounced + outcome.bounced,
    failed: state.failed + outcome.failed,
    exceptions: room > 0 ? [...state.exceptions, ...outcome.exceptions.slice(0, room)] : state.exceptions,
  };
}

export function isFinished(state: CampaignState): boolean {
  return state.status === 'completed' || state.status === 'cancelled';
}

export interface CampaignProgress {
  id: string;
  audience?: AudienceKind;
  name: string;
  status: CampaignStatus;
  total: number;
  sent: number;
  skipped: number;
  /** Bounced (permanent SMTP refusal) plus otherwise failed. */
  failed: number;
  bounced: number;
  remaining: number;
  invalidRows: number;
  startedAt: string;
  sendingSince?: string;
  finishedAt?: string;
  throttle?: number;
  /** The throttle's schedule (see {@link earliestSendTime}): what {@link averageSendRate} counts the run's time by. */
  pace?: { since: string; cursor: number };
}

export function progressOf(state: CampaignState): CampaignProgress {
  return {
    id: state.id,
    ...(state.audience ? { audience: state.audience } : {}),
    name: state.name,
    status: state.status,
    total: state.total,
    sent: state.sent,
    skipped: state.skipped,
    failed: state.bounced + state.failed,
    bounced: state.bounced,
    remaining: Math.max(state.total - state.cursor, 0),
    invalidRows: state.invalidRows,
    startedAt: state.startedAt,
    sendingSince: state.sendingSince,
    finishedAt: state.finishedAt,
    throttle: state.throttle,
    ...(state.pace ? { pace: state.pace } : {}),
  };
}

/**
 * Mails sent per minute, on average over the time the run has been sending (the whole run
 * once it has finished, pauses included): sent ÷ (end − sendingSince).
 *
 * Under a throttle the end is not simply the last send. The throttle is a schedule: the
 * recipient k places after the pace was set goes out no earlier than k/throttle minutes
 * after it, and the first batch goes at once, at the start of its slots. Divided by the time
 * to the last batch alone, a run that kept its throttle exactly shows more than it
 * (61 recipients at 120/min: batches at 0, 10, 20 and 30 s, done at 30.1 s, "121.6/min").
 * So the time counted runs at least until the slot of the next recipient begins, which is
 * when the run could have gone on: a run on schedule averages its throttle exactly (or less,
 * as a skipped recipient takes a slot and is no mail), a slower one its measured rate. A run
 * that really went faster (a resume sets the pace afresh and lets a batch go at once) still
 * shows it, since the schedule counts from the current pace.
 *
 * Undefined before anything was sent or when no time has passed. `now` is the caller's clock
 * (the domain has none); it is the end of a run still going.
 */
export function averageSendRate(p: Pick<CampaignProgress, 'sent' | 'total' | 'remaining' | 'sendingSince' | 'finishedAt' | 'throttle' | 'pace'>, now: number): number | undefined {
  if (p.sendingSince === undefined || p.sent === 0) return undefined;
  // Milliseconds since sending began (not since 1970, whose size would cost the division its precision).
  const start = Date.parse(p.sendingSince);
  let elapsed = (p.finishedAt !== undefined ? Date.parse(p.finishedAt) : now) - start;
  if (p.throttle !== undefined) {
    // A progress from a worker that did not report the pace yet: counted as a run never
    // paused, resumed or late, whose average is then never above its throttle.
    const pace = p.pace ?? { since: p.sendingSince, cursor: 0 };
    const cursor = p.total - p.remaining;
    elapsed = Math.max(elapsed, Date.parse(pace.since) - start + ((cursor - pace.cursor) * 60_000) / p.throttle);
  }
  const minutes = elapsed / 60_000;
  return minutes > 0 ? p.sent / minutes : undefined;
}

/** A recipient not simply mailed, as the API shows it: its place in the audience (from 0), address, fate and why. */
export const RecipientExceptionSchema = shareable(z.object({
  index: z.number().int().nonnegative(),
  email: z.string(),
  status: z.enum(['skipped', 'bounced', 'failed']),
  reason: z.string(),
}));

/** A run's progress as the API answers it (`GET /api/campaigns/{id}`, and pause, resume, cancel). */
export const CampaignProgressViewSchema = shareable(z.object({
  id: z.string(),
  audience: z.enum(AUDIENCE_KINDS).optional().describe('what the audience is (absent: csv): what its refused rows are, a CSV line or a listed prospect'),
  name: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  total: z.number().int(),
  sent: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  bounced: z.number().int(),
  remaining: z.number().int(),
  invalidRows: z.number().int(),
  startedAt: z.string(),
  sendingSince: z.string().optional(),
  finishedAt: z.string().optional(),
  throttle: z.number().optional(),
  pace: z.object({ since: z.string(), cursor: z.number().int() }).optional(),
  /** {@link averageSendRate} as of `asOf`, computed once by the server so the CLI and the web app show the same figure. */
  averagePerMinute: z.number().optional().describe('mails sent per minute over the time sending took (pauses included), counted as the throttle counts it: a run on schedule averages its throttle'),
  /** When the server read the progress: what a client counts an ETA down from. */
  asOf: z.string().describe('when the server read this progress'),
}));
export type CampaignProgressView = z.infer<typeof CampaignProgressViewSchema>;

export function progressView(p: CampaignProgress, now: number): CampaignProgressView {
  const average = averageSendRate(p, now);
  // To a hundredth: the division's float noise (449.99999999999994) is no information, and
  // every client shows one decimal.
  return { ...p, ...(average !== undefined ? { averagePerMinute: Math.round(average * 100) / 100 } : {}), asOf: new Date(now).toISOString() };
}

/**
 * The part of a run's full state (`GET /api/campaigns/{id}/state`) that names who was not
 * mailed and why: the recipients skipped, bounced or failed (the first 1,000) and the CSV rows
 * refused (the first 100 of `invalidRows`), as `campaign start` and `campaign status --watch`
 * list them. The rest of the state passes through as it is.
 */
export const CampaignStateViewSchema = shareable(z.looseObject({
  id: z.string(),
  audience: z.enum(AUDIENCE_KINDS).optional(),
  status: z.enum(CAMPAIGN_STATUSES),
  /** The audience's size and the next recipient's index: a cancelled run never mailed those from `cursor` on. */
  total: z.number().int(),
  cursor: z.number().int(),
  skipped: z.number().int(),
  bounced: z.number().int(),
  failed: z.number().int(),
  invalidRows: z.number().int(),
  invalidRowSamples: z.array(CsvRowErrorSchema),
  exceptions: z.array(RecipientExceptionSchema),
}));

const SteerSchema = z.object({
  by: z.string().trim().min(1).max(100).default('unknown'),
  reason: z.string().trim().max(1000).optional(),
  at: IsoTimeSchema.optional(),
});
export type SteerCommand = z.input<typeof SteerSchema>;

function steer(state: CampaignState, raw: unknown, now: string, allowed: readonly CampaignStatus[], verb: string, next: CampaignStatus): CampaignState {
  const cmd = parseOrThrow(SteerSchema, raw, `${verb} command`);
  if (!allowed.includes(state.status)) {
    throw new DomainError(`cannot ${verb} campaign ${state.id}: it is ${state.status}`);
  }
  return {
    ...state,
    status: next,
    finishedAt: next === 'cancelled' ? now : state.finishedAt,
    pace: next === 'running' ? { since: now, cursor: state.cursor } : state.pace,
    changes: [...state.changes, { at: now, by: cmd.by, what: cmd.reason ? `${verb}: ${cmd.reason}` : verb }],
  };
}

/** Pausing takes effect after the batch in flight; nothing is lost, nothing sent twice. */
export function pauseCampaign(state: CampaignState, raw: unknown, now: string): CampaignState {
  return steer(state, raw, now, ['resolving', 'running'], 'pause', 'paused');
}

export function resumeCampaign(state: CampaignState, raw: unknown, now: string): CampaignState {
  return steer(state, raw, now, ['paused'], 'resume', 'running');
}

/** Cancelling leaves the remaining recipients unmailed and ends the run. */
export function cancelCampaign(state: CampaignState, raw: unknown, now: string): CampaignState {
  return steer(state, raw, now, ['resolving', 'running', 'paused'], 'cancel', 'cancelled');
}

export const CAMPAIGN_COMMANDS = { pause: pauseCampaign, resume: resumeCampaign, cancel: cancelCampaign } as const;
export type CampaignCommandName = keyof typeof CAMPAIGN_COMMANDS;

/**
 * The throttle as a schedule: recipient number k (counted from when the pace was set) goes
 * out no earlier than k minutes / throttle after it. Batches are a sixth of the per-minute
 * rate at most, so the mails of a minute are spread over it.
 */
export function throttledBatchSize(batchSize: number, throttle: number | undefined): number {
  if (throttle === undefined) return batchSize;
  return Math.max(1, Math.min(batchSize, Math.ceil(throttle / 6)));
}

export function earliestSendTime(state: Pick<CampaignState, 'pace' | 'cursor' | 'throttle'>): number | undefined {
  if (state.throttle === undefined || !state.pace) return undefined;
  return Date.parse(state.pace.since) + Math.ceil(((state.cursor - state.pace.cursor) * 60_000) / state.throttle);
}

/** How long one batch is worth at the throttle. */
export function batchInterval(batchSize: number, throttle: number): number {
  return Math.ceil((batchSize * 60_000) / throttle);
}

/**
 * The throttle holds after an outage. A run that could not send for a while (worker or
 * server down, SMTP out) is behind its schedule; sending the backlog at once would burst
 * far above the throttle. So a batch that goes out more than one batch interval late sets
 * the pace again from now: the schedule works as a token bucket that holds at most one
 * batch, and no window of one interval ever sees more than two batches. Lateness under one
 * interval (timer jitter) is caught up, so the pace does not drift.
 */
export function keepPace(state: CampaignState, batchSize: number, now: string): CampaignState {
  const due = earliestSendTime(state);
  if (due === undefined || state.throttle === undefined) return state;
  if (Date.parse(now) - due <= batchInterval(batchSize, state.throttle)) return state;
  return { ...state, pace: { since: now, cursor: state.cursor } };
}

/**
 * The CSV's recipients as the run mails them: with `leads`, each row becomes a prospect
 * (its id and name from the lead columns), and a row that cannot is a problem on its line,
 * never silently dropped. The same rules for `campaign validate` and for the worker.
 */
export function leadRecipients(audience: CsvAudience, leads: LeadOptions | undefined): { recipients: Recipient[]; errors: CsvRowError[] } {
  const errors = [...audience.errors];
  const recipients: Recipient[] = [];
  for (const { line, ...recipient } of audience.recipients) {
    if (leads) {
      const lead = leadFieldsOf(leads, recipient.email, recipient.vars);
      if ('problem' in lead) {
        errors.push({ line, message: `cannot become a prospect: ${lead.problem}` });
        continue;
      }
      recipient.prospectId = lead.id;
      recipient.lead = { name: lead.name, ...(lead.company ? { company: lead.company } : {}) };
    }
    recipients.push(recipient);
  }
  errors.sort((a, b) => a.line - b.line);
  return { recipients, errors };
}
