import { derivedStatesPlugin } from './derived-states';
import { healthPlugin } from './health';
import { livePlugin } from './live';
import { machinesPlugin } from './machines';
import { oeePlugin } from './oee';
import { plantPlugin } from './plant';
import { retentionPlugin } from './retention';
import type { IngestPlugin } from './types';
import { workOrdersPlugin } from './work-orders';

/** Every ingest feature, registered in one place (STYLE 5). */
export const plugins: readonly IngestPlugin[] = [
  healthPlugin,
  machinesPlugin,
  plantPlugin,
  oeePlugin,
  workOrdersPlugin,
  derivedStatesPlugin,
  livePlugin,
  retentionPlugin,
];
