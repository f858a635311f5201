import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoOrders } from '../../scripts/demo-orders';
import { startStack, type Stack } from '../helpers/stack';
import { waitFor } from '../helpers/wait';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

type Order = { id: string; customer: string; operations: { id: string; status: string }[] };

const seed = () =>
  seedDemoOrders({
    url: stack.ingest.url,
    token: stack.adminToken,
    mqttUrl: stack.mqttUrl,
    gateway: {
      site: stack.gateway.gateway.site,
      id: stack.gateway.gateway.id,
      username: 'gw-demo-1',
      password: stack.credentials.gateway,
    },
  });

describe("npm start's demo work orders", () => {
  it('creates five orders of three customers, and starts four by a scan at their machine', async () => {
    expect(await seed()).toBe(5);
    const running = await waitFor('four started orders', async () => {
      const response = await stack.api('/api/work-orders');
      const orders = (await response.json()) as Order[];
      const started = orders.filter((o) => o.operations[0]?.status === 'running');
      return started.length === 4 ? orders : undefined;
    });
    expect(running.map((o) => o.id).sort()).toEqual([
      'WO-24117',
      'WO-24118',
      'WO-24119',
      'WO-24120',
      'WO-24121',
    ]);
    expect(new Set(running.map((o) => o.customer)).size).toBe(3);
    expect(running.find((o) => o.id === 'WO-24121')!.operations[0]!.status).toBe('pending');
  });

  it('leaves the orders of an earlier run alone when started again', async () => {
    expect(await seed()).toBe(0);
  });
});
