import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AcceptQuote,
  ChangeInquiry,
  ChangeQuote,
  CompleteTask,
  CreateInquiry,
  CreateQuote,
  LogContact,
  MarkLost,
  Qualify,
  RejectQuote,
  SendQuote,
} from '../domain/commands';
import type { CommandName } from '../domain/lifecycle';
import type { ProspectState } from '../domain/prospect';

/**
 * Every message a prospect workflow understands. Commands that can be refused are updates
 * (their validators run the domain rules, so a refusal leaves no trace in history); reads
 * are queries; facts that cannot be refused are signals.
 */

/** Each update returns the prospect as it stands after the command. */
export const prospectUpdates = {
  logContact: defineUpdate<ProspectState, [LogContact]>('logContact'),
  qualify: defineUpdate<ProspectState, [Qualify]>('qualify'),
  createInquiry: defineUpdate<ProspectState, [CreateInquiry]>('createInquiry'),
  changeInquiry: defineUpdate<ProspectState, [ChangeInquiry]>('changeInquiry'),
  createQuote: defineUpdate<ProspectState, [CreateQuote]>('createQuote'),
  changeQuote: defineUpdate<ProspectState, [ChangeQuote]>('changeQuote'),
  sendQuote: defineUpdate<ProspectState, [SendQuote]>('sendQuote'),
  acceptQuote: defineUpdate<ProspectState, [AcceptQuote]>('acceptQuote'),
  rejectQuote: defineUpdate<ProspectState, [RejectQuote]>('rejectQuote'),
  markLost: defineUpdate<ProspectState, [MarkLost]>('markLost'),
  completeTask: defineUpdate<ProspectState, [CompleteTask]>('completeTask'),
} as const satisfies Record<CommandName, unknown>;

export const getProspect = defineQuery<ProspectState>('getProspect');

/**
 * A contact the system observed (a campaign mail went out, a reply arrived). It is a fact,
 * so a signal: it cannot be refused, and a malformed one is logged and dropped.
 */
export const contactObserved = defineSignal<[LogContact]>('contactObserved');
