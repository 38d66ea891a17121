import { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';

/** The p-th percentile (nearest rank) of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(Math.ceil((p / 100) * sorted.length) - 1, 0))]!;
}

/** Latencies collected by name, summarised as p50/p99 in milliseconds. */
export class Latencies {
  private readonly byName = new Map<string, number[]>();

  async time<T>(name: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      const list = this.byName.get(name) ?? [];
      list.push(performance.now() - started);
      this.byName.set(name, list);
    }
  }

  summary(name: string): { p50: number; p99: number; n: number } {
    const sorted = [...(this.byName.get(name) ?? [])].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}

/** A workflow's history: its events and its size as Temporal stores it (protobuf bytes). */
export async function historySize(client: Client, workflowId: string): Promise<{ events: number; bytes: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return { events: history.events?.length ?? 0, bytes: temporal.api.history.v1.History.encode(history).finish().length };
}

/** Events and protobuf bytes by event type, summed over the given workflows' histories. */
export async function historyBreakdown(client: Client, workflowIds: readonly string[]): Promise<Map<string, { events: number; bytes: number }>> {
  const out = new Map<string, { events: number; bytes: number }>();
  for (const id of workflowIds) {
    const history = await client.workflow.getHandle(id).fetchHistory();
    for (const e of history.events ?? []) {
      const type = temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType);
      const bytes = temporal.api.history.v1.HistoryEvent.encode(e).finish().length;
      const row = out.get(type) ?? { events: 0, bytes: 0 };
      row.events++;
      row.bytes += bytes;
      out.set(type, row);
    }
  }
  return out;
}
