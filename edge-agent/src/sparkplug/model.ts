import type { DeviceConfig, Quality, ReadingValue } from '@takt/protocol';
import { deviceTags, type OutMessage } from '../mapper';

/** The Sparkplug B data types this node uses (Sparkplug 3.0 "Datatypes"). */
export type SparkplugType = 'Double' | 'Boolean' | 'String' | 'Int32' | 'UInt64';

export interface MetricValue {
  value: ReadingValue;
  quality: Quality;
  /** Source time of the value, epoch ms. */
  ts: number;
}

/** One metric as it goes into a payload (sparkplug-payload's UMetric, without Long). */
export interface OutMetric {
  name?: string;
  alias: number;
  type: SparkplugType;
  value: ReadingValue;
  timestamp: number;
  properties?: { Quality: { type: 'Int32'; value: number } };
}

interface MetricDef {
  name: string;
  alias: number;
  type: SparkplugType;
}

interface DeviceModel {
  /** Metric name → definition, in birth order. */
  defs: Map<string, MetricDef>;
  current: Map<string, MetricValue>;
  /** What this MQTT session last published for the device; undefined: not born (or dead). */
  sent: Map<string, MetricValue> | undefined;
  /** A metric's type changed: the device must be born again before its next data. */
  redefine: boolean;
}

/** Metric names: a Takt tag is `tags/<tag>`, so no tag can collide with the fixed ones. */
export const metricName = {
  tag: (tag: string) => `tags/${tag}`,
  state: 'state',
  stateCode: 'state/code',
  good: 'count/good',
  reject: 'count/reject',
} as const;

// OPC DA quality codes in the `Quality` property, as Sparkplug hosts such as Ignition read them.
const QUALITY_CODE: Record<Quality, number> = { good: 192, uncertain: 64, bad: 0 };

function typeOf(value: ReadingValue): SparkplugType | undefined {
  if (typeof value === 'number') return 'Double';
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'string') return 'String';
  return undefined;
}

/** Can a value of this kind go in a metric of that type? Null fits every type (is_null). */
function fits(type: SparkplugType, value: ReadingValue): boolean {
  if (value === null) return true;
  if (typeof value === 'number') return type === 'Double' || type === 'Int32' || type === 'UInt64';
  return typeOf(value) === type;
}

/**
 * The gateway's machines as Sparkplug devices, pure (no MQTT): which metrics each has (from
 * the gateway config, so a DBIRTH declares every metric before the first value is known),
 * their current values, and what the session last sent, so DDATA carries only changes
 * (Sparkplug 3.0 tck-id-operational-behavior-data-publish-dbirth-change). Aliases are unique
 * across the node and stable for the life of the process.
 */
export class SparkplugModel {
  private readonly devices = new Map<string, DeviceModel>();
  /** Device (driver) id → the machines its tags feed. */
  private readonly byDevice = new Map<string, Set<string>>();
  private readonly aliases = new Map<string, number>();
  /** 0 and 1 are the node's own `bdSeq` and `Node Control/Rebirth`. */
  private nextAlias = 2;

  constructor(devices: readonly DeviceConfig[]) {
    this.define(devices);
  }

  /** New device configs (a reload): definitions are rebuilt, known values kept; none born. */
  define(devices: readonly DeviceConfig[]): void {
    const old = new Map(this.devices);
    this.devices.clear();
    this.byDevice.clear();
    for (const device of devices) {
      const { machine, tags } = deviceTags(device);
      for (const tag of tags) {
        const machineId = tag.machine ?? machine;
        if (!machineId) continue;
        const names: [string, SparkplugType][] =
          tag.channel === 'metric'
            ? [[metricName.tag(tag.name), 'Double']]
            : tag.channel === 'state'
              ? [
                  [metricName.state, 'String'],
                  [metricName.stateCode, 'Int32'],
                ]
              : tag.channel === 'count.good' || tag.channel === 'count.reject'
                ? [
                    [metricName.good, 'UInt64'],
                    [metricName.reject, 'UInt64'],
                  ]
                : []; // scans are events, not values: they stay on Takt's own path
        if (names.length === 0) continue;
        let model = this.devices.get(machineId);
        if (!model) {
          const before = old.get(machineId);
          model = {
            defs: new Map(),
            current: before?.current ?? new Map(),
            sent: undefined,
            redefine: false,
          };
          this.devices.set(machineId, model);
        }
        for (const [name, type] of names) {
          if (model.defs.has(name)) continue;
          const known = old.get(machineId)?.defs.get(name)?.type;
          model.defs.set(name, { name, alias: this.aliasOf(machineId, name), type: known ?? type });
        }
        let set = this.byDevice.get(device.id);
        if (!set) this.byDevice.set(device.id, (set = new Set()));
        set.add(machineId);
      }
    }
  }

  private aliasOf(machineId: string, name: string): number {
    const key = `${machineId}\0${name}`;
    let alias = this.aliases.get(key);
    if (alias === undefined) this.aliases.set(key, (alias = this.nextAlias++));
    return alias;
  }

  machines(): string[] {
    return [...this.devices.keys()];
  }

  machinesOf(deviceId: string): string[] {
    return [...(this.byDevice.get(deviceId) ?? [])];
  }

  /** Born in this session (maybe since redefined): a DDEATH would mean something to the host. */
  hasSession(machineId: string): boolean {
    return this.devices.get(machineId)?.sent !== undefined;
  }

  isBorn(machineId: string): boolean {
    const model = this.devices.get(machineId);
    return model?.sent !== undefined && !model.redefine;
  }

  /** Takes in what the mapper decided to publish; returns the machines whose values moved. */
  apply(messages: readonly OutMessage[], now: number): Set<string> {
    const touched = new Set<string>();
    for (const message of messages) {
      const model = this.devices.get(message.machineId);
      if (!model) continue;
      const set = (name: string, value: ReadingValue, quality: Quality, ts: number) => {
        const def = model.defs.get(name);
        if (!def) return;
        const type = typeOf(value);
        if (type && !fits(def.type, value)) {
          def.type = type; // a String tag declared Double: born again with the right type
          model.redefine = true;
        }
        model.current.set(name, { value, quality, ts });
        touched.add(message.machineId);
      };
      switch (message.kind) {
        case 'metrics':
          for (const r of message.body.readings)
            set(metricName.tag(r.tag), r.value, r.quality, r.ts);
          break;
        case 'state':
          set(metricName.state, message.body.state, 'good', now);
          set(metricName.stateCode, message.body.code ?? null, 'good', now);
          break;
        case 'count':
          set(metricName.good, message.body.good, 'good', now);
          set(metricName.reject, message.body.reject, 'good', now);
          break;
        case 'scan':
          break;
      }
    }
    return touched;
  }

  /** Every metric of the device with its current value (null until known); the device is born. */
  birth(machineId: string, now: number): OutMetric[] {
    const model = this.devices.get(machineId);
    if (!model) return [];
    model.sent = new Map(model.current);
    model.redefine = false;
    return [...model.defs.values()].map((def) => {
      const value = model.current.get(def.name);
      return this.out(def, value ?? { value: null, quality: 'bad', ts: now }, true);
    });
  }

  /** The metrics that changed since the last birth or data of the device, by alias only. */
  data(machineId: string): OutMetric[] {
    const model = this.devices.get(machineId);
    if (!model?.sent) return [];
    const out: OutMetric[] = [];
    for (const def of model.defs.values()) {
      const now = model.current.get(def.name);
      if (!now) continue;
      const before = model.sent.get(def.name);
      if (before && before.value === now.value && before.quality === now.quality) continue;
      model.sent.set(def.name, now);
      out.push(this.out(def, now, false));
    }
    return out;
  }

  /** The device is dead (DDEATH sent, or the session ended): the next values need a birth. */
  kill(machineId: string): void {
    const model = this.devices.get(machineId);
    if (model) model.sent = undefined;
  }

  killAll(): void {
    for (const id of this.devices.keys()) this.kill(id);
  }

  private out(def: MetricDef, v: MetricValue, birth: boolean): OutMetric {
    return {
      // Sparkplug 3.0: BIRTHs carry name and alias, DATA only the alias (tck-id-payloads-alias-data-cmd-requirement).
      ...(birth ? { name: def.name } : {}),
      alias: def.alias,
      type: def.type,
      value: v.value,
      timestamp: v.ts,
      properties: { Quality: { type: 'Int32', value: QUALITY_CODE[v.quality] } },
    };
  }
}
