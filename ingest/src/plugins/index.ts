import { healthPlugin } from './health';
import { historyPlugin } from './history';
import { ingestMetricsPlugin } from './ingest-metrics';
import { livePlugin } from './live';
import { machinesPlugin } from './machines';
import { oeePlugin } from './oee';
import { retentionPlugin } from './retention';
import type { IngestPlugin } from './types';
import { workOrdersPlugin } from './work-orders';

/** Every ingest feature, registered in one place (STYLE 5). */
export const plugins: readonly IngestPlugin[] = [
  healthPlugin,
  ingestMetricsPlugin,
  machinesPlugin,
  oeePlugin,
  historyPlugin,
  workOrdersPlugin,
  livePlugin,
  retentionPlugin,
];
