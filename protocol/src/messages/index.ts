import { ALERT_MESSAGES } from './alerts';
import { DELIVERY_MESSAGES } from './delivery';
import type { MessageCatalog } from './render';
import { REPORT_MESSAGES } from './reports';
import { IMPORT_MESSAGES } from './imports';
import { ORDER_MESSAGES } from './orders';
import { STATION_MESSAGES } from './stations';
import { SPC_MESSAGES } from './spc';
import { ALERT_PROBLEM_MESSAGES } from './alert-problems';
import { PLANNING_MESSAGES } from './planning';
import { NC_MESSAGES } from './nonconformance';
import { SPC_STATISTICS_MESSAGES } from './spc-statistics';
import { PLAN_REQUEST_MESSAGES } from './plan-requests';
import { GATEWAY_CONFIG_MESSAGES } from './gateway-config';
import { AGENT_UPDATE_MESSAGES } from './agent-update';

export * from './render';
export * from './alerts';
export { refusalKey } from './stations';

/**
 * Every catalog of server-made text, merged: each area keeps its own file beside this one
 * and adds it here (alerts, orders, imports, stations…).
 */
export const SERVER_MESSAGES: MessageCatalog = {
  ...ALERT_MESSAGES,
  ...REPORT_MESSAGES,
  ...IMPORT_MESSAGES,
  ...ORDER_MESSAGES,
  ...DELIVERY_MESSAGES,
  ...STATION_MESSAGES,
  ...ALERT_PROBLEM_MESSAGES,
  ...PLANNING_MESSAGES,
  ...NC_MESSAGES,
  ...SPC_MESSAGES,
  ...SPC_STATISTICS_MESSAGES,
  ...PLAN_REQUEST_MESSAGES,
  ...GATEWAY_CONFIG_MESSAGES,
  ...AGENT_UPDATE_MESSAGES,
};
