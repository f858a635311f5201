import {
  countPayloadSchema,
  metricsPayloadSchema,
  sparkplugSlots,
  statePayloadSchema,
  type DecodedMessage,
  type MachineState,
  type SparkplugConfig,
  type SparkplugDeviceMapping,
  type SparkplugNodeMapping,
} from '@takt/protocol';
import { numberOf, type NamedValue } from './session';

/**
 * Sparkplug values → Takt's own messages, for the same writer (ingest/src/pipeline/writer.ts).
 * The writer dedupes on (gateway, seq). Sparkplug's seq wraps every 256 messages, so it cannot
 * be that key; instead every stored value gets seq = metric timestamp (ms) × 1024 + slot, the
 * slot being the mapped metric's place in the node's mapping (protocol/src/config/sparkplug.ts
 * `sparkplugSlots`): the dedupe key is (node, metric, timestamp), and a rebirth or a re-sent
 * message stores nothing twice (docs/decisions.md "Issue 24 — Sparkplug B in").
 */
export const SLOT_FACTOR = 1024;

export type Mapped =
  { kind: 'message'; message: DecodedMessage } | { kind: 'dead'; reason: string };

/** The mapping of one node, with its slots looked up once. */
export class NodeMapper {
  private readonly slots: Map<string, number>;

  constructor(
    private readonly site: string,
    readonly node: SparkplugNodeMapping,
    private readonly unmapped: SparkplugConfig['unmapped'],
  ) {
    this.slots = new Map(sparkplugSlots(node).map((key, i) => [key, i]));
  }

  device(device: string | undefined): SparkplugDeviceMapping | undefined {
    return this.node.devices.find((d) => d.device === device);
  }

  private seq(device: string | undefined, what: string, ts: number): number {
    return ts * SLOT_FACTOR + this.slots.get(`${device ?? ''}\0${what}`)!;
  }

  /**
   * A birth or data message's values. `counters` holds the device's last good/reject values
   * (a DDATA by exception may carry only one of them).
   */
  values(
    device: string | undefined,
    values: readonly NamedValue[],
    counters: Map<string, number>,
  ): Mapped[] {
    const mapping = this.device(device);
    if (!mapping) {
      // A node's own metrics without a mapping are its controls (bdSeq, Node Control/*): no letter.
      const stray = device !== undefined && this.unmapped === 'dead-letter';
      return stray
        ? [
            {
              kind: 'dead',
              reason: `device "${device}" is not in the plant model's sparkplug mapping`,
            },
          ]
        : [];
    }
    const { machine } = mapping;
    const base = { site: this.site, gatewayId: this.node.gateway, machineId: machine };
    const out: Mapped[] = [];
    const strays: string[] = [];
    let countAt: number | undefined;
    for (const v of values) {
      const tag = mapping.tags[v.name];
      if (tag !== undefined) {
        const value = readingValue(v);
        const payload = {
          v: 1,
          seq: this.seq(device, `tag\0${v.name}`, v.ts),
          ts: v.ts,
          readings: [{ tag, value, ts: v.ts, quality: 'good' }],
        };
        out.push(
          checked(
            metricsPayloadSchema,
            payload,
            (p) => ({ ...base, kind: 'metrics', payload: p }),
            v,
          ),
        );
      } else if (v.name === mapping.state?.metric) {
        out.push(this.state(device, mapping, v, base));
      } else if (v.name === mapping.good || v.name === mapping.reject) {
        const n = numberOf(v.value);
        if (n === undefined)
          out.push({ kind: 'dead', reason: `counter "${v.name}" is not a number` });
        else {
          counters.set(v.name, n);
          countAt = Math.max(countAt ?? v.ts, v.ts);
        }
      } else if (v.name !== 'bdSeq' && !v.name.startsWith('Node Control/')) strays.push(v.name);
    }
    if (countAt !== undefined && mapping.good !== undefined && counters.has(mapping.good)) {
      const payload = {
        v: 1,
        seq: this.seq(device, 'count', countAt),
        ts: countAt,
        good: counters.get(mapping.good),
        reject: mapping.reject === undefined ? 0 : (counters.get(mapping.reject) ?? 0),
        ...(mapping.rollover ? { rollover: mapping.rollover } : {}),
      };
      out.push(
        checked(countPayloadSchema, payload, (p) => ({ ...base, kind: 'count', payload: p })),
      );
    }
    if (strays.length > 0 && this.unmapped === 'dead-letter')
      out.push({
        kind: 'dead',
        reason: `metrics not in the plant model's sparkplug mapping: ${strays.join(', ')}`,
      });
    return out;
  }

  /** DDEATH / NDEATH: the machine's state becomes unknown at the death's time. */
  death(device: string | undefined, ts: number, why: 'NDEATH' | 'DDEATH'): Mapped[] {
    const mapping = this.device(device);
    if (!mapping) return [];
    const payload = {
      v: 1,
      seq: this.seq(device, 'death', ts),
      ts,
      state: 'unknown',
      reason: `Sparkplug ${why}`,
    };
    const base = { site: this.site, gatewayId: this.node.gateway, machineId: mapping.machine };
    return [checked(statePayloadSchema, payload, (p) => ({ ...base, kind: 'state', payload: p }))];
  }

  private state(
    device: string | undefined,
    mapping: SparkplugDeviceMapping,
    v: NamedValue,
    base: { site: string; gatewayId: string; machineId: string },
  ): Mapped {
    const text = String(numberOf(v.value) ?? v.value);
    const state: MachineState | undefined = mapping.state!.values[text];
    if (state === undefined)
      return {
        kind: 'dead',
        reason: `state metric "${v.name}" has value "${text}", which the mapping does not name`,
      };
    const code = numberOf(v.value);
    const payload = {
      v: 1,
      seq: this.seq(device, 'state', v.ts),
      ts: v.ts,
      state,
      ...(code !== undefined && Number.isInteger(code) ? { code } : {}),
    };
    return checked(statePayloadSchema, payload, (p) => ({ ...base, kind: 'state', payload: p }));
  }
}

/** A Sparkplug value as a Takt reading value; types Takt cannot hold become null (kept as text in the reason). */
function readingValue(v: NamedValue): number | boolean | string | null {
  const n = numberOf(v.value);
  if (n !== undefined) return n;
  if (typeof v.value === 'boolean' || typeof v.value === 'string' || v.value === null)
    return v.value;
  return undefined as unknown as null; // fails the schema: a dead letter names the type
}

/** Validates what ingest made, as decode.ts validates what it receives. */
function checked<T>(
  schema: {
    safeParse(
      x: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  payload: unknown,
  wrap: (p: T) => unknown,
  v?: NamedValue,
): Mapped {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return { kind: 'message', message: wrap(parsed.data) as DecodedMessage };
  const issue = parsed.error.issues[0]!;
  const what = v ? `metric "${v.name}" (${v.type})` : 'mapped value';
  return {
    kind: 'dead',
    reason: `${what} cannot be stored: ${issue.path.join('.')}: ${issue.message}`,
  };
}
