import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from '../route-contract';
import { authPlugin } from './auth';
import { alertChannelsPlugin } from './alert-channels';
import { alertsPlugin } from './alerts';
import { andonPlugin } from './andon';
import { boardsPlugin } from './boards';
import { deadLettersPlugin } from './dead-letters';
import { gatewaysPlugin } from './gateways';
import { gatewayConfigPlugin } from './gateway-config';
import { agentUpdatesPlugin } from './agent-updates';
import { healthPlugin } from './health';
import { importMappingsPlugin } from './import-mappings';
import { linkTokensPlugin } from './link-tokens';
import { trackPlugin } from './track';
import { usersPlugin } from './users';
import { historyPlugin } from './history';
import { ingestMetricsPlugin } from './ingest-metrics';
import { kpisPlugin } from './kpis';
import { machinesPlugin } from './machines';
import { nonconformancePlugin } from './nonconformance';
import { oeePlugin } from './oee';
import { plantPlugin } from './plant';
import { planningPlugin } from './planning';
import { operatorsPlugin } from './operators';
import { printPlugin } from './print';
import { reportsPlugin } from './reports';
import { shiftReportPlugin } from './shift-report';
import { spcPlugin } from './spc';
import { stationsPlugin } from './stations';
import type { IngestPlugin, PluginContext } from './types';
import { workOrderExportPlugin } from './work-order-export';
import { workOrderChangesPlugin } from './work-order-changes';
import { workOrderHistoryPlugin } from './work-order-history';
import { workOrdersPlugin } from './work-orders';

/** Every HTTP feature, one line each (docs/architecture.md "Conventions" 5); each in its own encapsulated context. */
export const plugins: readonly IngestPlugin[] = [
  usersPlugin,
  linkTokensPlugin,
  trackPlugin,
  healthPlugin,
  ingestMetricsPlugin,
  deadLettersPlugin,
  gatewaysPlugin,
  gatewayConfigPlugin,
  agentUpdatesPlugin,
  machinesPlugin,
  plantPlugin,
  oeePlugin,
  shiftReportPlugin,
  boardsPlugin,
  historyPlugin,
  workOrdersPlugin,
  workOrderExportPlugin,
  importMappingsPlugin,
  workOrderHistoryPlugin,
  workOrderChangesPlugin,
  alertsPlugin,
  alertChannelsPlugin,
  andonPlugin,
  stationsPlugin,
  operatorsPlugin,
  printPlugin,
  kpisPlugin,
  reportsPlugin,
  nonconformancePlugin,
  spcPlugin,
  planningPlugin,
];

/**
 * fastify's skip-override: the plugin runs in the context it is registered in instead of a
 * child one. Only auth uses it (see registerHttp). Set as the symbol fastify-plugin sets, so
 * ingest needs no extra dependency for one flag.
 */
const SKIP_OVERRIDE = Symbol.for('skip-override');

/**
 * Registers auth, then every plugin with `app.register`. Auth must decorate the root: its
 * onRequest hook and `request.principal` have to reach the routes of every sibling plugin,
 * and a hook in an encapsulated child would guard only that child's routes. Every other
 * plugin is encapsulated (its content-type parsers and hooks stay its own).
 */
export async function registerHttp(app: FastifyInstance, ctx: PluginContext): Promise<void> {
  const auth = Object.assign(
    async (root: FastifyInstance) => authPlugin(root.withTypeProvider<ZodTypeProvider>(), ctx),
    {
      [SKIP_OVERRIDE]: true,
    },
  );
  await app.register(auth);
  for (const plugin of plugins)
    await app.register(async (child) => plugin(child.withTypeProvider<ZodTypeProvider>(), ctx));
}
