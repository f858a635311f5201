import { plantModelSchema } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import type { IngestItem } from '../../src/pipeline/items';
import { codec, SparkplugIntake } from '../../src/sparkplug/intake';

/** Topic + bytes → pipeline items, without a broker (docs/decisions.md "Issue 24 — Sparkplug B in"). */
const plant = plantModelSchema.parse({
  site: { id: 's', name: 'S' },
  lines: [{ id: 'l', name: 'L', machines: [{ id: 'm1', name: 'M1' }] }],
  sparkplug: {
    groups: ['G'],
    nodes: [
      {
        group: 'G',
        node: 'N',
        gateway: 'gw-n',
        devices: [
          {
            device: 'd',
            machine: 'm1',
            tags: { Blob: 'blob', Speed: 'speed' },
            state: { metric: 'Status', values: { '1': 'running', '3': 'down' } },
            good: 'Good',
            reject: 'Reject',
          },
        ],
      },
    ],
  },
});
type M = { name?: string; alias?: number; type: string; value: unknown; timestamp?: number };

function session() {
  const intake = new SparkplugIntake(plant, plant.sparkplug!);
  let seq = 0;
  const send = (type: string, metrics: M[], device = true) => {
    const topic = device ? `spBv1.0/G/${type}/N/d` : `spBv1.0/G/${type}/N`;
    const payload = Buffer.from(
      codec.encodePayload({ timestamp: 5000, seq: seq++ % 256, metrics: metrics as never }),
    );
    return intake.receive(topic, payload, 9000);
  };
  send('NBIRTH', [{ name: 'bdSeq', type: 'UInt64', value: 0 }], false);
  return send;
}

const messages = (items: IngestItem[]) =>
  items.flatMap((i) => (i.kind === 'message' ? [i.message] : []));
const reasons = (items: IngestItem[]) =>
  items.flatMap((i) => (i.kind === 'dead' ? [i.reason] : []));

describe('Sparkplug intake', () => {
  it('maps a DBIRTH to state, tags and counts at the metrics’ own time, seq = ts × 1024 + slot', () => {
    const send = session();
    const { items } = send('DBIRTH', [
      { name: 'Status', alias: 1, type: 'Int32', value: 3, timestamp: 1000 },
      { name: 'Speed', alias: 2, type: 'Double', value: 1.5, timestamp: 1000 },
      { name: 'Good', alias: 3, type: 'Int64', value: 10, timestamp: 1000 },
      { name: 'Reject', alias: 4, type: 'Int64', value: 2, timestamp: 1000 },
    ]);
    expect(reasons(items)).toEqual([]);
    expect(messages(items)).toMatchObject([
      {
        kind: 'state',
        machineId: 'm1',
        gatewayId: 'gw-n',
        payload: { state: 'down', code: 3, ts: 1000, seq: 1000 * 1024 },
      },
      {
        kind: 'metrics',
        payload: { ts: 1000, readings: [{ tag: 'speed', value: 1.5, ts: 1000 }] },
      },
      { kind: 'count', payload: { good: 10, reject: 2, ts: 1000, seq: 1000 * 1024 + 2 } },
    ]);
  });

  it('keeps the last reject when a DDATA by exception carries only good', () => {
    const send = session();
    send('DBIRTH', [
      { name: 'Good', alias: 3, type: 'Int64', value: 10 },
      { name: 'Reject', alias: 4, type: 'Int64', value: 2 },
    ]);
    const { items } = send('DDATA', [{ alias: 3, type: 'Int64', value: 11, timestamp: 6000 }]);
    expect(messages(items)).toMatchObject([
      { kind: 'count', payload: { good: 11, reject: 2, ts: 6000 } },
    ]);
  });

  it('makes a dead letter of a state value the mapping does not name and of a type a tag cannot hold', () => {
    const send = session();
    const { items } = send('DBIRTH', [
      { name: 'Status', alias: 1, type: 'Int32', value: 7 },
      { name: 'Blob', alias: 2, type: 'Bytes', value: new Uint8Array([1, 2]) },
      { name: 'Speed', alias: 3, type: 'Double', value: 4 },
    ]);
    expect(reasons(items)).toEqual([
      'state metric "Status" has value "7", which the mapping does not name',
      expect.stringMatching(/^metric "Blob" \(Bytes\) cannot be stored/),
    ]);
    expect(messages(items)).toMatchObject([
      { kind: 'metrics', payload: { readings: [{ tag: 'speed', value: 4 }] } },
    ]);
  });

  it('asks for a rebirth once per 2 s per node, and again at once after a new NBIRTH', () => {
    const send = session();
    expect(send('DDATA', [{ alias: 1, type: 'Int32', value: 1 }]).rebirth).toEqual({
      group: 'G',
      node: 'N',
    });
    expect(send('DDATA', [{ alias: 1, type: 'Int32', value: 1 }]).rebirth).toBeUndefined();
    send('NBIRTH', [{ name: 'bdSeq', type: 'UInt64', value: 1 }], false);
    expect(send('DDATA', [{ alias: 1, type: 'Int32', value: 1 }]).rebirth).toEqual({
      group: 'G',
      node: 'N',
    });
  });

  it('turns a matching NDEATH into the gateway offline and the machine unknown at receipt time', () => {
    const send = session();
    const { items } = send('NDEATH', [{ name: 'bdSeq', type: 'UInt64', value: 0 }], false);
    expect(messages(items)).toMatchObject([
      { kind: 'status', gatewayId: 'gw-n', payload: { status: 'offline', ts: 9000 } },
      {
        kind: 'state',
        machineId: 'm1',
        payload: { state: 'unknown', reason: 'Sparkplug NDEATH', ts: 9000 },
      },
    ]);
  });
});
