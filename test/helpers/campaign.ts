import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCampaignDefinition, type CampaignDefinition, type CampaignDefinitionInput } from '../../domain/campaign/campaign';
import type { CapturedMail } from '../../scripts/mailSink';

/** Campaign fixtures: an audience CSV on disk and a definition mailing it. */

export function audienceCsv(emails: readonly string[], extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'salesflow-audience-'));
  const file = join(dir, 'audience.csv');
  writeFileSync(file, ['email,name,company', ...emails.map((e, k) => `${e},Person ${k},Company ${k % 7}`)].join('\n') + '\n' + extra);
  return file;
}

export function recipients(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, k) => `${prefix}-${String(k).padStart(5, '0')}@audience.test`);
}

export function csvCampaign(id: string, csv: string, more: Partial<CampaignDefinitionInput> = {}): CampaignDefinition {
  return parseCampaignDefinition({
    id,
    name: `Campaign ${id}`,
    template: { subject: 'Pumps for {{company}}', text: 'Dear {{name}},\n\nour spring offer.\n' },
    audience: { csv },
    ...more,
  });
}

/** Mails per envelope recipient, each with the Message-IDs it arrived with. */
export function mailsByRecipient(messages: readonly CapturedMail[], runKey: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of messages) {
    if (m.headers.get('x-salesflow-campaign') !== runKey) continue;
    for (const r of m.recipients) out.set(r, [...(out.get(r) ?? []), m.messageId]);
  }
  return out;
}
