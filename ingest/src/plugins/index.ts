import { alertsPlugin } from './alerts';
import { healthPlugin } from './health';
import { livePlugin } from './live';
import { machinesPlugin } from './machines';
import { oeePlugin } from './oee';
import { retentionPlugin } from './retention';
import type { IngestPlugin } from './types';
import { workOrdersPlugin } from './work-orders';

/** Every ingest feature, registered in one place (STYLE 5). */
export const plugins: readonly IngestPlugin[] = [
  healthPlugin,
  machinesPlugin,
  oeePlugin,
  workOrdersPlugin,
  livePlugin,
  alertsPlugin,
  retentionPlugin,
];
