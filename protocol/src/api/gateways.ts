import { z } from 'zod';
import { ADMIN, defineRoute } from './contract';
import { idSchema, timeOut } from './common';

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

export const gatewayRoutes = {
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
