import mqtt from 'mqtt';
import { encodePayload, topics, type WorkOrderInput } from '@takt/protocol';

const HOUR = 3_600_000;

/** The demo's open orders, due relative to now so the orders board always has a story. */
function demoOrders(now: number): WorkOrderInput[] {
  const due = (hours: number) => new Date(now + hours * HOUR).toISOString();
  const order = (
    id: string,
    customer: string,
    product: string,
    quantity: number,
    dueInHours: number,
    machines: string[],
  ): WorkOrderInput => ({
    id,
    customer,
    product,
    quantity,
    dueAt: due(dueInHours),
    priority: 0,
    operations: machines.map((machine, i) => ({ id: `OP${(i + 1) * 10}`, machine })),
  });
  return [
    // Pressed, then assembled at the assembly-01 station (its scanner and /station/assembly-01).
    order('WO-24117', '恒立汽配 Hengli Auto Parts', 'bracket-b12', 600, 5, [
      'press-01',
      'assembly-01',
    ]),
    order('WO-24118', '恒立汽配 Hengli Auto Parts', 'bracket-b12', 400, 30, [
      'press-02',
      'assembly-01',
    ]),
    order('WO-24119', '苏州精密 Suzhou Precision', 'housing-h7', 150, 3, ['cnc-01']),
    order('WO-24120', '苏州精密 Suzhou Precision', 'housing-h7', 90, 20, ['cnc-02']),
    order('WO-24121', '宁波机电 Ningbo Mechatronics', 'bracket-b12', 250, 52, [
      'press-01',
      'cnc-02',
    ]),
  ];
}

export interface DemoOrdersOptions {
  url: string;
  /** A session of a manager or admin (`Authorization: Bearer`). */
  token: string;
  mqttUrl: string;
  gateway: { site: string; id: string; username: string; password: string };
}

/**
 * Work orders for the demo (a new database only): five open orders of three customers, the
 * first four started by a scan at their machine, as an operator would, so the orders board,
 * the line boards and a customer link show progress from the first minute. Orders go in
 * through the API (as an ERP import would); the scans through the broker as the demo
 * gateway's (a second connection of its account), so they take the path real scans take.
 */
export async function seedDemoOrders(o: DemoOrdersOptions): Promise<number> {
  const created: WorkOrderInput[] = [];
  for (const order of demoOrders(Date.now())) {
    const response = await fetch(`${o.url}/api/work-orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(order),
    });
    if (response.status === 201) created.push(order);
    else if (response.status !== 409)
      throw new Error(`demo order ${order.id}: HTTP ${response.status} ${await response.text()}`);
  }
  const toStart = created.filter((order) => order.id !== 'WO-24121');
  if (toStart.length === 0) return 0;
  const client = await mqtt.connectAsync(o.mqttUrl, {
    clientId: `takt-gw-${o.gateway.id}/demo-operator`,
    username: o.gateway.username,
    password: o.gateway.password,
  });
  try {
    // Its own seq range, far above the edge agent's, new every run.
    let seq = 8_000_000_000_000_000 + Date.now();
    for (const order of toStart) {
      const op = order.operations[0]!;
      const scan = {
        v: 1 as const,
        seq: seq++,
        ts: Date.now(),
        code: `${order.id}|${op.id}`,
        workOrder: order.id,
        operation: op.id,
        action: 'start',
      };
      await client.publishAsync(
        topics.machine(o.gateway.site, o.gateway.id, op.machine, 'scan'),
        encodePayload('scan', scan),
        { qos: 1 },
      );
    }
  } finally {
    await client.endAsync();
  }
  return created.length;
}
