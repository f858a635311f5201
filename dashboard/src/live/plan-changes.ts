/**
 * The plan changed on the server (issue 21): ingest emits `plan:changed` `{ computedAt }` on
 * the live socket whenever it makes a new plan (docs/decisions.md "Issues 21/23/24 — shared
 * choices made before the work"); the Planning page and board read the plan again.
 */
export const PLAN_CHANGED_EVENT = 'plan:changed';
