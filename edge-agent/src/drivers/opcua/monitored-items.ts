import type { OpcuaTagConfig } from '@takt/protocol';
import {
  AttributeIds,
  DataChangeFilter,
  DataChangeTrigger,
  DeadbandType,
  resolveNodeId,
  TimestampsToReturn,
  type ClientSubscription,
  type DataValue,
  type MonitoringParametersOptions,
} from 'node-opcua';

/** A tag the server would not monitor, and why (a StatusCode name or a parse error). */
export interface MonitorFailure {
  tag: OpcuaTagConfig;
  reason: string;
}

/** Tags that share sampling interval, queue size and deadband go in one request. */
function parametersKey(tag: OpcuaTagConfig): string {
  return JSON.stringify([tag.samplingIntervalMs, tag.queueSize, tag.serverDeadband ?? null]);
}

function groupByParameters(tags: readonly OpcuaTagConfig[]): OpcuaTagConfig[][] {
  const groups = new Map<string, OpcuaTagConfig[]>();
  for (const tag of tags) {
    const key = parametersKey(tag);
    groups.set(key, [...(groups.get(key) ?? []), tag]);
  }
  return [...groups.values()];
}

/** MonitoringParameters of a tag (OPC UA Part 4 v1.05, 7.21). */
function monitoringParameters(tag: OpcuaTagConfig): MonitoringParametersOptions {
  const deadband = tag.serverDeadband;
  return {
    samplingInterval: tag.samplingIntervalMs,
    queueSize: tag.queueSize,
    // keep the newest values when the queue overflows between two publishes
    discardOldest: true,
    // DataChangeFilter with a deadband (OPC UA Part 4 v1.05, 7.22.2); percent needs an EURange
    // on the node (an AnalogItem, OPC UA Part 8), else the server refuses the item
    filter: deadband
      ? new DataChangeFilter({
          trigger: DataChangeTrigger.StatusValue,
          deadbandType: deadband.type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
          deadbandValue: deadband.value,
        })
      : null,
  };
}

/** Node ids that do not even parse never reach the server. */
function splitParsable(tags: readonly OpcuaTagConfig[]): {
  parsable: OpcuaTagConfig[];
  failures: MonitorFailure[];
} {
  const parsable: OpcuaTagConfig[] = [];
  const failures: MonitorFailure[] = [];
  for (const tag of tags) {
    try {
      resolveNodeId(tag.nodeId);
      parsable.push(tag);
    } catch (error) {
      failures.push({ tag, reason: `not a node id: ${(error as Error).message}` });
    }
  }
  return { parsable, failures };
}

/**
 * One monitored item per tag on `subscription` (OPC UA Part 4 v1.04, 5.12.2 CreateMonitoredItems),
 * with one request per group of tags sharing their parameters. Each data change goes to
 * `onChange`; the initial value of every item arrives the same way (Part 4 v1.04, 7.20.2).
 * Resolves with the tags the server refused (BadNodeIdUnknown, BadFilterNotAllowed...):
 * the other tags are monitored all the same.
 */
export async function monitorTags(
  subscription: ClientSubscription,
  tags: readonly OpcuaTagConfig[],
  onChange: (tag: OpcuaTagConfig, dataValue: DataValue) => void,
): Promise<MonitorFailure[]> {
  const { parsable, failures } = splitParsable(tags);
  for (const group of groupByParameters(parsable)) {
    const items = group.map((tag) => ({
      nodeId: tag.nodeId,
      attributeId: AttributeIds.Value,
    }));
    const monitored = await subscription.monitorItems(
      items,
      monitoringParameters(group[0]!),
      TimestampsToReturn.Both,
    );
    monitored.on('changed', (_item: unknown, dataValue: DataValue, index: number) => {
      const tag = group[index];
      if (tag) onChange(tag, dataValue);
    });
    monitored.monitoredItems.forEach((item, i) => {
      if (!item.statusCode.isGood())
        failures.push({ tag: group[i]!, reason: item.statusCode.name });
    });
  }
  return failures;
}
