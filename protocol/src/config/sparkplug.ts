import { z } from 'zod';
import { idSchema } from '../ids';
import { machineStateSchema } from '../payloads';
import { sparkplugIdSchema } from '../sparkplug-topics';

/**
 * The plant model's `sparkplug:` key (docs/config-reference.md "sparkplug"): which Sparkplug B
 * groups ingest subscribes to, and how edge nodes and devices become machines, metrics tags,
 * state and counts (docs/decisions.md "Issue 24 — Sparkplug B in").
 */

/** A metric that carries the machine state, with its values mapped to Takt's states. */
const stateMappingSchema = z.strictObject({
  metric: z.string().min(1).max(256),
  /** Metric value (as text: `"1"`, `"true"`, `"RUN"`) → machine state. */
  values: z.record(z.string().min(1).max(64), machineStateSchema),
});

export const sparkplugDeviceSchema = z.strictObject({
  /** The Sparkplug device id; absent: the edge node's own metrics (NBIRTH/NDATA). */
  device: sparkplugIdSchema.optional(),
  machine: idSchema,
  /** Metric name → tag. */
  tags: z.record(z.string().min(1).max(256), idSchema).default({}),
  state: stateMappingSchema.optional(),
  /** Absolute good/reject counters (metric names), as Takt's count payload carries them. */
  good: z.string().min(1).max(256).optional(),
  reject: z.string().min(1).max(256).optional(),
  /** The counters' modulus when they wrap (65536 for a 16-bit register). */
  rollover: z.number().int().min(2).optional(),
});
export type SparkplugDeviceMapping = z.output<typeof sparkplugDeviceSchema>;

export const sparkplugNodeSchema = z.strictObject({
  group: sparkplugIdSchema,
  node: sparkplugIdSchema,
  /** The Takt gateway id the node's data is stored under (its status, its machines' binding). */
  gateway: idSchema,
  devices: z.array(sparkplugDeviceSchema).min(1),
});
export type SparkplugNodeMapping = z.output<typeof sparkplugNodeSchema>;

/**
 * Dedupe slots per node: a stored value's key is (gateway, metric timestamp × 1024 + slot)
 * (ingest/src/sparkplug/mapping.ts), so a node maps at most this many metrics.
 */
export const SPARKPLUG_SLOTS_PER_NODE = 1024;

export const sparkplugConfigSchema = z
  .strictObject({
    /** Groups to subscribe (`spBv1.0/<group>/#`). */
    groups: z.array(sparkplugIdSchema).min(1),
    /** A metric of a mapped device that the mapping does not name: dropped, or a dead letter. */
    unmapped: z.enum(['ignore', 'dead-letter']).default('ignore'),
    nodes: z.array(sparkplugNodeSchema).default([]),
  })
  .superRefine((config, ctx) => {
    const nodes = new Set<string>();
    const gateways = new Set<string>();
    const machines = new Set<string>();
    config.nodes.forEach((node, ni) => {
      const key = `${node.group}/${node.node}`;
      if (nodes.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', ni],
          message: `node ${key} is mapped twice`,
        });
      nodes.add(key);
      if (gateways.has(node.gateway))
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', ni, 'gateway'],
          message: `gateway "${node.gateway}" is given to two nodes`,
        });
      gateways.add(node.gateway);
      if (!config.groups.includes(node.group))
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', ni, 'group'],
          message: `group "${node.group}" is not in sparkplug.groups, so it is never read`,
        });
      if (sparkplugSlots(node).length > SPARKPLUG_SLOTS_PER_NODE)
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', ni, 'devices'],
          message: `a node maps at most ${SPARKPLUG_SLOTS_PER_NODE} metrics`,
        });
      const devices = new Set<string>();
      node.devices.forEach((device, di) => {
        const path = ['nodes', ni, 'devices', di];
        const id = device.device ?? '';
        if (devices.has(id))
          ctx.addIssue({ code: 'custom', path, message: `device "${id}" is mapped twice` });
        devices.add(id);
        if (machines.has(device.machine))
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'machine'],
            message: `machine "${device.machine}" is mapped from two devices`,
          });
        machines.add(device.machine);
        if (device.reject !== undefined && device.good === undefined)
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'good'],
            message: 'a reject counter needs a good counter beside it',
          });
      });
    });
  });
export type SparkplugConfig = z.output<typeof sparkplugConfigSchema>;

/**
 * A node's dedupe slots in a fixed order: per device its state, its death (the state written
 * on DDEATH/NDEATH), its counts, then its tags in the order written.
 */
export function sparkplugSlots(node: SparkplugNodeMapping): string[] {
  return node.devices.flatMap((d) => {
    const id = d.device ?? '';
    return [
      `${id}\0state`,
      `${id}\0death`,
      `${id}\0count`,
      ...Object.keys(d.tags).map((m) => `${id}\0tag\0${m}`),
    ];
  });
}

/** Mapped machines the plant model does not declare. */
export function sparkplugProblems(
  config: SparkplugConfig | undefined,
  machines: ReadonlySet<string>,
): { path: (string | number)[]; message: string }[] {
  return (config?.nodes ?? []).flatMap((node, ni) =>
    node.devices.flatMap((device, di) =>
      machines.has(device.machine)
        ? []
        : [
            {
              path: ['nodes', ni, 'devices', di, 'machine'],
              message: `unknown machine "${device.machine}" (declare it under lines)`,
            },
          ],
    ),
  );
}
