import { z } from 'zod';
import { addOffset } from '../process/offset';
import { allReps, teamOf, type ProcessDefinition, type TaskKind } from '../process/process';
import { appLink, messageId, openLines } from '../pipeline/notifications';
import { isActiveTask, type ChangeRecord, type OutboundMail, type ProspectInfo, type ProspectInfoInput, type ProspectState, type RepTask } from '../pipeline/prospect';
import { formatTime, formatTimesIn } from '../shared/timeZone';
import { mailTimeZone } from '../process/process';
import { postSalesOf } from './postSales';
import { emptyProfile, type CustomerProfile } from './profile';
import { shareable } from '../shared/shareable';
import type { Channel, Direction } from '../pipeline/contact';

/**
 * A customer account after the sale: one long-lived `customer-<id>` workflow per company,
 * holding its deals, contracts, consumables, referrals, profile and post-sales tasks. The
 * rules here are pure; the workflow (workflows/customer/customer.ts) holds the timers.
 */

export const CustomerIdSchema = shareable(z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/, 'must be a customer id (lower-case letters, digits and "-")'));

const CUSTOMER_ID_PREFIX = 'customer-';

export function customerWorkflowId(id: string): string {
  return `${CUSTOMER_ID_PREFIX}${id}`;
}

export function customerIdOf(workflowId: string): string {
  return workflowId.startsWith(CUSTOMER_ID_PREFIX) ? workflowId.slice(CUSTOMER_ID_PREFIX.length) : workflowId;
}

/** `Customer Ltd.` → `customer-ltd`: the account a company's deals share. */
export function slugOf(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
}

/**
 * The account a won prospect belongs to: the one a repeat deal names, else its company's,
 * else (a private person) its own id.
 */
export function customerIdFor(info: Pick<ProspectInfo, 'id' | 'company' | 'customer'>): string {
  if (info.customer) return info.customer;
  const fromCompany = info.company ? slugOf(info.company) : '';
  return fromCompany || slugOf(info.id) || 'customer';
}

/** `referral:<customer>`: the source of a prospect a customer referred. */
export const REFERRAL_SOURCE_PREFIX = 'referral:';

export function referrerOf(source: string | undefined): string | undefined {
  if (!source?.startsWith(REFERRAL_SOURCE_PREFIX)) return undefined;
  const id = source.slice(REFERRAL_SOURCE_PREFIX.length);
  return CustomerIdSchema.safeParse(id).success ? id : undefined;
}

/** What a closed deal tells its account (and a referral's referrer): built from the prospect. */
export const DealClosedSchema = shareable(z.object({
  prospectId: z.string().min(1),
  customerId: CustomerIdSchema,
  outcome: z.enum(['won', 'lost']),
  at: z.string(),
  rep: z.string(),
  info: z.object({ name: z.string(), company: z.string().optional(), email: z.string().optional(), phone: z.string().optional(), source: z.string() }),
  lines: z.array(z.object({ product: z.string(), quantity: z.number(), netCents: z.number() })),
  netCents: z.number(),
  currency: z.string(),
  answers: z.record(z.string(), z.unknown()),
  /** Contact notes that carry #tags: what the customer values, in the rep's words. */
  notes: z.array(z.object({ at: z.string(), by: z.string(), text: z.string() })),
  /** Why the customer accepted or rejected, or why the deal was lost. */
  reason: z.string().optional(),
  /** The customer that referred this deal (source `referral:<id>`). */
  referredBy: z.string().optional(),
}));
export type DealClosed = z.infer<typeof DealClosedSchema>;

/** The report a prospect sends when it closes; undefined while it is open. */
export function dealClosedReport(state: ProspectState): DealClosed | undefined {
  if (state.stage !== 'won' && state.stage !== 'lost') return undefined;
  const quote = state.quotes[state.quotes.length - 1];
  const accepted = state.stage === 'won' ? quote : undefined;
  const tagged = state.contacts.filter((c) => /#[A-Za-z]/.test(c.note)).slice(-20);
  return {
    prospectId: state.info.id,
    customerId: customerIdFor(state.info),
    outcome: state.stage,
    at: state.closedAt ?? state.changes[state.changes.length - 1]?.at ?? state.createdAt,
    rep: state.info.rep,
    info: {
      name: state.info.name,
      ...(state.info.company ? { company: state.info.company } : {}),
      ...(state.info.email ? { email: state.info.email } : {}),
      ...(state.info.phone ? { phone: state.info.phone } : {}),
      source: state.info.source,
    },
    lines: (accepted?.lines ?? []).map((l) => ({ product: l.product, quantity: l.quantity, netCents: l.netCents })),
    netCents: accepted?.totals.netCents ?? 0,
    currency: quote?.currency ?? state.process.quotePolicy.currency,
    answers: state.qualification?.answers ?? {},
    notes: tagged.map((c) => ({ at: c.at, by: c.by, text: c.note })),
    ...(state.stage === 'won' ? (accepted?.reason ? { reason: accepted.reason } : {}) : state.lostReason ? { reason: state.lostReason } : {}),
    ...(referrerOf(state.info.source) ? { referredBy: referrerOf(state.info.source) } : {}),
  };
}

export interface CustomerContact {
  name: string;
  email?: string;
  phone?: string;
}

export interface CustomerInfo {
  id: string;
  name: string;
  /** The account owner: the rep who won the first deal. */
  owner: string;
  /** Decides the check-in interval when the process names tiers. */
  tier?: string;
  contacts: CustomerContact[];
  /** The customer that referred this one. */
  referredBy?: string;
}

export interface DealRecord {
  prospectId: string;
  kind: 'first' | 'repeat' | 'referral';
  status: 'open' | 'won' | 'lost';
  openedAt: string;
  closedAt?: string;
  netCents?: number;
  currency?: string;
  products?: string[];
  reason?: string;
  /** Why the deal was opened from the account (a support query, a reorder). */
  origin?: string;
}

export interface RenewalQuote {
  number: string;
  draftedAt: string;
  product: string;
  quantity: number;
  netCents: number;
  currency: string;
  /** The new term the quotation offers. */
  termStart: string;
  termEnd: string;
  status: 'draft' | 'accepted' | 'declined' | 'lapsed';
}

export interface TermRecord {
  term: number;
  start: string;
  end: string;
  outcome: 'renewed' | 'auto-renewed' | 'lapsed';
  at: string;
}

export interface ContractRecord {
  id: string;
  product: string;
  kind: 'contract' | 'subscription';
  quantity: number;
  /** Net value of one term. */
  valueCents: number;
  currency: string;
  prospectId: string;
  termMs: number;
  noticePeriodMs?: number;
  autoRenew: boolean;
  /** The current term's number (1 for the first). */
  term: number;
  start: string;
  end: string;
  status: 'active' | 'ending' | 'lapsed';
  /** Reminders sent for the current term: how long before the end each was. */
  remindedBefore: number[];
  escalatedAt?: string;
  renewalQuote?: RenewalQuote;
  /** The customer declined (the contract runs to its end, then lapses). */
  declined?: { at: string; by: string; reason: string };
  history: TermRecord[];
  /** Revenue lost when the contract lapsed: one term's value. */
  lostCents?: number;
}

export interface ConsumableRecord {
  product: string;
  quantity: number;
  everyMs: number;
  lastOrderAt: string;
  /** The last order a reorder reminder was raised for. */
  remindedFor?: string;
}

export interface ReferralRecord {
  prospectId: string;
  name: string;
  company?: string;
  at: string;
  by: string;
  status: 'open' | 'won' | 'lost';
  closedAt?: string;
  /** Credited to this customer when the referred deal was won. */
  creditedAt?: string;
  netCents?: number;
  currency?: string;
}

export interface SupportCase {
  id: string;
  topic: string;
  question: string;
  product?: string;
  openedAt: string;
  openedBy: string;
  taskId: string;
  /** What the profile suggests: repair (keeps equipment running), a replacement quote, or an answer. */
  suggestion: 'repair' | 'replace' | 'answer';
  why: string;
  answeredAt?: string;
  answer?: string;
  outcome?: 'answered' | 'repair' | 'new_deal';
  /** The repair task or the new deal the answer became. */
  followUp?: string;
}

/** A prospect the account asked to be started (a repeat deal, a referral); the workflow starts it. */
export interface PendingStart {
  info: ProspectInfoInput;
  requestedAt: string;
}

export interface Cadence {
  firstWonAt: string;
  onboardingRaised: boolean;
  /** Check-ins are counted from here (the win, then each check-in raised). */
  lastCheckInAt: string;
  satisfactionDueAt?: string;
  /** When the referral ask falls due (once the customer is satisfied). */
  referralAskAt?: string;
  lastContactAt: string;
  /** The last contact a going-cold task was raised for (one per silence). */
  coldRaisedFor?: string;
  satisfaction?: { at: string; score: number; note?: string; by: string };
}

export interface CustomerState {
  info: CustomerInfo;
  process: ProcessDefinition;
  createdAt: string;
  deals: DealRecord[];
  contracts: ContractRecord[];
  consumables: ConsumableRecord[];
  referrals: ReferralRecord[];
  profile: CustomerProfile;
  supportCases: SupportCase[];
  cadence: Cadence;
  tasks: RepTask[];
  outbox: OutboundMail[];
  pendingStarts: PendingStart[];
  changes: ChangeRecord[];
  nextTaskNo: number;
  nextContractNo: number;
  /** Revenue lost to lapsed contracts, in cents. */
  lostRevenueCents: number;
  migrations?: { at: string; from: number; to: number; by: string }[];
  /** Change records dropped from the window (see keepRecentChanges). */
  archivedChanges?: number;
  /**
   * The contacts people logged with the account (`customer contact`), the latest
   * CONTACT_LOG_WINDOW of them, for the activity report; absent on accounts that logged none
   * since it was kept (their earlier contacts live on only as profile notes and history).
   */
  contactLog?: AccountContact[];
  /** Contacts dropped from the window: the next one's number in the read model counts them. */
  archivedContacts?: number;
}

/** One logged contact with an account: who logged it, when, over which channel, which way. */
export interface AccountContact {
  at: string;
  by: string;
  channel: Channel;
  direction: Direction;
}

/** How many logged contacts an account keeps in its state (as a prospect keeps 500 records). */
export const CONTACT_LOG_WINDOW = 500;

/** The account with one more logged contact, the oldest beyond the window archived. */
export function withLoggedContact(state: CustomerState, contact: AccountContact): CustomerState {
  const log = [...(state.contactLog ?? []), contact];
  const drop = Math.max(log.length - CONTACT_LOG_WINDOW, 0);
  return { ...state, contactLog: log.slice(drop), ...(drop > 0 ? { archivedContacts: (state.archivedContacts ?? 0) + drop } : {}) };
}

/** What the workflow is started with: who the account is and the process it runs. */
export interface NewCustomer {
  id: string;
  name: string;
  owner: string;
  process: ProcessDefinition;
  referredBy?: string;
}

export function newCustomer(input: NewCustomer, now: string): CustomerState {
  return {
    info: { id: input.id, name: input.name, owner: input.owner, contacts: [], ...(input.referredBy ? { referredBy: input.referredBy } : {}) },
    process: input.process,
    createdAt: now,
    deals: [],
    contracts: [],
    consumables: [],
    referrals: [],
    profile: emptyProfile(),
    supportCases: [],
    cadence: { firstWonAt: now, onboardingRaised: false, lastCheckInAt: now, lastContactAt: now },
    tasks: [],
    outbox: [],
    pendingStarts: [],
    changes: [{ at: now, by: 'system', what: `account created, owned by ${input.owner}` }],
    nextTaskNo: 1,
    nextContractNo: 1,
    lostRevenueCents: 0,
  };
}

/** The record window a workflow keeps (continue-as-new carries it): older entries are counted, not kept. */
const KEEP_CHANGES = 300;

export function keepRecentChanges(state: CustomerState): CustomerState {
  if (state.changes.length <= KEEP_CHANGES) return state;
  const drop = state.changes.length - KEEP_CHANGES;
  return { ...state, changes: state.changes.slice(drop), archivedChanges: (state.archivedChanges ?? 0) + drop };
}

export function logChange(state: CustomerState, at: string, by: string, what: string): ChangeRecord[] {
  return [...state.changes, { at, by, what }];
}

/**
 * Closes the account's active tasks that `match` picks, the system closing them because what
 * they asked for happened (a renewal decided, a query answered, a referral given), and says
 * so in the history, as a rep's completion does: otherwise they left Open tasks without a word.
 * Callers close before they log the command's own line, which stays the last (the CLI and
 * the API answer a command with its last line).
 */
export function closeTasksLogged(
  state: CustomerState,
  match: (t: CustomerState['tasks'][number]) => boolean,
  outcome: string,
  now: string,
  as: 'done' | 'cancelled' = 'done',
): Pick<CustomerState, 'tasks' | 'changes'> {
  let changes = state.changes;
  const tasks = state.tasks.map((t) => {
    if (!isActiveTask(t) || !match(t)) return t;
    changes = [...changes, { at: now, by: 'system', what: `${as === 'done' ? 'closed' : 'cancelled'} task ${t.id} (${t.title}): ${outcome}` }];
    return { ...t, state: as, doneAt: now, outcome, synced: undefined };
  });
  return { tasks, changes };
}

/** A person of the process by id: a rep or a manager. */
export function personOf(process: ProcessDefinition, id: string): { id: string; email: string; name?: string } | undefined {
  return allReps(process).find((r) => r.id === id) ?? process.teams.find((t) => t.manager.id === id)?.manager;
}

/** The owner's manager, who hears of going-cold accounts and undecided renewals. */
export function managerOf(state: CustomerState): string {
  return teamOf(state.process, state.info.owner)?.manager.id ?? state.info.owner;
}

export interface NewCustomerTask {
  kind: TaskKind;
  title: string;
  /** The owner unless given (the manager, the support desk). */
  rep?: string;
  ref?: string;
  /** When it is due, if not the process's post-sales SLA from now (the onboarding call). */
  dueAt?: string;
}

/**
 * A post-sales task, due by the process's post-sales SLA and escalating as any task does
 * (its own `task-<id>` workflow). Ids are `<customer>-C<n>`, apart from prospects' `-T<n>`.
 */
export function addCustomerTask(state: CustomerState, task: NewCustomerTask, now: string): CustomerState {
  const policy = postSalesOf(state.process);
  const dueAt = task.dueAt ?? addOffset(now, policy.taskDue);
  const record: RepTask = {
    id: `${state.info.id}-C${state.nextTaskNo}`,
    kind: task.kind,
    title: task.title,
    rep: task.rep ?? state.info.owner,
    dueAt,
    escalateAt: addOffset(dueAt, policy.escalateAfter),
    state: 'open',
    createdAt: now,
    ...(task.ref ? { ref: task.ref } : {}),
  };
  const mail = customerTaskMail(state, record);
  return {
    ...state,
    tasks: [...state.tasks, record],
    nextTaskNo: state.nextTaskNo + 1,
    outbox: mail ? [...state.outbox, mail] : state.outbox,
    changes: logChange(state, now, 'system', `task ${record.id} for ${record.rep}: ${record.title} (due ${record.dueAt})`),
  };
}

function customerTaskMail(state: CustomerState, task: RepTask): OutboundMail | undefined {
  const to = personOf(state.process, task.rep)?.email;
  if (!to) return undefined;
  const zone = mailTimeZone(state.process);
  return {
    messageId: messageId(customerWorkflowId(state.info.id), `task-${task.id}`),
    to,
    subject: `New task: ${formatTimesIn(task.title, zone)}`,
    text: [
      formatTimesIn(task.title, zone),
      '',
      `Customer: ${state.info.name} (${state.info.id})`,
      `Due: ${formatTime(task.dueAt, zone)}`,
      `Task id: ${task.id}`,
      '',
      ...openLines(appLink('customers', state.info.id), `salesflow customer show ${state.info.id}`),
    ].join('\n'),
  };
}

/** Active (not done or cancelled) tasks of a kind, for "one at a time" rules. */
export function openTasksOf(state: CustomerState, kind: TaskKind, ref?: string): RepTask[] {
  return state.tasks.filter((t) => t.kind === kind && (ref === undefined || t.ref === ref) && (t.state === 'open' || t.state === 'overdue' || t.state === 'escalated'));
}
