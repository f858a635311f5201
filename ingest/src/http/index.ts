import { derivedStatesPlugin } from '../consumers/derived-states';
import { authPlugin } from './auth';
import { alertsPlugin } from './alerts';
import { boardsPlugin } from './boards';
import { deadLettersPlugin } from './dead-letters';
import { healthPlugin } from './health';
import { linkTokensPlugin } from './link-tokens';
import { trackPlugin } from './track';
import { usersPlugin } from './users';
import { historyPlugin } from './history';
import { ingestMetricsPlugin } from './ingest-metrics';
import { livePlugin } from '../consumers/live';
import { machinesPlugin } from './machines';
import { oeePlugin } from './oee';
import { plantPlugin } from './plant';
import { retentionPlugin } from '../storage/retention';
import type { IngestPlugin } from './types';
import { workOrderHistoryPlugin } from './work-order-history';
import { workOrdersPlugin } from './work-orders';

/** Every ingest feature, registered in one place (STYLE 5). */
export const plugins: readonly IngestPlugin[] = [
  authPlugin, // first: its access hook and socket.io check guard everything after it
  usersPlugin,
  linkTokensPlugin,
  trackPlugin,
  healthPlugin,
  ingestMetricsPlugin,
  deadLettersPlugin,
  machinesPlugin,
  plantPlugin,
  oeePlugin,
  boardsPlugin,
  historyPlugin,
  workOrdersPlugin,
  workOrderHistoryPlugin,
  derivedStatesPlugin,
  livePlugin,
  alertsPlugin,
  retentionPlugin,
];
