import { userInfo } from 'node:os';
import { Option } from 'commander';
import { ConnectionConfigSchema, type ConnectionConfig } from '../domain/config';
import { CampaignClient } from './campaignClient';
import { DomainError, describeIssues } from '../domain/errors';
import { OpsClient } from './opsClient';
import { SalesflowClient } from './salesflowClient';

/** What every command module of the CLI shares: connecting, printing, common options. */
export interface CliContext {
  withClient<T>(fn: (client: SalesflowClient) => Promise<T>): Promise<T>;
  withOps<T>(fn: (ops: OpsClient) => Promise<T>): Promise<T>;
  withCampaigns<T>(fn: (campaigns: CampaignClient) => Promise<T>): Promise<T>;
  print(value: unknown, json: boolean | undefined, text: () => string): void;
  json(): Option;
  by(): Option;
}

function defaultBy(): string {
  try {
    return process.env.SALESFLOW_USER ?? userInfo().username;
  } catch {
    return 'cli';
  }
}

/** Connects with the environment's configuration, runs `fn`, and always closes. */
async function using<C extends { close(): Promise<void> }, T>(
  connect: (config: ConnectionConfig) => Promise<C>,
  fn: (client: C) => Promise<T>,
): Promise<T> {
  const parsed = ConnectionConfigSchema.safeParse(process.env);
  if (!parsed.success) throw new DomainError(`bad configuration: ${describeIssues(parsed.error).join('; ')}`);
  const client = await connect(parsed.data);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function withClient<T>(fn: (client: SalesflowClient) => Promise<T>): Promise<T> {
  return using((config) => SalesflowClient.connect(config), fn);
}

export const cliContext: CliContext = {
  withClient,
  withOps: (fn) => withClient((client) => fn(new OpsClient(client))),
  withCampaigns: (fn) => using((config) => CampaignClient.connect(config), fn),
  print(value, json, text) {
    console.log(json ? JSON.stringify(value, null, 2) : text());
  },
  json: () => new Option('--json', 'print JSON instead of text'),
  by: () => new Option('--by <name>', 'who gives the command').default(defaultBy(), '$SALESFLOW_USER or your login'),
};
