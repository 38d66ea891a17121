import { stringify } from 'yaml';
import { formatDuration } from '../shared/duration';
import { maxCallDuration } from '../pipeline/timeRules';
import { formatOffset, type Offset } from './offset';
import type { ProcessDefinition } from './process';
import { diffDefinitions } from './registry';
import { postSalesDocument } from '../customer/postSales';

/** Turns parsed durations back into the text people write, for `process show` and the API. */
export function toDocument(def: ProcessDefinition): unknown {
  const offset = (o: Offset) => formatOffset(o);
  return {
    ...def,
    quotePolicy: {
      ...def.quotePolicy,
      validity: formatDuration(def.quotePolicy.validity),
      staleAfter: formatDuration(def.quotePolicy.staleAfter),
      escalateAfter: formatDuration(def.quotePolicy.escalateAfter),
      followUpDueIn: formatDuration(def.quotePolicy.followUpDueIn),
    },
    tasks: Object.fromEntries(
      Object.entries(def.tasks).map(([stage, templates]) => [stage, (templates ?? []).map((t) => ({ ...t, due: offset(t.due), escalateAfter: offset(t.escalateAfter) }))]),
    ),
    ...(def.support ? { support: { ...def.support, answerWithin: offset(def.support.answerWithin), escalateAfter: offset(def.support.escalateAfter) } } : {}),
    ...(def.postSales ? { postSales: postSalesDocument(def.postSales) } : {}),
    calls: { escalateAfter: offset(def.calls.escalateAfter), defaultDuration: formatDuration(def.calls.defaultDuration), maxDuration: formatDuration(maxCallDuration(def)) },
  };
}

/** The YAML `process show` prints and the web app's YAML tab shows: every duration with its unit, so it publishes again as it is. */
export function documentYaml(def: ProcessDefinition): string {
  return stringify(toDocument(def));
}

/** What changed between two versions, as people wrote them (the version number aside): `process diff`. */
export function diffDocuments(a: ProcessDefinition, b: ProcessDefinition): ReturnType<typeof diffDefinitions> {
  return diffDefinitions({ ...(toDocument(a) as object), version: undefined }, { ...(toDocument(b) as object), version: undefined });
}
