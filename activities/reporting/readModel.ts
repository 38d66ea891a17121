import { log } from '@temporalio/activity';
import type { SalesflowDb } from '../../db/database';
import { writeProjections } from '../../db/reporting';
import type { ReadModelBatch } from '../../domain/reporting/projection';
import { writeCustomerProjection } from '../../db/postsalesReport';
import type { CustomerProjection } from '../../domain/reporting/postsales';

export interface ReportingDeps {
  /** The salesflow database; a worker without one (DATABASE_URL unset outside `npm start`) feeds nothing, and `salesflow report rebuild` catches up. */
  reportDb?: SalesflowDb;
  /** Test seam: runs before each write (a slow or failing database). */
  readModelFaults?: { beforeWrite?: (batch: ReadModelBatch) => Promise<void> };
}

/** What a worker without the salesflow database says, once, when a workflow would feed the read model. */
export const NOT_FED = 'no salesflow database configured for this worker: the reporting read model is not fed (run `salesflow report rebuild`)';

let warned = false;

/** Writes a prospect's batch of read-model rows; idempotent, so a retry is harmless. */
export function createReportingActivities(deps: ReportingDeps) {
  return {
    async recordReadModel(batch: ReadModelBatch): Promise<void> {
      if (!deps.reportDb) {
        if (!warned) log.warn(NOT_FED);
        warned = true;
        return;
      }
      await deps.readModelFaults?.beforeWrite?.(batch);
      await writeProjections(deps.reportDb, [batch]);
    },
    /** Replaces a customer account's post-sales rows (unless newer ones are stored); idempotent. */
    async recordCustomerReadModel(projection: CustomerProjection): Promise<void> {
      if (!deps.reportDb) {
        if (!warned) log.warn(NOT_FED);
        warned = true;
        return;
      }
      await writeCustomerProjection(deps.reportDb, projection);
    },
  };
}
