import { Option } from 'commander';
import { DomainError } from '../../domain/shared/errors';
import { DEFAULT_TIME_ZONE, formatTime, formatTimesIn, isTimeZone } from '../../domain/shared/timeZone';
import { AccountsApi } from '../accounts/accountsApi';
import { CampaignApi } from '../campaign/campaignApi';
import { CustomerApi } from '../customer/customerApi';
import { ProspectsApi } from '../pipeline/prospectsApi';
import { InboundApi } from '../pipeline/inboundApi';
import { ProcessApi } from '../process/processApi';
import { TasksApi } from '../tasks/tasksApi';
import { ReportsApi } from '../reporting/reportsApi';
import { ApiClient } from './apiClient';
import { currentCredentials } from './credentials';

/** Every area's API, as the logged-in user. */
export interface Api {
  url: string;
  prospects: ProspectsApi;
  tasks: TasksApi;
  processes: ProcessApi;
  campaigns: CampaignApi;
  accounts: AccountsApi;
  inbound: InboundApi;
  reports: ReportsApi;
  customers: CustomerApi;
}

/** What every command module of the CLI shares: the API as the logged-in user, printing, common options. */
export interface CliContext {
  /** The salesflow server's API with the stored (or SALESFLOW_TOKEN) credentials; refuses when nobody is logged in. */
  api(): Api;
  print(value: unknown, json: boolean | undefined, text: () => string): void;
  /** The zone every printed time is in: SALESFLOW_TIMEZONE, else UTC. */
  zone(): string;
  /** A time as people read it, in that zone (`Tue 15 Dec 2026, 17:00 CET`). */
  time(iso: string | number | Date | undefined): string;
  /** Recorded text (a task title, a history line) with its ISO times as people read them. */
  timesIn(text: string): string;
  json(): Option;
}

export function apiFor(client: ApiClient): Api {
  return {
    url: client.url,
    prospects: new ProspectsApi(client),
    tasks: new TasksApi(client),
    processes: new ProcessApi(client),
    campaigns: new CampaignApi(client),
    accounts: new AccountsApi(client),
    inbound: new InboundApi(client),
    reports: new ReportsApi(client),
    customers: new CustomerApi(client),
  };
}

function api(): Api {
  const credentials = currentCredentials();
  if (!credentials) throw new DomainError('not logged in: run `salesflow login` (or set SALESFLOW_TOKEN to an API token)');
  return apiFor(new ApiClient(credentials.url, credentials.token));
}

function zone(): string {
  const name = process.env.SALESFLOW_TIMEZONE?.trim();
  if (!name) return DEFAULT_TIME_ZONE;
  if (!isTimeZone(name)) throw new DomainError(`SALESFLOW_TIMEZONE "${name}": must be an IANA time zone name, e.g. Europe/Berlin or UTC`);
  return name;
}

export const cliContext: CliContext = {
  api,
  print(value, json, text) {
    console.log(json ? JSON.stringify(value, null, 2) : text());
  },
  zone,
  time: (iso) => formatTime(iso, zone()),
  timesIn: (text) => formatTimesIn(text, zone()),
  json: () => new Option('--json', 'print JSON instead of text'),
};
