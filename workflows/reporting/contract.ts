import { defineSignal, proxySinks, type Sinks } from '@temporalio/workflow';
import type { CustomerProjection } from '../../domain/reporting/postsales';
import type { ReadModelBatch } from '../../domain/reporting/projection';

/**
 * The reporting area's Temporal contract: how prospect and customer workflows feed the
 * read model. Bundle-safe.
 *
 * Runs of the 'lean-history-3' generation write within the workflow task that made the
 * change, through a sink: the worker awaits a sink's calls before it reports the task
 * complete (and skips them on replay), so the row is in the database before the change is
 * in the history, and a command's caller reads its own change in the reports. A write that
 * fails or takes too long is not dropped: the worker signals `readModelMissed` to the
 * workflow, which then writes its whole projection through the retried activity, as runs
 * before did. Nothing of it is in the history unless that happens.
 */
export interface ReadModelSinks extends Sinks {
  readModel: {
    /** A prospect's snapshot and the events not yet written by this run. */
    prospect(batch: ReadModelBatch): void;
    /** A customer account's whole projection. */
    customer(projection: CustomerProjection): void;
  };
}

export const { readModel } = proxySinks<ReadModelSinks>();

/** The worker could not write what the workflow handed its sink: write the whole projection through the activity. */
export const readModelMissed = defineSignal<[{ error: string }]>('readModelMissed');
