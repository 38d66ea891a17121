import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { CampaignSA } from '../workflows/campaign/contract';
import { CustomerSA } from '../workflows/customer/contract';
import { ProspectSA } from '../workflows/pipeline/contract';
import { TaskSA } from '../workflows/tasks/contract';

/** Every custom search attribute of every area, once (tasks reuse two of the prospect's). */
export const ALL_SEARCH_ATTRIBUTES = [...new Map([...Object.values(ProspectSA), ...Object.values(TaskSA), ...Object.values(CampaignSA), ...Object.values(CustomerSA)].map((key) => [key.name, key])).values()];

/** The `--search-attribute NAME=Type` flags the Temporal CLI dev server takes. */
export function devServerSearchAttributeFlags(): string[] {
  const cliType = { KEYWORD: 'Keyword', DOUBLE: 'Double', DATETIME: 'Datetime', INT: 'Int', TEXT: 'Text', BOOL: 'Bool', KEYWORD_LIST: 'KeywordList' } as const;
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${cliType[key.type]}`]);
}

const INDEXED_TYPE = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DOUBLE: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  DATETIME: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  TEXT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  BOOL: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  KEYWORD_LIST: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
} as const;

/**
 * Registers salesflow's search attributes on the namespace if they are missing, so a
 * fresh Temporal cluster (docker-compose, Temporal Cloud aside) works without a manual
 * `temporal operator search-attribute create`. Idempotent.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_TYPE[key.type]])),
  });
  return missing.map((key) => key.name);
}
