import { createInquiry, createQuote, newProspect, qualify, sendQuote } from '../../domain/pipeline/lifecycle';
import type { ProcessDefinitionInput } from '../../domain/process/process';
import type { ProspectInfoInput, ProspectState } from '../../domain/pipeline/prospect';
import type { QuoteLineInput } from '../../domain/pipeline/quotation';

/**
 * Shared examples for the domain unit tests: one small process (two teams), one prospect,
 * and builders that walk it through the pipeline with the real commands.
 */

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const T0 = '2026-03-02T09:00:00.000Z';

/** An ISO time `ms` after T0. */
export function at(ms: number): string {
  return new Date(Date.parse(T0) + ms).toISOString();
}

export const PROCESS: ProcessDefinitionInput = {
  name: 'test-process',
  version: 3,
  teams: [
    {
      name: 'north',
      manager: { id: 'mia', name: 'Mia Manager', email: 'mia@example.com' },
      reps: [
        { id: 'alice', email: 'alice@example.com' },
        { id: 'bob', email: 'bob@example.com' },
      ],
    },
    {
      name: 'south',
      manager: { id: 'sam', email: 'sam@example.com' },
      reps: [{ id: 'carol', email: 'carol@example.com' }],
    },
  ],
  quotePolicy: { validity: '10d', staleAfter: '2d', escalateAfter: '5d', currency: 'EUR', followUpDueIn: '1d' },
};

export const INFO: ProspectInfoInput = {
  id: 'P1',
  name: 'Ada Buyer',
  company: 'Acme',
  email: 'ada@acme.example',
  rep: 'alice',
};

/** 3 x 19.99 at 10% off (gross 5997, discount 599.7 → 600, net 5397) + 1 x 250.00. */
export const LINES: QuoteLineInput[] = [
  { product: 'WIDGET-1', quantity: 3, unitPrice: '19.99', discountPercent: '10' },
  { product: 'SVC/INSTALL', quantity: 1, unitPrice: '250' },
];

export const CREATED_AT = T0;
export const QUALIFIED_AT = at(1 * HOUR);
export const INQUIRY_AT = at(2 * HOUR);
export const QUOTED_AT = at(3 * HOUR);
export const SENT_AT = at(4 * HOUR);

export function fresh(info: ProspectInfoInput = INFO, process: ProcessDefinitionInput = PROCESS): ProspectState {
  return newProspect(info, process, CREATED_AT);
}

export function qualified(base: ProspectState = fresh()): ProspectState {
  return qualify(base, { outcome: 'qualified', answers: { budget: 5000 }, by: 'alice' }, QUALIFIED_AT);
}

export function inInquiry(base: ProspectState = qualified()): ProspectState {
  return createInquiry(base, { items: [{ product: 'WIDGET-1', quantity: 3 }], by: 'alice' }, INQUIRY_AT);
}

export function withDraft(base: ProspectState = inInquiry(), extra: Record<string, unknown> = {}): ProspectState {
  return createQuote(base, { lines: LINES, by: 'alice', ...extra }, QUOTED_AT);
}

export function withSent(base: ProspectState = withDraft()): ProspectState {
  return sendQuote(base, { by: 'alice' }, SENT_AT);
}

/** A JSON copy of a state, to prove a command left its input untouched. */
export function snapshot(state: ProspectState): unknown {
  return JSON.parse(JSON.stringify(state));
}
