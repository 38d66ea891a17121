import { userInfo } from 'node:os';
import type { Client } from '@temporalio/client';
import { Option } from 'commander';
import { ConnectionConfigSchema, type ConnectionConfig } from '../../domain/shared/config';
import { CampaignClient } from '../campaign/campaignClient';
import { DomainError, describeIssues } from '../../domain/shared/errors';
import { DEFAULT_TIME_ZONE, formatTime, formatTimesIn, isTimeZone } from '../../domain/shared/timeZone';
import { OpsClient } from '../process/opsClient';
import { SalesflowClient } from '../pipeline/salesflowClient';
import { explainUnanswered, noWorkerWatch, openTemporalClient } from './temporalConnection';

/** What every command module of the CLI shares: connecting, printing, common options. */
export interface CliContext {
  withClient<T>(fn: (client: SalesflowClient) => Promise<T>): Promise<T>;
  withOps<T>(fn: (ops: OpsClient) => Promise<T>): Promise<T>;
  withCampaigns<T>(fn: (campaigns: CampaignClient) => Promise<T>): Promise<T>;
  print(value: unknown, json: boolean | undefined, text: () => string): void;
  /** The zone every printed time is in: SALESFLOW_TIMEZONE, else UTC. */
  zone(): string;
  /** A time as people read it, in that zone (`Tue 15 Dec 2026, 17:00 CET`). */
  time(iso: string | number | Date | undefined): string;
  /** Recorded text (a task title, a history line) with its ISO times as people read them. */
  timesIn(text: string): string;
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

function config(): ConnectionConfig {
  const parsed = ConnectionConfigSchema.safeParse(process.env);
  if (!parsed.success) throw new DomainError(`bad configuration: ${describeIssues(parsed.error).join('; ')}`);
  return parsed.data;
}

/**
 * Connects with the environment's configuration, runs `fn`, and always closes. A call
 * that was not answered in time is explained here (no worker, no server), once for every
 * command.
 */
async function using<T>(fn: (client: Client, config: ConnectionConfig) => Promise<T>): Promise<T> {
  const cfg = config();
  const { client, connection } = await openTemporalClient(cfg);
  try {
    return await noWorkerWatch(fn(client, cfg), connection, cfg);
  } catch (err) {
    throw await explainUnanswered(err, connection, cfg);
  } finally {
    await connection.close();
  }
}

function withClient<T>(fn: (client: SalesflowClient) => Promise<T>): Promise<T> {
  return using((client, cfg) => fn(SalesflowClient.fromClient(client, cfg)));
}

function zone(): string {
  const name = process.env.SALESFLOW_TIMEZONE?.trim();
  if (!name) return DEFAULT_TIME_ZONE;
  if (!isTimeZone(name)) throw new DomainError(`SALESFLOW_TIMEZONE "${name}": must be an IANA time zone name, e.g. Europe/Berlin or UTC`);
  return name;
}

export const cliContext: CliContext = {
  withClient,
  withOps: (fn) => withClient((client) => fn(new OpsClient(client))),
  withCampaigns: (fn) => using((client, cfg) => fn(CampaignClient.fromClient(client, cfg))),
  print(value, json, text) {
    console.log(json ? JSON.stringify(value, null, 2) : text());
  },
  zone,
  time: (iso) => formatTime(iso, zone()),
  timesIn: (text) => formatTimesIn(text, zone()),
  json: () => new Option('--json', 'print JSON instead of text'),
  by: () => new Option('--by <name>', 'who gives the command').default(defaultBy(), '$SALESFLOW_USER or your login'),
};
