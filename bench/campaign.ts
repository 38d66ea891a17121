import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { signUnsubscribeToken, unsubscribeUrl } from '../activities/campaign/unsubscribeToken';
import { CampaignClient } from '../client/campaign/campaignClient';
import { campaignMessageId, parseCampaignDefinition } from '../domain/campaign/campaign';
import { campaignWorkflowId } from '../workflows/campaign/contract';
import { renderTemplate } from '../domain/campaign/template';
import { startBenchStack } from './benchStack';
import { MailSink, type CapturedMail } from '../scripts/mailSink';
import { createMailer } from '../worker/worker';

/**
 * `npm run bench -- campaign --recipients N [--rounds R]`: in one run, against one SMTP sink
 * on loopback, (1) raw pooled nodemailer sending N mails (the ceiling) and (2) the durable
 * path: a campaign workflow on a Temporal dev server (SQLite file in WAL mode) with the
 * real worker. Prints mails/s for each, their ratio, duplicates and lost recipients. With
 * R rounds each side sends its N mails R times, alternating which goes first (as the
 * lifecycle bench does): this machine's speed drifts over tens of seconds, and single runs
 * of one build gave ratios from 0.75 to 0.91 at 10,000.
 */

const TEMPLATE = {
  subject: 'Spring prices for {{company}}',
  text: 'Dear {{name}},\n\nuntil the end of April PUMP-X costs 1,799.00 EUR instead of 1,999.90 EUR.\n\nKind regards,\nACME Pumps\n',
};
const SECRET = 'bench-secret-bench-secret';
const FROM = 'bench <bench@localhost>';

export interface CampaignBenchOptions {
  recipients: number;
  pool: number;
  batchSize: number;
  /** Rounds of both sides, alternating which goes first; default 1 here, 3 from the command line. */
  rounds?: number;
}

function count(messages: readonly CapturedMail[], runKey: string, emails: readonly string[]): { unique: number; duplicates: number; lost: number; wrongId: number } {
  const seen = new Map<string, number>();
  let wrongId = 0;
  for (const m of messages) {
    if (m.headers.get('x-salesflow-campaign') !== runKey) continue;
    const to = m.recipients[0]!;
    seen.set(to, (seen.get(to) ?? 0) + 1);
    if (m.messageId !== campaignMessageId(runKey, to)) wrongId++;
  }
  let duplicates = 0;
  for (const n of seen.values()) duplicates += n - 1;
  return { unique: seen.size, duplicates, lost: emails.filter((e) => !seen.has(e)).length, wrongId };
}

async function raw(sink: MailSink, emails: readonly string[], pool: number): Promise<number> {
  const mailer = createMailer({ SMTP_URL: sink.url }, pool);
  const runKey = 'bench-raw';
  const started = performance.now();
  let next = 0;
  const expiresAt = Date.now() + 86_400_000;
  await Promise.all(
    // As many in flight as the worker hands its campaign pool (4 per connection).
    Array.from({ length: 4 * pool }, async () => {
      while (next < emails.length) {
        const k = next++;
        const email = emails[k]!;
        const link = unsubscribeUrl('http://127.0.0.1:8088', signUnsubscribeToken(SECRET, { email, campaign: runKey }, expiresAt));
        const mail = renderTemplate(TEMPLATE, { name: `Person ${k}`, company: `Company ${k % 97}`, email, unsubscribeUrl: link });
        await mailer.sendMail({
          from: FROM,
          to: email,
          subject: mail.subject,
          text: `${mail.text}\n\n--\nTo stop receiving these mails: ${link}\n`,
          messageId: campaignMessageId(runKey, email),
          headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', 'X-Salesflow-Campaign': runKey, Precedence: 'bulk' },
        });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  mailer.close();
  return seconds;
}

/** Where the durable run's time went, from its history (the last run's, when it continued as new). */
async function activityTimes(client: Client, workflowId: string): Promise<{ resolve: number; batches: number; batchCount: number; slowest: number }> {
  const out = { resolve: 0, batches: 0, batchCount: 0, slowest: 0 };
  let runId: string | undefined;
  // Walk the chain of runs back from the last one.
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    const scheduled = new Map<string, { type: string; at: number }>();
    const ms = (t: unknown) => Number((t as { seconds?: { toNumber(): number } | number })?.seconds?.valueOf() ?? 0) * 1000 + Math.floor(((t as { nanos?: number })?.nanos ?? 0) / 1e6);
    for (const e of events) {
      if (e.activityTaskScheduledEventAttributes) scheduled.set(String(e.eventId), { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '', at: ms(e.eventTime) });
      const done = e.activityTaskCompletedEventAttributes;
      if (done) {
        const s = scheduled.get(String(done.scheduledEventId));
        if (!s) continue;
        const took = ms(e.eventTime) - s.at;
        if (s.type === 'resolveCampaignAudience') out.resolve += took;
        if (s.type === 'sendCampaignBatch') {
          out.batches += took;
          out.batchCount++;
          out.slowest = Math.max(out.slowest, took);
        }
      }
    }
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return out;
    runId = previous;
  }
}

export async function campaignBench(options: CampaignBenchOptions): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const n = options.recipients;
  const emails = Array.from({ length: n }, (_, k) => `r${String(k).padStart(6, '0')}@bench.test`);
  const dir = mkdtempSync(join(tmpdir(), 'salesflow-bench-'));
  const csv = join(dir, 'audience.csv');
  writeFileSync(csv, ['email,name,company', ...emails.map((e, k) => `${e},Person ${k},Company ${k % 97}`)].join('\n') + '\n');
  const sink = await new MailSink().start();
  console.log(`campaign bench: ${n} recipients, SMTP pool ${options.pool}, batch ${options.batchSize}, sink ${sink.url}`);

  const stack = await startBenchStack({ dir, sink, from: FROM, pool: options.pool, worker: { SALESFLOW_UNSUBSCRIBE_SECRET: SECRET } });
  const campaigns = CampaignClient.fromClient(stack.client, stack.config);
  const rounds = Math.max(1, options.rounds ?? 1);
  try {
    let rawSeconds = 0;
    let durableSeconds = 0;
    const faults = { rawDuplicates: 0, rawLost: 0, duplicates: 0, lost: 0, wrongId: 0, unsent: 0 };
    const rawSide = async () => {
      const seconds = await raw(sink, emails, options.pool);
      const counted = count(sink.messages, 'bench-raw', emails);
      faults.rawDuplicates += counted.duplicates;
      faults.rawLost += counted.lost;
      sink.messages.length = 0;
      rawSeconds += seconds;
      console.log(`  raw nodemailer:   ${(n / seconds).toFixed(0)} mails/s (${seconds.toFixed(2)} s)`);
    };
    const durableSide = async (round: number) => {
      // A run id of its own: with DATABASE_URL the campaign store outlives the bench.
      const id = `bench-${Date.now().toString(36)}-${round}`;
      const definition = parseCampaignDefinition({ id, name: 'Bench', template: TEMPLATE, audience: { csv } });
      const started = performance.now();
      await campaigns.start(definition, { batchSize: options.batchSize });
      const report = await campaigns.result(id);
      const seconds = (performance.now() - started) / 1000;
      const counted = count(sink.messages, campaignWorkflowId(id), emails);
      faults.duplicates += counted.duplicates;
      faults.lost += counted.lost;
      faults.wrongId += counted.wrongId;
      if (report.sent !== n) faults.unsent += n - report.sent;
      sink.messages.length = 0;
      durableSeconds += seconds;
      const phases = await activityTimes(stack.client, campaignWorkflowId(id));
      console.log(`  durable campaign: ${(n / seconds).toFixed(0)} mails/s (${seconds.toFixed(2)} s, ${report.runs} run(s), workflow says sent ${report.sent})`);
      console.log(`    of which: audience resolved in ${(phases.resolve / 1000).toFixed(2)} s, batches ran ${(phases.batches / 1000).toFixed(2)} s (${phases.batchCount} batches, slowest ${(phases.slowest / 1000).toFixed(2)} s)`);
    };
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        await rawSide();
        await durableSide(r);
      } else {
        await durableSide(r);
        await rawSide();
      }
    }
    const rawRate = (rounds * n) / rawSeconds;
    const durableRate = (rounds * n) / durableSeconds;
    if (rounds > 1) console.log(`  ${rounds} alternating rounds: raw ${rawRate.toFixed(0)}, durable ${durableRate.toFixed(0)} mails/s over all of them`);
    console.log('');
    console.log('| recipients | raw nodemailer mails/s | durable campaign mails/s | ratio | duplicates | lost |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(`| ${n} | ${rawRate.toFixed(0)} | ${durableRate.toFixed(0)} | ${(durableRate / rawRate).toFixed(2)} | ${faults.duplicates} | ${faults.lost} |`);
    if (faults.rawLost > 0 || faults.rawDuplicates > 0) console.log(`(raw runs: ${faults.rawDuplicates} duplicates, ${faults.rawLost} lost)`);
    if (faults.wrongId > 0) console.log(`!! ${faults.wrongId} mails with an unexpected Message-ID`);
    if (faults.lost > 0 || faults.duplicates > 0 || faults.unsent > 0) process.exitCode = 1;
  } finally {
    await stack.stop();
    await sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
