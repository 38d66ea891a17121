import type { components } from './schema';
import type { ProspectState } from '../../../domain/pipeline/prospect';
import type { CustomerState } from '../../../domain/customer/customer';

/**
 * The prospect as GET /api/prospects/{id} returns it: the workflow's state, which the OpenAPI
 * document types only loosely. The domain's own type, imported as a type only (the web
 * bundle takes nothing from domain/), so the pages cannot drift from what the server sends.
 */

/** With what the API derives: the next due time as the lists show it, and a won deal's customer account. */
export type ProspectView = ProspectState & { nextDue?: string; customerId?: string };
export type InquiryVersion = NonNullable<ProspectState['inquiry']>['versions'][number];

export function asProspect(p: components['schemas']['Prospect']): ProspectView {
  return p as unknown as ProspectView;
}

export type Task = components['schemas']['Task'];

/** The customer account as GET /api/customers/{id} returns it: the workflow's state, as above. */
export type CustomerView = CustomerState;
export type CustomerContract = CustomerState['contracts'][number];
export type SupportCaseView = CustomerState['supportCases'][number];

export function asCustomer(c: components['schemas']['Customer']): CustomerView {
  return c as unknown as CustomerView;
}

export type CustomerSummary = components['schemas']['CustomerSummary'];
export type Renewal = components['schemas']['Renewal'];
