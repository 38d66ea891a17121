import { ApplicationFailure, Context, heartbeat, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import { campaignMessageId, type BatchOutcome, type RecipientException } from '../domain/campaign';
import type { Recipient } from '../domain/csv';
import { newProspect } from '../domain/lifecycle';
import { registryWorkflowId } from '../domain/registry';
import { DEFAULT_PROCESS_INPUT, type ProcessDefinitionInput } from '../domain/process';
import { prospectWorkflowId } from '../domain/prospect';
import { byShard, suppressionShard, suppressionWorkflowId, type SuppressInput, type SuppressionEntry } from '../domain/suppression';
import { renderTemplate, templateVariables, type Template } from '../domain/template';
import { getSuppressed, suppressSignal } from '../workflows/campaignMessages';
import { assignRep, contactObserved, getProcessVersion } from '../workflows/messages';
import { SA } from '../workflows/searchAttributes';
import { CampaignStore, type LedgerEntry } from './campaignStore';
import { eachLimited } from './concurrency';
import { isPermanentSmtpFailure } from './mail';
import { signUnsubscribeToken, unsubscribeUrl } from './unsubscribeToken';

export interface CampaignDeps {
  mailer: Transporter;
  from: string;
  store: CampaignStore;
  /** For prospect audiences, the suppression list and feeding the pipeline. */
  temporal: Client;
  unsubscribe: { baseUrl: string; secret: string; ttlMs: number };
  /** Mails handed to the pooled transport at once; the pool queues them over its connections. */
  inFlight?: number;
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
  /** False on servers without custom search attributes (the time-skipping test server). */
  searchAttributes?: boolean;
}

export function createCampaignActivities(deps: CampaignDeps) {
  const { store, temporal } = deps;
  const inFlight = deps.inFlight ?? 64;

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

  async function addSuppression(entry: SuppressInput): Promise<void> {
    const queue = Context.current().info.taskQueue;
    await temporal.workflow.signalWithStart('suppressionListWorkflow', {
      workflowId: suppressionWorkflowId(queue, suppressionShard(entry.email)),
      taskQueue: queue,
      args: [{}],
      signal: suppressSignal,
      signalArgs: [entry],
    });
  }

  /** Records the mail in the prospect's contact log; for a new lead, starts the prospect first. */
  async function intoPipeline(input: SendBatchInput, recipient: Recipient, subject: string, at: string): Promise<void> {
    const contact = { channel: 'email' as const, direction: 'outbound' as const, note: `campaign ${input.campaignId}: ${subject}`, at, by: `campaign:${input.campaignId}` };
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
      const registry = temporal.workflow.getHandle(registryWorkflowId(input.leadsProcess));
      process = (await registry.query(getProcessVersion, undefined)).definition;
      rep ??= (await registry.executeUpdate(assignRep, { args: [{ fields: {}, source, company, email: recipient.email }] })).rep;
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
      process,
      at,
    );
    // Idempotent: an existing prospect is only signalled, never started twice.
    await temporal.workflow.signalWithStart('prospectWorkflow', {
      workflowId,
      taskQueue: Context.current().info.taskQueue,
      args: [{ info: initial.info, process: initial.process, ...(input.searchAttributes === false ? { searchAttributes: false } : {}) }],
      signal: contactObserved,
      signalArgs: [contact],
      workflowIdConflictPolicy: 'USE_EXISTING',
      memo: { name: initial.info.name, company: initial.info.company ?? '' },
      ...(input.searchAttributes === false
        ? {}
        : {
            typedSearchAttributes: [
              { key: SA.stage, value: initial.stage },
              { key: SA.rep, value: initial.info.rep },
              { key: SA.process, value: initial.process.name },
              { key: SA.processVersion, value: initial.process.version },
            ],
          }),
    });
  }

  return {
    /**
     * Mails recipients [offset, offset + limit) of a run. Whoever the ledger shows as
     * already accepted is not sent again; suppressed addresses are skipped; a permanent
     * refusal (5xx) bounces and suppresses the address. A temporary failure (4xx, SMTP
     * down) ends the attempt with an error after recording everything accepted so far, and
     * Temporal retries the batch with backoff.
     */
    async sendCampaignBatch(input: SendBatchInput): Promise<BatchOutcome> {
      const recipients = store.readAudience(input.runKey, input.offset, input.limit);
      if (recipients.length !== input.limit) {
        throw ApplicationFailure.nonRetryable(`campaign ${input.runKey}: the audience snapshot has ${recipients.length} recipients at ${input.offset}, expected ${input.limit}`, 'CampaignStoreMissing');
      }
      const ledger = store.readLedger(input.runKey, input.offset, input.limit);
      const suppressed = await suppressedIn(recipients.map((r) => r.email));
      const outcome: BatchOutcome = { offset: input.offset, count: recipients.length, sent: 0, alreadySent: 0, skipped: 0, bounced: 0, failed: 0, exceptions: [] };
      const exception = (e: RecipientException) => outcome.exceptions.push(e);
      const usesLink = templateVariables(input.template).includes('unsubscribeUrl');
      const toPipeline: { i: number; r: Recipient; subject: string; entry: LedgerEntry }[] = [];
      const bounces: SuppressInput[] = [];
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

      let temporary: Error | undefined;
      let done = 0;
      const expiresAt = Date.now() + deps.unsubscribe.ttlMs;
      await eachLimited(pending, inFlight, async ({ i, r }) => {
        if (temporary) return; // SMTP is down: leave the rest to the retry
        const messageId = campaignMessageId(input.runKey, r.email);
        const link = unsubscribeUrl(deps.unsubscribe.baseUrl, signUnsubscribeToken(deps.unsubscribe.secret, { email: r.email, campaign: input.runKey }, expiresAt));
        let mail;
        try {
          mail = renderTemplate(input.template, { ...r.vars, email: r.email, unsubscribeUrl: link });
        } catch (err) {
          const reason = (err as Error).message;
          store.record(input.runKey, { i, email: r.email, status: 'failed', reason, at: new Date().toISOString() });
          outcome.failed++;
          exception({ index: i, email: r.email, status: 'failed', reason });
          return;
        }
        try {
          await deps.mailer.sendMail({
            from: input.from ?? deps.from,
            to: r.email,
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
          });
        } catch (err) {
          if (isPermanentSmtpFailure(err)) {
            const reason = (err as Error).message;
            store.record(input.runKey, { i, email: r.email, status: 'bounced', reason, messageId, at: new Date().toISOString() });
            outcome.bounced++;
            exception({ index: i, email: r.email, status: 'bounced', reason });
            bounces.push({ email: r.email, reason: 'bounced', source: input.runKey, detail: reason.slice(0, 500) });
            return;
          }
          temporary ??= err as Error;
          return;
        }
        const entry: LedgerEntry = { i, email: r.email, status: 'sent', messageId, subject: mail.subject, at: new Date().toISOString() };
        store.record(input.runKey, entry);
        outcome.sent++;
        if (r.prospectId) toPipeline.push({ i, r, subject: mail.subject, entry });
        if (++done % 50 === 0) heartbeat({ offset: input.offset, done });
      });

      await eachLimited(bounces, 10, addSuppression);
      await eachLimited(toPipeline, 20, async ({ r, subject, entry }) => {
        await intoPipeline(input, r, subject, entry.at);
        store.record(input.runKey, { ...entry, pipelined: true });
        heartbeat({ offset: input.offset, done });
      });

      if (temporary) {
        log.warn('SMTP failed temporarily; the batch will be retried', { runKey: input.runKey, offset: input.offset, accepted: outcome.sent, error: temporary.message });
        throw temporary;
      }
      return outcome;
    },
  };
}
