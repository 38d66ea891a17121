import { proxySinks, type Sinks } from '@temporalio/workflow';

/**
 * Salesflow's own metrics from workflow code, through a sink: the worker counts them in
 * its Prometheus registry (worker/metrics.ts). A sink emits no command and the worker
 * skips its calls while replaying, so a replayed deadline is not counted twice and the
 * history is unchanged.
 */
export interface SalesflowMetricsSinks extends Sinks {
  salesflowMetrics: {
    /** A deadline (reminder, follow-up, quotation expiry) was applied `lateMs` after it was due. */
    deadlineFired(kind: string, lateMs: number): void;
  };
}

export const { salesflowMetrics } = proxySinks<SalesflowMetricsSinks>();
