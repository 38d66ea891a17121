import { z } from 'zod';
import { DurationSchema, formatDuration } from '../shared/duration';
import { OffsetSchema, formatOffset, type Offset } from '../process/offset';
import { ProductSchema } from '../pipeline/inquiry';
import { shareable } from '../shared/shareable';

/**
 * The `postSales` section of a process definition: how a customer is cared for after the
 * sale. It is part of the definition, so an account keeps the version its first deal was
 * won on until ops migrate it, like a prospect. A process without the section gets the
 * defaults below, so every won deal becomes a customer with an onboarding call.
 */

const DAY = 86_400_000;

export const TierNameSchema = shareable(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a tier is a lower-case name such as gold'));

/**
 * What a product sold on a quotation line is after the sale. A contract or subscription runs
 * for `term` from the win and then ends, renews on accept, or renews by itself (`autoRenew`)
 * unless the customer gave notice `noticePeriod` before the end. A consumable is reordered
 * every `reorderEvery`.
 */
export const ProductTermsSchema = shareable(z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.enum(['contract', 'subscription']),
    term: DurationSchema,
    noticePeriod: DurationSchema.optional(),
    autoRenew: z.boolean().default(false),
  }),
  z.strictObject({ kind: z.literal('consumable'), reorderEvery: DurationSchema }),
]));
export type ProductTerms = z.output<typeof ProductTermsSchema>;

export const PostSalesSchema = shareable(z
  .strictObject({
    /** The onboarding call is due this long after the account's first win (the task is raised at the win). */
    onboardingAfter: OffsetSchema.default({ ms: 7 * DAY }),
    /** A check-in this long after the last one (the first counted from the win). */
    checkInEvery: DurationSchema.default(90 * DAY),
    /** Per account tier, another check-in interval (`gold: { checkInEvery: 30d }`). */
    tiers: z.record(TierNameSchema, z.strictObject({ checkInEvery: DurationSchema })).default({}),
    /** The satisfaction check, counted from each win. */
    satisfactionAfter: DurationSchema.default(30 * DAY),
    /** Every post-sales task is due this long after it is raised, and escalates `escalateAfter` past due. */
    taskDue: OffsetSchema.default({ businessDays: 2 }),
    escalateAfter: OffsetSchema.default({ businessDays: 1 }),
    /** No contact with the customer for this long: a "going cold" task for the owner's manager. */
    goingColdAfter: DurationSchema.default(180 * DAY),
    renewal: z
      .strictObject({
        /** Reminders before a contract ends; the first also drafts the renewal quotation. */
        remindBefore: z.array(DurationSchema).min(1, 'give at least one reminder').default([90 * DAY, 30 * DAY]),
        /** Still undecided this long before the end: the owner's manager gets the renewal. */
        escalateBefore: DurationSchema.default(14 * DAY),
      })
      .default({ remindBefore: [90 * DAY, 30 * DAY], escalateBefore: 14 * DAY }),
    referral: z
      .strictObject({
        /** The owner asks for referrals this long after a win, once the customer is satisfied. */
        askAfter: DurationSchema.default(30 * DAY),
        /** The satisfaction score (1-5) that counts as satisfied. */
        minSatisfaction: z.number().int().min(1).max(5).default(4),
      })
      .default({ askAfter: 30 * DAY, minSatisfaction: 4 }),
    /** Products that live on after the sale: contracts, subscriptions, consumables. */
    products: z.record(ProductSchema, ProductTermsSchema).default({}),
  })
  .superRefine((p, ctx) => {
    p.renewal.remindBefore.forEach((before, i) => {
      if (before <= p.renewal.escalateBefore) {
        ctx.addIssue({ code: 'custom', path: ['renewal', 'remindBefore', i], message: 'a reminder must come before the escalation (longer than escalateBefore)' });
      }
    });
    for (const [product, terms] of Object.entries(p.products)) {
      if (terms.kind === 'consumable') continue;
      const earliest = Math.max(...p.renewal.remindBefore, terms.noticePeriod ?? 0);
      if (earliest >= terms.term) {
        ctx.addIssue({ code: 'custom', path: ['products', product, 'term'], message: `the term must be longer than the earliest renewal reminder or notice (${formatDuration(earliest)})` });
      }
    }
  }));
export type PostSalesInput = z.input<typeof PostSalesSchema>;
export type PostSales = z.output<typeof PostSalesSchema>;

export const DEFAULT_POST_SALES: PostSales = PostSalesSchema.parse({});

/** The post-sales policy of a definition: its own section, or the defaults. */
export function postSalesOf(process: { postSales?: PostSales }): PostSales {
  return process.postSales ?? DEFAULT_POST_SALES;
}

/** The check-in interval of an account's tier (the process's default for an unknown tier). */
export function checkInEvery(policy: PostSales, tier: string | undefined): number {
  return (tier !== undefined ? policy.tiers[tier]?.checkInEvery : undefined) ?? policy.checkInEvery;
}

/** Where the section holds durations, for the bare-number check of process files. */
export const POST_SALES_DURATIONS = ['onboardingAfter', 'checkInEvery', 'satisfactionAfter', 'taskDue', 'escalateAfter', 'goingColdAfter'] as const;

/** The section with durations as people write them (`process show`, the API). */
export function postSalesDocument(p: PostSales): unknown {
  const offset = (o: Offset) => formatOffset(o);
  return {
    ...p,
    onboardingAfter: offset(p.onboardingAfter),
    checkInEvery: formatDuration(p.checkInEvery),
    tiers: Object.fromEntries(Object.entries(p.tiers).map(([tier, t]) => [tier, { checkInEvery: formatDuration(t.checkInEvery) }])),
    satisfactionAfter: formatDuration(p.satisfactionAfter),
    taskDue: offset(p.taskDue),
    escalateAfter: offset(p.escalateAfter),
    goingColdAfter: formatDuration(p.goingColdAfter),
    renewal: { remindBefore: p.renewal.remindBefore.map(formatDuration), escalateBefore: formatDuration(p.renewal.escalateBefore) },
    referral: { ...p.referral, askAfter: formatDuration(p.referral.askAfter) },
    products: Object.fromEntries(
      Object.entries(p.products).map(([product, t]) => [
        product,
        t.kind === 'consumable'
          ? { kind: t.kind, reorderEvery: formatDuration(t.reorderEvery) }
          : { ...t, term: formatDuration(t.term), ...(t.noticePeriod !== undefined ? { noticePeriod: formatDuration(t.noticePeriod) } : {}) },
      ]),
    ),
  };
}
