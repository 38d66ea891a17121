import { condition, defineQuery, defineUpdate, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { defineSearchAttributeKey } from '@temporalio/common';
import type { BareActivities } from './activities';

/**
 * The lifecycle benchmark's yardstick (bench/lifecycle.ts): a prospect workflow of the same
 * shape as salesflow's, with no domain logic. Six updates move it contact → won, each with
 * a validator that refuses an update out of order (so a refusal costs what salesflow's
 * does: nothing in history); the quotation is mailed once by an activity, and the stage is
 * kept in the same search attribute the pipeline lists by, upserted when it changes.
 * Not part of salesflow: bundled and run by the benchmark on a task queue of its own.
 */

export const BARE_STEPS = ['logContact', 'qualify', 'createInquiry', 'createQuote', 'sendQuote', 'acceptQuote'] as const;
export type BareStep = (typeof BARE_STEPS)[number];

const STAGE_AFTER: Record<BareStep, string> = {
  logContact: 'contact',
  qualify: 'qualification',
  createInquiry: 'inquiry',
  createQuote: 'quotation',
  sendQuote: 'quotation',
  acceptQuote: 'won',
};

export interface BareResult {
  version: number;
  stage: string;
}

export const bareUpdates = Object.fromEntries(BARE_STEPS.map((s) => [s, defineUpdate<BareResult, [Record<string, unknown>]>(s)])) as Record<
  BareStep,
  ReturnType<typeof defineUpdate<BareResult, [Record<string, unknown>]>>
>;
export const bareState = defineQuery<{ stage: string; version: number; done: number }>('bareState');

const SalesStage = defineSearchAttributeKey('SalesStage', 'KEYWORD');

const { sendBareMail } = proxyActivities<BareActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export async function bareProspectWorkflow(input: { id: string; email: string; rep: string }): Promise<void> {
  let stage = 'contact';
  let done = 0;
  let version = 0;
  let mailDue = false;
  setHandler(bareState, () => ({ stage, version, done }));
  BARE_STEPS.forEach((step, k) => {
    setHandler(
      bareUpdates[step],
      (): BareResult => {
        done = k + 1;
        version++;
        if (STAGE_AFTER[step] !== stage) {
          stage = STAGE_AFTER[step];
          upsertSearchAttributes([{ key: SalesStage, value: stage }]);
        }
        if (step === 'sendQuote') mailDue = true;
        return { version, stage };
      },
      {
        validator: (args: Record<string, unknown>) => {
          if (done !== k) throw new Error(`${step} is step ${k + 1}; the prospect has done ${done}`);
          if (typeof args !== 'object' || args === null) throw new Error('arguments must be an object');
        },
      },
    );
  });
  // Like salesflow's outbox: the mail goes out beside the commands, which never wait on it.
  await condition(() => mailDue);
  await sendBareMail({ to: input.email, messageId: `<bare-${input.id}.quote@bench.invalid>`, subject: `Quotation for ${input.id}` });
  // Open like a salesflow prospect (post-sales care follows a won deal).
  await condition(() => false);
}
