import { patched, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';

/**
 * Code generations: how a long-lived workflow knows, without a marker in its history, which
 * behaviours it started with.
 *
 * `patched(id)` records a marker on every new run, and with it an upsert of the
 * `TemporalChangeVersion` search attribute: two events per run, and on the dev server's SQLite
 * visibility every later write of the run's row also updates a full-text index for that
 * keyword list. A prospect lives for years, so its run starts once and each patch asks once;
 * but a new prospect, customer or task is started all day long, and each paid for every patch
 * its area ever had. Instead, the start helpers (client/) put the area's current generation in
 * the workflow's input. A run of generation N takes every behaviour patched in before N
 * without asking; older runs (no generation in their input) still ask, as they always did.
 *
 * Upgrades: workers first, then the API and CLI that start workflows. A worker older than
 * the input's generation refuses the run's workflow task (see `codeGeneration`), and the task
 * is retried until an upgraded worker takes it. Workers from before generations existed
 * cannot refuse: one that began a generation-N run recorded the markers of its own code, and
 * `runGeneration` finds the first of them on replay, so the run goes on as that worker began
 * it (generation 0) and its history still replays on new code.
 */

const GenerationSchema = z.number().int().min(0);

/**
 * The generation an input carries (0 when it carries none: a start from before generations).
 * Throws, failing the workflow task (retried, not the workflow), on a malformed value or on
 * one newer than this worker's code knows.
 */
export function codeGeneration(raw: unknown, known: number, area: string): number {
  if (raw === undefined) return 0;
  const parsed = GenerationSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`the ${area} workflow's input has an invalid generation ${JSON.stringify(raw)} (a whole number ≥ 0 expected)`);
  if (parsed.data > known) {
    throw new Error(`this ${area} was started for code generation ${parsed.data}, but this worker's code knows generations up to ${known}: upgrade the worker (the workflow task is retried until an upgraded worker takes it)`);
  }
  return parsed.data;
}

/**
 * The generation a run behaves as: its input's, unless a worker from before generations began
 * it. Such a worker ignored the input's generation and recorded `firstMarker`, the patch its
 * code asks for first on every new run; a replay reads that marker (`patched` records nothing
 * while replaying), and the run then behaves as generation 0, as it began. A run that a worker
 * of today's code began has no such marker.
 */
export function runGeneration(generation: number, firstMarker: string): number {
  if (generation === 0) return 0;
  return workflowInfo().unsafe.isReplaying && patched(firstMarker) ? 0 : generation;
}

/**
 * `patched(id)` for a run of a generation before `since`; true, with no marker, for runs of
 * `since` or later. Such a run's history holds the marker only when a worker from before
 * generations ran its first task; `patched` reads it while replaying (it records nothing
 * then), so that history replays.
 */
export function patchedBefore(generation: number, since: number, id: string): boolean {
  if (generation < since) return patched(id);
  if (workflowInfo().unsafe.isReplaying) patched(id);
  return true;
}
