import type { ProspectState, RecordCounts } from './prospect';

/**
 * A prospect can live for years in post-sales care; its workflow state (and so every
 * continue-as-new input and query answer) must not grow with it. The workflow keeps the
 * most recent entries of the contact log, the changes and the escalations, and counts the
 * older ones; those stay readable in the histories of the earlier runs until the salesflow
 * database holds the full record.
 */
export const RECORD_WINDOW = 500;

/** The state with each record list cut to its last `window` entries, the rest counted. */
export function keepRecentRecord(state: ProspectState, window: number = RECORD_WINDOW): ProspectState {
  const over = (list: readonly unknown[]) => Math.max(list.length - window, 0);
  const cut: RecordCounts = { contacts: over(state.contacts), changes: over(state.changes), escalations: over(state.escalations) };
  if (cut.contacts === 0 && cut.changes === 0 && cut.escalations === 0) return state;
  const before = state.archived ?? { contacts: 0, changes: 0, escalations: 0 };
  return {
    ...state,
    contacts: state.contacts.slice(cut.contacts),
    changes: state.changes.slice(cut.changes),
    escalations: state.escalations.slice(cut.escalations),
    archived: {
      contacts: before.contacts + cut.contacts,
      changes: before.changes + cut.changes,
      escalations: before.escalations + cut.escalations,
    },
  };
}

/** How many changes the prospect has ever recorded, kept or archived. */
export function recordVersion(state: ProspectState): number {
  return (state.archived?.changes ?? 0) + state.changes.length;
}
