import { ApplicationFailure, CancelledFailure, Context, log } from '@temporalio/activity';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import { replyAddress } from '../shared/replyAddress';
import { campaignMessageId, type BatchOutcome, type RecipientException } from '../../domain/campaign/campaign';
import type { Recipient } from '../../domain/campaign/csv';
import { newProspect } from '../../domain/pipeline/lifecycle';
import { DEFAULT_PROCESS_INPUT, withTimeZone, type ProcessDefinitionInput } from '../../domain/process/process';
import { byShard, type SuppressInput, type SuppressionEntry } from '../../domain/campaign/suppression';
import { renderTemplate, templateVariables, type Template } from '../../domain/campaign/template';
import type { SmtpFailure } from '../../domain/shared/smtpFailure';
import { getSuppressed, suppressionWorkflowId } from '../../workflows/campaign/contract';
import { contactObserved, prospectWorkflowId } from '../../workflows/pipeline/contract';
import { suppressAndConfirm } from '../../client/campaign/start';
import { startProspectWithContact } from '../../client/pipeline/start';
import { assignOnProcess, processVersion } from '../../client/process/start';
import { LEDGER_MAX_UNRECORDED, type CampaignStore, type LedgerEntry } from '../../db/campaignStore';
import { eachLimited } from '../shared/concurrency';
import type { SalesflowDb } from '../../db/database';
import { recordCampaignOutcome } from '../../db/reporting';
import { smtpFailureOf } from '../shared/mail';
import { MailGate, attemptBounds } from '../shared/mailGate';
import { signUnsubscribeToken, unsubscribeUrl } from './unsubscribeToken';

export interface CampaignDeps {
  mailer: Transporter;
  from: string;
  /** The campaign store in the salesflow database; a worker without one (no DATABASE_URL) retries its campaign batches until it has one. */
  store?: CampaignStore;
  /** For prospect audiences, the suppression list and feeding the pipeline. */
  temporal: Client;
  unsubscribe: { baseUrl: string; secret: string; ttlMs: number };
  /**
   * Mails of a batch under way at once (rendered, waiting for a connection, being sent);
   * each is handed to the pooled transport only once one of its connections is free
   * (../shared/mailGate.ts). A few per connection keeps them busy; more only lengthens what
   * a cancelled batch must still wait for (the worker passes 4 x its pool).
   */
  inFlight?: number;
  /** The worker's SALESFLOW_TIMEZONE, for the mails of leads it starts as prospects. */
  timeZone?: string;
  /** Salesflow's reply address: a reply to a recipient with a prospect comes back tagged `c.<prospect id>`. */
  replyTo?: string;
  /** The salesflow database: bounces are recorded for the campaigns report (absent: not recorded). */
  reportDb?: SalesflowDb;
  /** Test seams: a fault injected where a crash would hurt. Never set in production. */
  faults?: {
    /** Runs after a bounce's ledger line, before the address is sent to the suppression list. */
    beforeSuppress?: (email: string) => void | Promise<void>;
  };
}

export interface SendBatchInput {
  runKey: string;
  campaignId: string;
  offset: number;
  limit: number;
  template: Template;
  from?: string;
  /** New leads become prospects (source `campaign:<id>`) with this rep. */
  leadsRep?: string;
  /** ... on this published process, which assigns the rep when leadsRep is absent. */
  leadsProcess?: string;
  /** Recorded in older histories; no longer read (client/shared/visibility.ts decides). */
  searchAttributes?: boolean;
}

/** The store, or a retryable failure saying what is missing (the run waits, nothing is mailed). */
export function campaignStoreOf(deps: { store?: CampaignStore }): CampaignStore {
  if (!deps.store) throw ApplicationFailure.retryable('the worker has no database for the campaign store (DATABASE_URL)', 'CampaignStoreUnavailable');
  return deps.store;
}

export function createCampaignActivities(deps: CampaignDeps) {
  const { temporal } = deps;
  const inFlight = deps.inFlight ?? 64;
  // A mail goes to the pool only when a connection is free, never into its queue: when the
  // relay goes silent, an attempt given up leaves nothing queued there to go out after its
  // retry has sent the same mail (../shared/mailGate.ts).
  const gate = MailGate.of(deps.mailer);

  async function suppressedIn(emails: string[]): Promise<Map<string, SuppressionEntry>> {
    const queue = Context.current().info.taskQueue;
    const found = await Promise.all(
      [...byShard(emails)].map(async ([shard, some]) => {
        try {
          return await temporal.workflow.getHandle(suppressionWorkflowId(queue, shard)).query(getSuppressed, some);
        } catch (err) {
          // No such shard yet: nobody in it has unsubscribed or bounced.
          if (err instanceof WorkflowNotFoundError) return [];
          throw err;
        }
      }),
    );
    return new Map(found.flat().map((e) => [e.email, e]));
  }

  /**
   * Puts the address on its shard, creating the shard on first use, and reads it back
   * with an update: the update is ordered after the signal, so its answer confirms the
   * entry is held. A full shard refuses, and the run fails saying so, rather than mailing
   * on with a list that can no longer record a bounce.
   */
  async function addSuppression(entry: SuppressInput): Promise<void> {
    const shard = await suppressAndConfirm(temporal, Context.current().info.taskQueue, entry);
    try {
      await shard.confirm();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        throw ApplicationFailure.nonRetryable(`cannot suppress ${entry.email}: ${err.cause?.message ?? err.message}`, 'SuppressionListFull');
      }
      throw err;
    }
  }

  /** Records the mail in the prospect's contact log; for a new lead, starts the prospect first. */
  async function intoPipeline(input: SendBatchInput, recipient: Recipient, subject: string, at: string): Promise<void> {
    // The campaign is the contact's author (`by`); the note is the mail's subject, not the campaign again.
    const contact = { channel: 'email' as const, direction: 'outbound' as const, note: subject, at, by: `campaign:${input.campaignId}` };
    const workflowId = prospectWorkflowId(recipient.prospectId!);
    if (input.leadsRep === undefined && input.leadsProcess === undefined) {
      try {
        await temporal.workflow.getHandle(workflowId).signal(contactObserved, contact);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        log.warn('prospect gone before its campaign contact was logged', { prospect: recipient.prospectId });
      }
      return;
    }
    const v = recipient.vars;
    // Snapshots resolved before `leads.nameColumn`/`companyColumn` existed carry no `lead`.
    const company = recipient.lead ? recipient.lead.company : v.company || undefined;
    const source = `campaign:${input.campaignId}`;
    let process: ProcessDefinitionInput = DEFAULT_PROCESS_INPUT;
    let rep = input.leadsRep;
    if (input.leadsProcess !== undefined) {
      // An existing prospect only gets the contact: it must not use up an assignment turn.
      try {
        await temporal.workflow.getHandle(workflowId).signal(contactObserved, contact);
        return;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      process = (await processVersion(temporal, input.leadsProcess)).definition;
      rep ??= (await assignOnProcess(temporal, input.leadsProcess, { fields: {}, source, company, email: recipient.email })).rep;
    }
    const initial = newProspect(
      {
        id: recipient.prospectId!,
        name: recipient.lead?.name ?? (v.name || recipient.email),
        company,
        email: recipient.email,
        rep: rep!,
        source,
      },
      withTimeZone(process, deps.timeZone),
      at,
    );
    // Idempotent: an existing prospect is only signalled, never started twice.
    await startProspectWithContact(temporal, Context.current().info.taskQueue, initial, contact);
  }

  async function sendBatch(input: SendBatchInput, progress: { done: number }, ctx: Context): Promise<BatchOutcome> {
    const cancelled = () => ctx.cancellationSignal.aborted;
    // Asked at the attempt's start: no mail is handed over later than its timeout allows.
    const bounds = attemptBounds();
    const store = campaignStoreOf(deps);
    const recipients = await store.readAudience(input.runKey, input.offset, input.limit);
    if (recipients.length !== input.limit) {
      throw ApplicationFailure.nonRetryable(`campaign ${input.runKey}: the audience snapshot has ${recipients.length} recipients at ${input.offset}, expected ${input.limit}`, 'CampaignStoreMissing');
    }
    const ledger = await store.readLedger(input.runKey, input.offset, input.limit);
    const writer = store.ledger(input.runKey);
    const suppressed = await suppressedIn(recipients.map((r) => r.email));
    const outcome: BatchOutcome = { offset: input.offset, count: recipients.length, sent: 0, alreadySent: 0, skipped: 0, bounced: 0, failed: 0, exceptions: [] };
    const exception = (e: RecipientException) => outcome.exceptions.push(e);
    const usesLink = templateVariables(input.template).includes('unsubscribeUrl');
    const toPipeline: { i: number; r: Recipient; subject: string; entry: LedgerEntry }[] = [];
    const bounces: LedgerEntry[] = [];
    const pending: { i: number; r: Recipient }[] = [];

    recipients.forEach((r, k) => {
      const i = input.offset + k;
      const done = ledger.get(i);
      if (done?.status === 'sent') {
        outcome.alreadySent++;
        if (r.prospectId && !done.pipelined) toPipeline.push({ i, r, subject: done.subject ?? '', entry: done });
        return;
      }
      if (done) {
        // Bounced or failed in an earlier attempt: final, and counted again for this outcome.
        outcome[done.status]++;
        exception({ index: i, email: r.email, status: done.status, reason: done.reason ?? '' });
        // That attempt may have died before the address reached the suppression list.
        if (done.status === 'bounced' && !done.suppressed) bounces.push(done);
        return;
      }
      const stop = suppressed.get(r.email);
      if (stop) {
        outcome.skipped++;
        exception({ index: i, email: r.email, status: 'skipped', reason: `suppressed: ${stop.reason}${stop.detail ? ` (${stop.detail})` : ''}` });
        return;
      }
      pending.push({ i, r });
    });

    // Why the attempt must end: our login refused (final), or anything else on our side.
    let config: SmtpFailure | undefined;
    let temporary: SmtpFailure | undefined;
    let untried = 0;
    const expiresAt = Date.now() + deps.unsubscribe.ttlMs;
    const recorded: Promise<void>[] = [];
    let ledgerDown: unknown;
    await eachLimited(pending, inFlight, async ({ i, r }) => {
      // SMTP is down, or the batch was cancelled: leave the rest to a retry (or to nobody).
      if (config || temporary || ledgerDown || cancelled()) {
        untried++;
        return;
      }
      const messageId = campaignMessageId(input.runKey, r.email);
      const link = unsubscribeUrl(deps.unsubscribe.baseUrl, signUnsubscribeToken(deps.unsubscribe.secret, { email: r.email, campaign: input.runKey }, expiresAt));
      let mail;
      try {
        mail = renderTemplate(input.template, { ...r.vars, email: r.email, unsubscribeUrl: link });
      } catch (err) {
        const reason = (err as Error).message;
        await writer.record({ i, email: r.email, status: 'failed', reason, at: new Date().toISOString() });
        outcome.failed++;
        exception({ index: i, email: r.email, status: 'failed', reason });
        return;
      }
      try {
        await gate.send(() => deps.mailer.sendMail({
          from: input.from ?? deps.from,
          to: r.email,
          // A reply is logged on the recipient's prospect (server/inboundMail.ts).
          ...(deps.replyTo ? { replyTo: replyAddress(deps.replyTo, r.prospectId ? `c.${r.prospectId}` : undefined) } : {}),
          subject: mail.subject,
          text: usesLink ? mail.text : `${mail.text}\n\n--\nTo stop receiving these mails: ${link}\n`,
          ...(mail.html === undefined
            ? {}
            : { html: usesLink ? mail.html : `${mail.html}\n<p style="font-size:small;color:#666"><a href="${link}">Unsubscribe</a></p>` }),
          messageId,
          headers: {
            'List-Unsubscribe': `<${link}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            'X-Salesflow-Campaign': input.runKey,
            Precedence: 'bulk',
          },
        }), bounds);
      } catch (err) {
        // A GateTimeout (no connection freed within the attempt: nothing was handed over) is
        // temporary, as every failure without an SMTP code is.
        const failure = smtpFailureOf(err);
        if (failure.kind === 'recipient') {
          const entry: LedgerEntry = { i, email: r.email, status: 'bounced', reason: failure.reason, messageId, at: new Date().toISOString() };
          await writer.record(entry);
          outcome.bounced++;
          exception({ index: i, email: r.email, status: 'bounced', reason: failure.reason });
          bounces.push(entry);
          return;
        }
        if (failure.kind === 'auth') config ??= failure;
        else temporary ??= failure;
        untried++;
        return;
      }
      const entry: LedgerEntry = { i, email: r.email, status: 'sent', messageId, subject: mail.subject, at: new Date().toISOString() };
      // The next mail need not wait for this row's group commit (rows linger to share an
      // INSERT, db/campaignStore.ts), unless too many are accepted and not yet recorded.
      const row = writer.record(entry).then(
        () => {
          outcome.sent++;
          progress.done++;
          if (r.prospectId) toPipeline.push({ i, r, subject: mail.subject, entry });
        },
        (err: unknown) => {
          // The database is away: stop mailing; the retry reads the ledger.
          ledgerDown ??= err;
        },
      );
      recorded.push(row);
      if (writer.pending > LEDGER_MAX_UNRECORDED) await row;
    });
    await writer.flush();
    await Promise.all(recorded);
    if (ledgerDown) throw ledgerDown;

    // The ledger marks each bounce once the list holds it, as it marks `pipelined`: a retry
    // after a crash in between completes what is missing.
    await eachLimited(bounces, 10, async (entry) => {
      await deps.faults?.beforeSuppress?.(entry.email);
      await addSuppression({ email: entry.email, reason: 'bounced', source: input.runKey, detail: entry.reason ?? '' });
      // Keyed by (run, address): the retry that finishes an unmarked bounce writes nothing twice.
      if (deps.reportDb) await recordCampaignOutcome(deps.reportDb, { run: input.runKey, email: entry.email, outcome: 'bounced', campaign: input.campaignId, at: new Date(entry.at) });
      await writer.suppressed(entry.i);
    });
    await eachLimited(toPipeline, 20, async ({ r, subject, entry }) => {
      await intoPipeline(input, r, subject, entry.at);
      await writer.pipelined(entry.i);
    });

    if (cancelled()) {
      // The run was cancelled: report what this attempt did (its mail is in the ledger);
      // the untried recipients stay unmailed. Any other reason (a timed-out attempt, a
      // worker shutting down) leaves the batch to a retry, which reads the ledger.
      if (!ctx.cancellationDetails?.cancelRequested) throw new CancelledFailure('batch attempt abandoned; a retry continues from the ledger');
      outcome.count -= untried;
      return outcome;
    }
    if (config) {
      throw ApplicationFailure.nonRetryable(
        `the SMTP relay refused salesflow's login (${config.reason}): check the user and password in SMTP_URL, then start the run again with the same id; nobody was marked bounced`,
        'SmtpConfig',
      );
    }
    if (temporary) {
      log.warn('SMTP failed on our side; the batch will be retried', { runKey: input.runKey, offset: input.offset, accepted: outcome.sent, error: temporary.reason });
      throw ApplicationFailure.retryable(`SMTP could not take the batch's mail (${temporary.kind === 'sender' ? 'refused for a reason of ours, not the recipient\'s' : 'temporary'}): ${temporary.reason}`, 'SmtpUnavailable');
    }
    return outcome;
  }

  return {
    /**
     * Mails recipients [offset, offset + limit) of a run. Whoever the ledger shows as
     * already accepted is not sent again; suppressed addresses are skipped. Only the
     * recipient's own refusal (RCPT TO, or 5.1.x/5.2.x) bounces and suppresses them; a
     * refusal of our login fails the run (`SmtpConfig`); anything else on our side (an
     * outage, a policy or relay refusal) ends the attempt with an error after recording
     * what was accepted, and Temporal retries the batch with backoff.
     *
     * It heartbeats every second whatever it is waiting on (suppression look-ups, a slow
     * relay), so only a dead worker trips the heartbeat timeout, and it stops handing out
     * mail as soon as it is cancelled (the run was cancelled, or Temporal gave up on this
     * attempt), returning what it did.
     */
    async sendCampaignBatch(input: SendBatchInput): Promise<BatchOutcome> {
      const ctx = Context.current();
      const progress = { offset: input.offset, done: 0 };
      const beat = setInterval(() => ctx.heartbeat(progress), 1_000);
      try {
        return await sendBatch(input, progress, ctx);
      } finally {
        clearInterval(beat);
      }
    },
  };
}
