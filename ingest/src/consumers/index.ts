import { alertsConsumer } from './alerts';
import { andonConsumer } from './andon';
import { derivedStatesConsumer } from './derived-states';
import { liveConsumer } from './live';
import { spcGaugesConsumer } from './spc-gauges';
import { orderStatusConsumer } from '../order-webhooks/consumer';
import type { Consumer } from './types';
import { workOrdersConsumer } from './work-orders';

/**
 * Every post-commit consumer, one line each (docs/architecture.md "Conventions" 5, the shape of
 * edge-agent/src/drivers/registry.ts). Each runs in its own lane (consumers/runner.ts); the
 * order is the start order, and the reverse is the stop order.
 */
export const consumers: readonly (() => Consumer)[] = [
  workOrdersConsumer,
  derivedStatesConsumer,
  liveConsumer,
  alertsConsumer,
  andonConsumer,
  orderStatusConsumer,
  spcGaugesConsumer,
];
