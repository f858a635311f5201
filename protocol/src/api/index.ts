/**
 * The HTTP API's contract (issue 16, docs/architecture.md "Conventions" 3): every route ingest serves, with its access and
 * the zod schemas of what it takes and answers. Types are inferred from these, never retyped.
 */
import { agentUpdateRoutes } from './agent-update';
import { alertChannelRoutes } from './alert-channels';
import { alertRoutes } from './alerts';
import { andonRoutes } from './andon';
import { authRoutes, linkTokenRoutes } from './auth';
import { boardRoutes } from './boards';
import type { ApiRoute } from './contract';
import { gatewayRoutes } from './gateways';
import { gatewayConfigRoutes } from './gateway-config';
import { healthRoutes } from './health';
import { historyRoutes } from './history';
import { kpiRoutes } from './kpis';
import { machineRoutes, plantRoutes } from './machines';
import { oeeRoutes } from './oee';
import { nonconformanceRoutes } from './nonconformance';
import { orderRoutes } from './orders';
import { orderExportRoutes } from './order-export';
import { planRoutes } from './planning';
import { importMappingRoutes } from './imports';
import { printRoutes } from './print';
import { reportRoutes } from './reports';
import { shiftReportRoutes } from './shift-report';
import { spcRoutes } from './spc';
import { machineStopReasonCorrection, operatorRoutes, stationRoutes } from './stations';
import { trackRoutes } from './track';

export * from './contract';
export * from './common';
export * from './agent-update';
export * from './alert-channels';
export * from './alerts';
export * from './andon';
export * from './auth';
export * from './boards';
export * from './gateways';
export * from './gateway-config';
export * from './health';
export * from './history';
export * from './kpis';
export * from './machines';
export * from './oee';
export * from './nonconformance';
export * from './orders';
export * from './order-export';
export * from './imports';
export * from './order-changes';
export * from './planning';
export * from './print';
export * from './reports';
export * from './shift-report';
export * from './spc';
export * from './request';
export * from './stations';
export * from './track';

/** The routes by feature, as ingest registers them. */
export const api = {
  health: healthRoutes,
  gateways: gatewayRoutes,
  gatewayConfig: gatewayConfigRoutes,
  agentUpdate: agentUpdateRoutes,
  machines: machineRoutes,
  plant: plantRoutes,
  oee: oeeRoutes,
  shiftReport: shiftReportRoutes,
  boards: boardRoutes,
  history: historyRoutes,
  orders: orderRoutes,
  orderExport: orderExportRoutes,
  importMappings: importMappingRoutes,
  alerts: alertRoutes,
  alertChannels: alertChannelRoutes,
  andon: andonRoutes,
  auth: authRoutes,
  linkTokens: linkTokenRoutes,
  track: trackRoutes,
  stations: stationRoutes,
  stopReasonCorrection: machineStopReasonCorrection,
  operators: operatorRoutes,
  print: printRoutes,
  kpis: kpiRoutes,
  reports: reportRoutes,
  nonconformances: nonconformanceRoutes,
  spc: spcRoutes,
  planning: planRoutes,
};

/** Every route, flat (for docs/openapi.yaml and the checks). */
export function allRoutes(): ApiRoute[] {
  const out: ApiRoute[] = [];
  const walk = (node: object) => {
    for (const value of Object.values(node) as unknown[]) {
      if (value && typeof value === 'object' && 'method' in value && 'path' in value)
        out.push(value as ApiRoute);
      else if (value && typeof value === 'object') walk(value);
    }
  };
  walk(api);
  return out;
}
