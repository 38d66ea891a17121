import { z } from 'zod';
import { ChannelSchema, DirectionSchema, IsoTimeSchema } from '../pipeline/contact';
import { ProductSchema } from '../pipeline/inquiry';
import { newProspect } from '../pipeline/lifecycle';
import { ProspectIdSchema, isActiveTask, type ProspectInfoInput } from '../pipeline/prospect';
import { PersonIdSchema, findRep, processDefinitionSchema, type ProcessDefinition } from '../process/process';
import { DomainError, fieldRefusal, parseOrThrow } from '../shared/errors';
import { multiLineText, singleLineText } from '../shared/text';
import { TaskChangeSchema, isStaleTaskChange } from '../tasks/tasks';
import { REFERRAL_SOURCE_PREFIX, addCustomerTask, customerWorkflowId, closeTasksLogged, logChange, personOf, withLoggedContact, type CustomerState, type SupportCase } from './customer';
import { appLink, messageId, openLines } from '../pipeline/notifications';
import type { OutboundMail } from '../pipeline/prospect';
import { TierNameSchema, postSalesOf } from './postSales';
import { SUGGESTION_WORDS, SUPPORT_OUTCOME_WORDS } from './labels';
import { captureNote, changeProfile, suggestionFor } from './profile';
import { renewTerm } from './schedule';
import { shareable, emailSchema } from '../shared/shareable';

/**
 * What a person can tell a customer account. Each is an update of the `customer-<id>`
 * workflow whose validator runs the same function on a throwaway state, so a refusal
 * leaves no trace; the CLI, the HTTP API and the workflow share these schemas.
 */

const By = singleLineText(100).min(1, 'must name who gives the command').default('unknown');
const Note = multiLineText(4000).default('');
const Name = singleLineText(200).min(1, 'must not be empty');

export const CustomerLogContactSchema = shareable(z.object({
  channel: ChannelSchema,
  direction: DirectionSchema.default('outbound'),
  /** `#repair-over-replace` and other #tags become preferences on the profile. */
  note: Note,
  at: IsoTimeSchema.optional(),
  by: By,
}));

export const SatisfactionSchema = shareable(z.object({ score: z.number().int('must be a whole number').min(1, 'must be 1 to 5').max(5, 'must be 1 to 5'), note: Note, by: By }));

export const DecisionMakerSchema = shareable(z.object({ name: Name, role: singleLineText(100).optional(), email: emailSchema('must be an email address').optional() }));

export const ChangeProfileSchema = shareable(z
  .object({
    addPreferences: z.array(singleLineText(100).min(1)).max(20).optional(),
    removePreferences: z.array(singleLineText(100).min(1)).max(20).optional(),
    decisionMakers: z.array(DecisionMakerSchema).max(20).optional(),
    serviceLevel: singleLineText(100).min(1).optional(),
    tier: TierNameSchema.optional(),
    note: multiLineText(4000).min(1).optional(),
    by: By,
  })
  .refine((c) => Object.keys(c).some((k) => k !== 'by'), { message: 'a profile change needs a preference, decision maker, service level, tier or note' }));

/** The people fields of a new prospect made from the account (a repeat deal, a referral). */
const ProspectPersonShape = {
  /** The new prospect's id; one is made up from the account when absent. */
  id: ProspectIdSchema.optional(),
  name: Name,
  email: emailSchema('must be an email address').optional(),
  phone: singleLineText(50).optional(),
  /** The rep who works it; the account owner by default. */
  rep: PersonIdSchema.optional(),
  note: Note,
  by: By,
};

export const OpenDealSchema = shareable(z.object({ ...ProspectPersonShape, name: Name.optional() }));
export const AddReferralSchema = shareable(z.object({ ...ProspectPersonShape, company: singleLineText(200).min(1).optional() }));
export const RenewContractSchema = shareable(z.object({ contractId: z.string().min(1), note: Note, by: By }));
export const DeclineRenewalSchema = shareable(z.object({ contractId: z.string().min(1), reason: multiLineText(1000).min(1, 'a reason is required'), by: By }));
export const RecordOrderSchema = shareable(z.object({ product: ProductSchema, quantity: z.number().int().positive().optional(), at: IsoTimeSchema.optional(), by: By }));
export const CustomerSupportQuerySchema = shareable(z.object({
  topic: singleLineText(200).min(1, 'a topic is required'),
  question: multiLineText(4000).min(1, 'a question is required'),
  /** The product the query is about, for the profile's suggestion. */
  product: ProductSchema.optional(),
  by: By,
}));
export const CustomerSupportAnswerSchema = shareable(z.object({
  queryId: z.string().min(1),
  answer: multiLineText(4000).min(1, 'an answer is required'),
  /** answered: that is all; repair: a repair task for the owner; new_deal: a replacement deal. */
  outcome: z.enum(['answered', 'repair', 'new_deal']).default('answered'),
  by: By,
}));
export const CustomerMigrateSchema = shareable(z.object({
  process: z.unknown(),
  /**
   * As for prospects: an owner (or task rep) who is not in the new version hands the
   * account and its open tasks to `to`, a rep of the new version, in the same step.
   */
  reassign: z.object({ from: PersonIdSchema, to: PersonIdSchema }).optional(),
  by: By,
}));

export type CustomerLogContact = z.input<typeof CustomerLogContactSchema>;
export type Satisfaction = z.input<typeof SatisfactionSchema>;
export type ChangeProfile = z.input<typeof ChangeProfileSchema>;
export type OpenDeal = z.input<typeof OpenDealSchema>;
export type AddReferral = z.input<typeof AddReferralSchema>;
export type RenewContract = z.input<typeof RenewContractSchema>;
export type DeclineRenewal = z.input<typeof DeclineRenewalSchema>;
export type RecordOrder = z.input<typeof RecordOrderSchema>;
export type CustomerSupportQuery = z.input<typeof CustomerSupportQuerySchema>;
export type CustomerSupportAnswer = z.input<typeof CustomerSupportAnswerSchema>;
export type CustomerMigrate = z.input<typeof CustomerMigrateSchema>;

export function logCustomerContact(state: CustomerState, raw: unknown, now: string): CustomerState {
  const cmd = parseOrThrow(CustomerLogContactSchema, raw, 'contact');
  const at = cmd.at ?? now;
  if (Date.parse(at) > Date.parse(now) + 60_000) throw fieldRefusal('contact', ['at'], `${at} is in the future; log contacts that happened`);
  const latest = Date.parse(at) > Date.parse(state.cadence.lastContactAt) ? at : state.cadence.lastContactAt;
  return {
    ...withLoggedContact(state, { at, by: cmd.by, channel: cmd.channel, direction: cmd.direction }),
    cadence: { ...state.cadence, lastContactAt: latest },
    profile: captureNote(state.profile, { at, by: cmd.by, text: cmd.note, source: `${cmd.direction} ${cmd.channel}` }),
    changes: logChange(state, now, cmd.by, `logged ${cmd.direction} ${cmd.channel}${cmd.note ? `: ${cmd.note}` : ''}`),
  };
}

export function recordSatisfaction(state: CustomerState, raw: unknown, now: string): CustomerState {
  const cmd = parseOrThrow(SatisfactionSchema, raw, 'satisfaction');
  // The tasks this settles first: the command's own line stays the last (the CLI prints it).
  const closed: CustomerState = { ...state, ...closeTasksLogged(state, (t) => t.kind === 'satisfaction', `satisfaction ${cmd.score}/5`, now) };
  return {
    ...closed,
    cadence: { ...state.cadence, satisfaction: { at: now, score: cmd.score, ...(cmd.note ? { note: cmd.note } : {}), by: cmd.by }, lastContactAt: now },
    profile: cmd.note ? captureNote(state.profile, { at: now, by: cmd.by, text: cmd.note, source: 'satisfaction check' }) : state.profile,
    changes: logChange(closed, now, cmd.by, `satisfaction ${cmd.score}/5${cmd.note ? `: ${cmd.note}` : ''}`),
  };
}

export function updateProfile(state: CustomerState, raw: unknown, now: string): CustomerState {
  const cmd = parseOrThrow(ChangeProfileSchema, raw, 'profile change');
  const tiers = Object.keys(postSalesOf(state.process).tiers);
  if (cmd.tier !== undefined && !tiers.includes(cmd.tier)) {
    throw fieldRefusal('profile change', ['tier'], `process "${state.process.name}" v${state.process.version} has no tier "${cmd.tier}" (tiers: ${tiers.join(', ') || 'none'})`);
  }
  const what = [
    cmd.addPreferences?.length ? `prefers ${cmd.addPreferences.join(', ')}` : '',
    cmd.removePreferences?.length ? `no longer ${cmd.removePreferences.join(', ')}` : '',
    cmd.decisionMakers?.length ? `decision makers ${cmd.decisionMakers.map((d) => d.name).join(', ')}` : '',
    cmd.serviceLevel ? `service level ${cmd.serviceLevel}` : '',
    cmd.tier ? `tier ${cmd.tier}` : '',
    cmd.note ? 'a note' : '',
  ].filter(Boolean);
  return {
    ...state,
    info: cmd.tier !== undefined ? { ...state.info, tier: cmd.tier } : state.info,
    profile: changeProfile(state.profile, cmd, now, cmd.by),
    changes: logChange(state, now, cmd.by, `profile: ${what.join('; ')}`),
  };
}

/** A new id for a prospect made from the account: `<customer>-d2`, `<customer>-r1`. */
function madeUpId(state: CustomerState, letter: 'd' | 'r'): string {
  const taken = new Set([...state.deals.map((d) => d.prospectId), ...state.referrals.map((r) => r.prospectId), ...state.pendingStarts.map((p) => p.info.id)]);
  for (let n = 1; ; n++) {
    const id = `${state.info.id}-${letter}${n}`;
    if (!taken.has(id)) return id;
  }
}

function requireNewProspectId(state: CustomerState, id: string): void {
  if (state.deals.some((d) => d.prospectId === id) || state.referrals.some((r) => r.prospectId === id)) {
    throw fieldRefusal('deal', ['id'], `${id} is already a deal or referral of ${state.info.id}`);
  }
}

/** Validates the new prospect as `salesflow create` would (its rep in the process, its fields). */
function checkedProspect(state: CustomerState, info: ProspectInfoInput, now: string): ProspectInfoInput {
  newProspect(info, state.process, now);
  return info;
}

/**
 * A repeat deal (repeat business, an upsell) for this account: a new prospect, linked to the
 * account (`customer`), worked by the owner unless another rep is named. The workflow
 * starts it; its win is booked here.
 */
export function openDeal(state: CustomerState, raw: unknown, now: string, origin?: string): CustomerState {
  const cmd = parseOrThrow(OpenDealSchema, raw, 'deal');
  const id = cmd.id ?? madeUpId(state, 'd');
  requireNewProspectId(state, id);
  const contact = state.info.contacts[0];
  const info = checkedProspect(
    state,
    {
      id,
      name: cmd.name ?? contact?.name ?? state.info.name,
      company: state.info.name,
      ...((cmd.email ?? (cmd.name ? undefined : contact?.email)) ? { email: cmd.email ?? contact?.email } : {}),
      ...(cmd.phone ? { phone: cmd.phone } : {}),
      rep: cmd.rep ?? state.info.owner,
      source: `repeat:${state.info.id}`,
      customer: state.info.id,
      // Why it was opened goes with it: the rep working the prospect sees it in its history.
      // (On one line: a prospect's origin is single-line text, a deal's note may have several.)
      origin: [`opened from customer ${state.info.id}`, origin, cmd.note].filter(Boolean).join(': ').replace(/\s+/g, ' ').slice(0, 400),
    },
    now,
  );
  return {
    ...state,
    deals: [...state.deals, { prospectId: id, kind: 'repeat', status: 'open', openedAt: now, ...(origin ? { origin } : cmd.note ? { origin: cmd.note } : {}) }],
    pendingStarts: [...state.pendingStarts, { info, requestedAt: now }],
    changes: logChange(state, now, cmd.by, `opened repeat deal ${id} for ${info.rep}${origin ? ` (${origin})` : ''}`),
  };
}

/** A prospect this customer referred: source `referral:<customer>`, credited here when won. */
export function addReferral(state: CustomerState, raw: unknown, now: string): CustomerState {
  const cmd = parseOrThrow(AddReferralSchema, raw, 'referral');
  const id = cmd.id ?? madeUpId(state, 'r');
  requireNewProspectId(state, id);
  const info = checkedProspect(
    state,
    {
      id,
      name: cmd.name,
      ...(cmd.company ? { company: cmd.company } : {}),
      ...(cmd.email ? { email: cmd.email } : {}),
      ...(cmd.phone ? { phone: cmd.phone } : {}),
      rep: cmd.rep ?? state.info.owner,
      source: `${REFERRAL_SOURCE_PREFIX}${state.info.id}`,
    },
    now,
  );
  const who = cmd.company ? `${cmd.name} (${cmd.company})` : cmd.name;
  // They referred someone already: no task to ask them.
  const { referralAskAt: _asked, ...cadence } = state.cadence;
  void _asked;
  // The tasks this settles first: the command's own line stays the last (the CLI prints it).
  const closed: CustomerState = { ...state, ...closeTasksLogged(state, (t) => t.kind === 'referral' && t.ref === undefined, `referred ${id}`, now) };
  return {
    ...closed,
    cadence,
    referrals: [...state.referrals, { prospectId: id, name: cmd.name, ...(cmd.company ? { company: cmd.company } : {}), at: now, by: cmd.by, status: 'open' }],
    pendingStarts: [...state.pendingStarts, { info, requestedAt: now }],
    profile: cmd.note ? captureNote(state.profile, { at: now, by: cmd.by, text: cmd.note, source: `referral ${id}` }) : state.profile,
    changes: logChange(closed, now, cmd.by, `referred ${who}: prospect ${id} for ${info.rep}`),
  };
}

function activeContract(state: CustomerState, contractId: string, action: string, now: string) {
  const k = state.contracts.find((c) => c.id === contractId);
  if (!k) throw fieldRefusal(action, ['contractId'], `no contract ${contractId} on ${state.info.id} (contracts: ${state.contracts.map((c) => c.id).join(', ') || 'none'})`);
  if (k.status === 'lapsed') throw new DomainError(`cannot ${action}: ${k.id} lapsed at ${k.end}`);
  if (Date.parse(now) >= Date.parse(k.end)) throw new DomainError(`cannot ${action}: ${k.id}'s term ended at ${k.end}`);
  return k;
}

/** The customer accepted the renewal: the next term runs from the current end. */
export function renewContract(state: CustomerState, raw: unknown, now: string): CustomerState {
  const cmd = parseOrThrow(RenewContractSchema, raw, 'renewal');
  const k = activeContract(state, cmd.contractId, 'renew', now);
  const renewed = renewTerm(state, k, 'renewed', now, cmd.by);
  return { ...renewed, cadence: { ...renewed.cadence, lastContactAt: now } };
}

/**
 * Today's rule for a renewal, which the account's validator checks (an update it accepted
 * before the rule replays as it ran): a term renewed in advance is not renewed again before it
 * has begun, so a second click or a repeated command does not sell one term more.
 */
export function refuseRenewalAhead(state: CustomerState, raw: unknown, now: string): void {
  const cmd = RenewContractSchema.safeParse(raw);
  if (!cmd.success) return;
  const k = state.contracts.find((c) => c.id === cmd.data.contractId);
  if (k && Date.parse(k.start) > Date.parse(now)) {
    throw fieldRefusal('renewal', ['contractId'], `${k.id} is already renewed: term ${k.term} runs from ${k.start} to ${k.end}; renew it again once that term has begun`);
  }
}

export function declineRenewal(state: CustomerState, raw: unknown, now: string): CustomerState {
  const cmd = parseOrThrow(DeclineRenewalSchema, raw, 'decline');
  const k = activeContract(state, cmd.contractId, 'decline the renewal', now);
  if (k.declined) throw new DomainError(`${k.id}'s renewal was already declined at ${k.declined.at}`);
  if (k.autoRenew && k.noticePeriodMs !== undefined && Date.parse(now) > Date.parse(k.end) - k.noticePeriodMs) {
    throw new DomainError(`cannot decline ${k.id}: its notice period ended at ${new Date(Date.parse(k.end) - k.noticePeriodMs).toISOString()}; it renews at ${k.end}`);
  }
  // The tasks this settles first: the command's own line stays the last (the CLI prints it).
  const closed: CustomerState = { ...state, ...closeTasksLogged(state, (t) => t.kind === 'renewal' && t.ref === k.id, 'declined', now) };
  return {
    ...closed,
    contracts: state.contracts.map((c) => (c.id === k.id ? { ...c, status: 'ending' as const, declined: { at: now, by: cmd.by, reason: cmd.reason } } : c)),
    profile: captureNote(state.profile, { at: now, by: cmd.by, text: cmd.reason, source: `renewal of ${k.id} declined` }),
    changes: logChange(closed, now, cmd.by, `${k.id}: renewal declined (${cmd.reason}); it ends ${k.end}`),
  };
}

/** The customer reordered a consumable: its reorder clock starts again. */
export function recordOrder(state: CustomerState, raw: unknown, now: string): CustomerState {
  const cmd = parseOrThrow(RecordOrderSchema, raw, 'order');
  const item = state.consumables.find((c) => c.product === cmd.product);
  if (!item) throw fieldRefusal('order', ['product'], `${cmd.product} is not a consumable of ${state.info.id} (consumables: ${state.consumables.map((c) => c.product).join(', ') || 'none'})`);
  const at = cmd.at ?? now;
  // The tasks this settles first: the command's own line stays the last (the CLI prints it).
  const closed: CustomerState = { ...state, ...closeTasksLogged(state, (t) => t.kind === 'reorder' && t.ref === item.product, 'reordered', now) };
  return {
    ...closed,
    consumables: state.consumables.map((c) => (c === item ? { product: c.product, quantity: cmd.quantity ?? c.quantity, everyMs: c.everyMs, lastOrderAt: at } : c)),
    cadence: { ...state.cadence, lastContactAt: now },
    changes: logChange(closed, now, cmd.by, `reordered ${cmd.quantity ?? item.quantity} x ${item.product}`),
  };
}

/** The support desk's rep for a query: spread over the process's support team; the owner without one. */
function supportRep(state: CustomerState, n: number): string {
  const policy = state.process.support;
  const team = policy ? state.process.teams.find((t) => t.name === policy.team) : undefined;
  if (!team) return state.info.owner;
  return team.reps[(n - 1) % team.reps.length]!.id;
}

/**
 * A customer's telephone query after the sale: recorded with what the profile suggests
 * (repair or replace), and a support task. The caller shows the profile with it.
 */
export function openCustomerSupportQuery(state: CustomerState, raw: unknown, now: string): CustomerState {
  const cmd = parseOrThrow(CustomerSupportQuerySchema, raw, 'support query');
  const n = state.supportCases.length + 1;
  const id = `${state.info.id}-S${n}`;
  const rep = supportRep(state, n);
  const { suggestion, why } = suggestionFor(state.profile, cmd.product);
  const withTask = addCustomerTask(state, { kind: 'support', title: `Answer ${state.info.name}'s query: ${cmd.topic} (suggested: ${SUGGESTION_WORDS[suggestion]})`, rep, ref: id }, now);
  const query: SupportCase = {
    id,
    topic: cmd.topic,
    question: cmd.question,
    ...(cmd.product ? { product: cmd.product } : {}),
    openedAt: now,
    openedBy: cmd.by,
    taskId: withTask.tasks[withTask.tasks.length - 1]!.id,
    suggestion,
    why,
  };
  return {
    ...withTask,
    supportCases: [...state.supportCases, query],
    cadence: { ...withTask.cadence, lastContactAt: now },
    changes: logChange(withTask, now, cmd.by, `support query ${id} (${cmd.topic}) for ${rep}; the profile suggests ${SUGGESTION_WORDS[suggestion]}: ${why}`),
  };
}

export function answerCustomerSupportQuery(state: CustomerState, raw: unknown, now: string): CustomerState {
  const cmd = parseOrThrow(CustomerSupportAnswerSchema, raw, 'support answer');
  const query = state.supportCases.find((q) => q.id === cmd.queryId);
  if (!query) throw fieldRefusal('support answer', ['queryId'], `no support query ${cmd.queryId} on ${state.info.id}`);
  if (query.answeredAt) throw new DomainError(`query ${query.id} was already answered at ${query.answeredAt}`);
  let next: CustomerState = { ...state, ...closeTasksLogged(state, (t) => t.id === query.taskId, `answered: ${SUPPORT_OUTCOME_WORDS[cmd.outcome]}`, now) };
  let followUp: string | undefined;
  if (cmd.outcome === 'repair') {
    next = addCustomerTask(next, { kind: 'repair', title: `Repair ${query.product ?? 'the equipment'} for ${state.info.name}: ${query.topic}`, ref: query.id }, now);
    followUp = next.tasks[next.tasks.length - 1]!.id;
  } else if (cmd.outcome === 'new_deal') {
    next = openDeal(next, { note: `replacement for ${query.product ?? query.topic}`, by: cmd.by }, now, `support query ${query.id}`);
    followUp = next.deals[next.deals.length - 1]!.prospectId;
  }
  return {
    ...next,
    supportCases: next.supportCases.map((q) => (q.id === query.id ? { ...q, answeredAt: now, answer: cmd.answer, outcome: cmd.outcome, ...(followUp ? { followUp } : {}) } : q)),
    changes: logChange(next, now, cmd.by, `answered support query ${query.id}: ${SUPPORT_OUTCOME_WORDS[cmd.outcome]}${followUp ? ` (${followUp})` : ''}`),
  };
}

/** Moves the account to a newer version of its process, as ops migrate prospects. */
export function migrateCustomer(state: CustomerState, raw: unknown, now: string): CustomerState {
  const cmd = parseOrThrow(CustomerMigrateSchema, raw, 'migration');
  const target = parseOrThrow(processDefinitionSchema('current'), cmd.process, 'process definition');
  const current = state.process;
  if (target.name !== current.name) throw new DomainError(`cannot migrate ${state.info.id}: it runs process "${current.name}", not "${target.name}"`);
  if (target.version <= current.version) throw new DomainError(`cannot migrate ${state.info.id}: it is on version ${current.version}, not older than ${target.version}`);
  state = cmd.reassign ? handOverDeparted(state, cmd.reassign, target, now, cmd.by) : state;
  if (!findRep(target, state.info.owner)) throw new DomainError(`cannot migrate ${state.info.id}: its owner "${state.info.owner}" is not a rep of version ${target.version}`);
  const stranded = state.tasks.find((t) => isActiveTask(t) && !personOf(target, t.rep));
  if (stranded) throw new DomainError(`cannot migrate ${state.info.id}: its open task ${stranded.id} belongs to "${stranded.rep}", who is not in version ${target.version}`);
  return {
    ...state,
    process: target,
    migrations: [...(state.migrations ?? []), { at: now, from: current.version, to: target.version, by: cmd.by }],
    changes: logChange(state, now, cmd.by, `migrated from ${current.name} v${current.version} to v${target.version}`),
  };
}

/**
 * For a migration with `reassign`: when `from` is not in the target version, the account
 * (if they own it) and their open tasks go to `to`; the tasks' workflows learn their new
 * rep when the account next syncs them (the rep is part of what it compares), and `to` is
 * mailed. Nothing happens when `from` stays in the target version or holds nothing here.
 */
function handOverDeparted(state: CustomerState, r: { from: string; to: string }, target: ProcessDefinition, now: string, by: string): CustomerState {
  if (findRep(target, r.from)) return state;
  const moving = state.tasks.filter((t) => isActiveTask(t) && t.rep === r.from);
  if (state.info.owner !== r.from && moving.length === 0) return state;
  const rep = findRep(target, r.to);
  if (!rep) throw fieldRefusal('migration', ['reassign', 'to'], `"${r.to}" is not a rep of process "${target.name}" v${target.version}`);
  const info = state.info.owner === r.from ? { ...state.info, owner: r.to } : state.info;
  const tasks = state.tasks.map((t) => (isActiveTask(t) && t.rep === r.from ? { ...t, rep: r.to } : t));
  const changes = logChange(state, now, by, `handed over from ${r.from} to ${r.to}${moving.length ? ` with task(s) ${moving.map((t) => t.id).join(', ')}` : ''}: ${r.from} is not in ${target.name} v${target.version}`);
  const changeNo = (state.archivedChanges ?? 0) + changes.length;
  const mail: OutboundMail = {
    // One mail per hand-over: the record's length keeps a later one distinct.
    messageId: messageId(customerWorkflowId(state.info.id), `reassigned-${changeNo}`),
    to: rep.email,
    subject: `Customer handed over to you: ${state.info.name} (${state.info.id})`,
    text: [
      `${state.info.name} (${state.info.id}) ${info.owner === r.to ? 'is now your account' : 'has open tasks now yours'}; it was ${r.from}'s, who is not in ${target.name} v${target.version}.`,
      '',
      ...(moving.length > 0 ? ['Open tasks now yours:', ...moving.map((t) => `  ${t.id}  ${t.title}`)] : ['No open tasks came with it.']),
      '',
      ...openLines(appLink('customers', state.info.id), `salesflow customer show ${state.info.id}`),
    ].join('\n'),
  };
  return { ...state, info, tasks, changes, outbox: [...state.outbox, mail] };
}

/** Every command an account accepts, by its update's name. */
export const CUSTOMER_COMMANDS = {
  logContact: logCustomerContact,
  recordSatisfaction,
  changeProfile: updateProfile,
  openDeal: (s: CustomerState, raw: unknown, now: string) => openDeal(s, raw, now),
  addReferral,
  renewContract,
  declineRenewal,
  recordOrder,
  openSupportQuery: openCustomerSupportQuery,
  answerSupportQuery: answerCustomerSupportQuery,
  migrateProcess: migrateCustomer,
} as const;
export type CustomerCommandName = keyof typeof CUSTOMER_COMMANDS;

/** Task kinds whose completion is a contact with the customer. */
const CONTACT_KINDS = new Set(['onboarding', 'check_in', 'satisfaction', 'referral', 'renewal', 'reorder', 'repair', 'support']);

/** A task workflow's report about one of the account's tasks. */
export function applyCustomerTaskChange(state: CustomerState, raw: unknown): CustomerState {
  const parsed = TaskChangeSchema.safeParse(raw);
  if (!parsed.success) return state;
  const change = parsed.data;
  const task = state.tasks.find((t) => t.id === change.taskId);
  if (!task || !isActiveTask(task) || task.state === change.state || isStaleTaskChange(task, change)) return state;
  const closed = change.state === 'done' || change.state === 'cancelled';
  const key = `${change.state}|${task.dueAt}|${task.rep}`;
  const late = change.state === 'overdue' || change.state === 'escalated' ? { lateness: [...(task.lateness ?? []), { kind: change.state, rep: task.rep, at: change.at }] } : {};
  const updated = { ...task, state: change.state, synced: key, ...(closed ? { doneAt: change.at } : {}), ...(change.outcome ? { outcome: change.outcome } : {}), ...(change.note ? { note: change.note } : {}), ...late };
  const contact = change.state === 'done' && CONTACT_KINDS.has(task.kind) && task.rep === state.info.owner;
  const what = change.state === 'done' ? `completed task ${task.id}: ${change.outcome ?? ''}` : change.state === 'escalated' ? `task ${task.id} escalated to ${change.notified ?? 'the manager'}` : `task ${task.id} is ${change.state}`;
  return {
    ...state,
    tasks: state.tasks.map((t) => (t.id === task.id ? updated : t)),
    cadence: contact && Date.parse(change.at) > Date.parse(state.cadence.lastContactAt) ? { ...state.cadence, lastContactAt: change.at } : state.cadence,
    profile: change.state === 'done' && change.note ? captureNote(state.profile, { at: change.at, by: change.by ?? task.rep, text: change.note, source: `task ${task.id}` }) : state.profile,
    changes: logChange(state, change.at, change.by ?? 'system', what),
  };
}
