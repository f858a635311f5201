import { z } from 'zod';
import { ADMIN, DEAD_LETTER_READERS, defineRoute } from './contract';
import { idSchema, pathIdSchema, timeOut } from './common';

/**
 * A machine (or station) and the gateway that speaks for it (docs/decisions.md "Issue 18 —
 * machines bound to gateways; OPC UA trust"): what ingest judges every message by.
 */
export const gatewayBindingSchema = z
  .object({
    machine: z.string().describe('a machine or a station (the topic level after the gateway)'),
    role: z
      .enum(['machine', 'station'])
      .describe(
        '`machine`: its metrics, state and counts; `station`: the scans of the station of that id',
      ),
    gateway: z.string(),
    since: timeOut,
    source: z
      .enum(['declared', 'first-seen'])
      .describe(
        '`declared`: the plant model names the gateway; `first-seen`: the first gateway whose message for it was stored',
      ),
  })
  .meta({ id: 'GatewayBinding' });
export type GatewayBinding = z.output<typeof gatewayBindingSchema>;

/** A gateway's device as its latest status names it (docs/decisions.md "Issue 25 — gateway health"). */
export const gatewayDeviceSchema = z
  .object({
    id: z.string(),
    connected: z.boolean(),
    machines: z
      .array(z.string())
      .describe(
        'the machines and stations its tags belong to (empty from agents before 0.x that do not say)',
      ),
  })
  .meta({ id: 'GatewayDevice' });

export const gatewaySummarySchema = z
  .object({
    id: z.string(),
    online: z
      .boolean()
      .describe(
        'its latest status is `online` and came within the last 30 s (the agent sends one every 10 s)',
      ),
    lastSeenAt: timeOut.nullable().describe('when ingest last received its status'),
    agentVersion: z.string().nullable(),
    configVersion: z
      .string()
      .nullable()
      .describe(
        "`v<N>`: it runs remote configuration's version N unchanged; else a short sha256 of the running config's canonical content (a local file)",
      ),
    arch: z
      .string()
      .nullable()
      .describe(
        'the package architecture it runs on (arm64, armv7, x64); null from agents before it was reported',
      ),
    queueDepth: z.number().int().nullable().describe('messages on its disk waiting for ack'),
    oldestUnackedAt: timeOut
      .nullable()
      .describe('when the oldest of them was stamped; null with an empty queue'),
    queueLost: z.number().int().nullable().describe('messages its overflow policy dropped, ever'),
    clockOffsetMs: z
      .number()
      .int()
      .nullable()
      .describe(
        "its clock minus ingest's, from its latest live message (send stamp minus receive time: the network delay makes it that much lower)",
      ),
    clockSkewed: z.boolean().describe('the offset is beyond the timestamp horizon (2 s)'),
    devices: z.array(gatewayDeviceSchema),
    deadLetters24h: z.number().int().describe('its messages kept as dead letters in the last 24 h'),
  })
  .meta({ id: 'GatewaySummary' });
export type GatewaySummary = z.output<typeof gatewaySummarySchema>;

export const gatewayTagSchema = z
  .object({
    machine: z.string(),
    tag: z.string(),
    value: z.union([z.number(), z.boolean(), z.string()]).nullable(),
    unit: z.string().nullable(),
    quality: z.enum(['good', 'uncertain', 'bad']),
    time: timeOut,
  })
  .meta({ id: 'GatewayTag' });
export type GatewayTag = z.output<typeof gatewayTagSchema>;

export const gatewayDetailSchema = gatewaySummarySchema
  .extend({
    tags: z
      .array(gatewayTagSchema)
      .describe("the latest value of every tag of its devices' machines, by machine and tag"),
  })
  .meta({ id: 'GatewayDetail' });
export type GatewayDetail = z.output<typeof gatewayDetailSchema>;

export const gatewayRoutes = {
  list: defineRoute({
    method: 'GET',
    path: '/api/gateways',
    access: DEAD_LETTER_READERS,
    summary: "Every gateway's health",
    description:
      'Online, last seen, agent and config versions, the disk queue, the clock offset, devices and dead letters of the last 24 h, from the latest status of each gateway. For the people who fix gateways, as in `/api/health`.',
    response: z.array(gatewaySummarySchema),
    responseDescription: 'the gateways, by id',
  }),
  detail: defineRoute({
    method: 'GET',
    path: '/api/gateways/:id',
    access: DEAD_LETTER_READERS,
    summary: "A gateway's health, devices and their tags' latest values",
    params: z.strictObject({ id: pathIdSchema }),
    response: gatewayDetailSchema,
    responseDescription: 'the gateway',
    errors: { 400: 'a bad gateway id', 404: 'no such gateway' },
  }),

  bindings: defineRoute({
    method: 'GET',
    path: '/api/gateways/bindings',
    access: ADMIN,
    summary: 'Which gateway speaks for each machine and station',
    description:
      "A message from any other gateway for that machine goes to dead letters with the reason and changes nothing. Machines the plant model does not bind are bound to the first gateway whose message for them is stored. A station browser's scans (`web:<device>`) are not bound.",
    response: z.array(gatewayBindingSchema),
    responseDescription: 'the bindings, by machine',
  }),
  release: defineRoute({
    method: 'DELETE',
    path: '/api/gateways/bindings/:machine',
    access: ADMIN,
    summary: "Release a machine's first-seen bindings (it moved to another gateway)",
    description:
      "The next gateway whose message for the machine (or its station) is stored is bound to it. Without `role`, both the machine's and its station's first-seen bindings go. A binding the plant model declares is changed in the plant model, not here (409).",
    params: z.strictObject({ machine: idSchema }),
    query: z.strictObject({
      role: z.enum(['machine', 'station']).optional().describe('only this binding'),
    }),
    response: z.array(gatewayBindingSchema),
    responseDescription: 'the released bindings',
    errors: {
      400: 'a bad machine id or role',
      404: 'the machine is bound to no gateway',
      409: 'the plant model declares its binding',
    },
  }),
};
