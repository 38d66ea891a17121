import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';
import { accounts } from './001_accounts';
import { documentsAndInbound } from './002_documents_inbound';
import { rateLimits } from './003_rate_limits';
import { reporting } from './004_reporting';
import { campaignStore } from './005_campaign_store';
import { reportDaily } from './006_report_daily';
import { reportCustomers } from './007_report_customers';
import { reportProspectDaily } from './008_report_prospect_daily';
import { reportCustomerTasks } from './009_report_customer_tasks';
import { reportProspectNames } from './010_report_prospect_names';
import { withoutQueryTimeout } from '../database';

/**
 * Every migration in order, listed in code rather than found by scanning a folder, so they
 * run the same from `dist/`, from ts-jest/swc and from a bundled image. Names sort in
 * application order; never rename or edit one that has shipped, add the next instead.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '001_accounts': accounts,
  '002_documents_inbound': documentsAndInbound,
  '003_rate_limits': rateLimits,
  '004_reporting': reporting,
  '005_campaign_store': campaignStore,
  '006_report_daily': reportDaily,
  '007_report_customers': reportCustomers,
  '008_report_prospect_daily': reportProspectDaily,
  '009_report_customer_tasks': reportCustomerTasks,
  '010_report_prospect_names': reportProspectNames,
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/**
 * Brings the schema to the latest version; Kysely's migrator takes a lock, so several
 * processes starting at once apply each migration once. Returns what it applied.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResult[]> {
  // A migration may rightly run for minutes on a big database, and so may the wait for
  // another process's: no query timeout here.
  const { error, results } = await withoutQueryTimeout(() => new Migrator({ db, provider }).migrateToLatest());
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration ${failed ? `${failed.migrationName} ` : ''}failed: ${cause}`);
  }
  return results ?? [];
}
