import type { SearchAttributePair } from '@temporalio/common';

/**
 * Whether workflows are started with their custom search attributes. Always, except on the
 * time-skipping test server, which cannot register custom ones: its tests switch them off
 * here, once, and every start helper (client/<area>/start.ts) reads this switch. Workflows
 * started without them publish none (workflows/shared/searchAttributes.ts).
 */
let customSearchAttributes = true;

/** For the time-skipping test server only. */
export function startWithoutCustomSearchAttributes(): void {
  customSearchAttributes = false;
}

/** The start options' search attributes, or none where the server has none. */
export function startSearchAttributes(pairs: SearchAttributePair[]): { typedSearchAttributes?: SearchAttributePair[] } {
  return customSearchAttributes ? { typedSearchAttributes: pairs } : {};
}
