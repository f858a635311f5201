/**
 * The `data-testid`s end-to-end tests look for. Renaming one breaks those tests, so they live
 * here, in one place, and are exported from the package for the tests to import.
 */
export const TEST_IDS = {
  board: 'plant-board',
  lineGroup: 'line-group',
  tile: 'machine-tile',
  tileGoodCount: 'tile-good-count',
  tileRejectCount: 'tile-reject-count',
  tileMainValue: 'tile-main-value',
  tileState: 'tile-state',
  tileLastSeen: 'tile-last-seen',
  tileSparkline: 'tile-sparkline',
  connectionBanner: 'connection-banner',
  connectionStatus: 'connection-status',
  clock: 'board-clock',
  siteName: 'site-name',
  login: 'login-form',
  loginError: 'login-error',
  signOut: 'sign-out',
  track: 'track-page',
  trackOrder: 'track-order',
  access: 'access-page',
  accessLink: 'access-link',
  linkSection: 'link-section',
  linkRow: 'link-row',
  createdLink: 'created-link',
  andon: 'andon',
  andonAlert: 'andon-alert',
  maintenance: 'maintenance',
  maintenanceAlert: 'maintenance-alert',
  plainMessage: 'plain-message',
  boardScreen: 'board-screen',
  langSwitch: 'lang-switch',
  nav: 'nav',

  // Boards (issue 8): add board ids below this line.
  lineBoard: 'line-board',
  ordersBoard: 'orders-board',
  andonBoard: 'andon-board',

  // Pages (issue 8): add page ids below this line.
  analytics: 'analytics-page',
  workOrder: 'work-order-page',

  // Customer tracking, sign-in, access (issue 8): add ids below this line.
  trackStage: 'track-stage',
  trackDue: 'track-due',
  trackEta: 'track-eta',
  trackProgress: 'track-progress',
  trackHistory: 'track-history',
  trackZone: 'track-zone',
} as const;
