/**
 * What other workspaces may import from the dashboard: the test ids and the pure helpers.
 * Nothing here touches React or the DOM, so tests in Node can import it.
 */
export { TEST_IDS } from './testids';
export { STALE_AFTER_MS, ageMs, clockOffsetMs, isStale } from './lib/staleness';
export { STATE_STYLES, stateStyle } from './lib/machine-state';
export { groupByLine, siteTitle, type LineGroup } from './lib/group-by-line';
export { mainTag, PREFERRED_TAG } from './lib/main-tag';
export { liveReducer, initialLiveState, type LiveState, type LiveAction } from './lib/live-state';
