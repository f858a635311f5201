import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayConfigSchema, type DeviceConfig } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import type { OutMessage } from '../../src/mapper';
import { SparkplugModel } from '../../src/sparkplug/model';
import { BdSeqStore, SparkplugSeq } from '../../src/sparkplug/sequence';

const devices = gatewayConfigSchema.parse({
  gateway: { id: 'gw', site: 's' },
  mqtt: { url: 'mqtt://127.0.0.1:1' },
  sparkplug: { group: 'Plant' },
  devices: [
    {
      id: 'd1',
      driver: 'simulated',
      machine: 'm1',
      tags: [
        { name: 'temp', channel: 'metric', signal: { kind: 'constant', value: 1 } },
        { name: 'label', channel: 'metric', signal: { kind: 'constant', value: 1 } },
        {
          name: 'st',
          channel: 'state',
          states: { '1': 'running' },
          signal: { kind: 'constant', value: 1 },
        },
      ],
    },
    {
      id: 'd2',
      driver: 'simulated',
      machine: 'm2',
      tags: [{ name: 'good', channel: 'count.good', signal: { kind: 'counter', perMinute: 1 } }],
    },
  ],
}).devices as DeviceConfig[];

const metrics = (
  machineId: string,
  values: Record<string, number | string | null>,
): OutMessage => ({
  machineId,
  kind: 'metrics',
  body: {
    readings: Object.entries(values).map(([tag, value]) => ({
      tag,
      value,
      ts: 1,
      quality: 'good',
    })),
  },
});

describe('the Sparkplug model of a gateway', () => {
  it('declares every metric of a machine at birth, null until known, with node-unique aliases', () => {
    const model = new SparkplugModel(devices);
    expect(model.machines()).toEqual(['m1', 'm2']);
    const m1 = model.birth('m1', 1);
    expect(m1.map((m) => [m.name, m.type, m.value])).toEqual([
      ['tags/temp', 'Double', null],
      ['tags/label', 'Double', null],
      ['state', 'String', null],
      ['state/code', 'Int32', null],
    ]);
    const m2 = model.birth('m2', 1);
    expect(m2.map((m) => m.name)).toEqual(['count/good', 'count/reject']);
    const aliases = [...m1, ...m2].map((m) => m.alias);
    expect(new Set(aliases).size).toBe(aliases.length);
    expect(aliases).not.toContain(0); // bdSeq
    expect(aliases).not.toContain(1); // Node Control/Rebirth
  });

  it('puts in DDATA only what changed since the last message, by alias', () => {
    const model = new SparkplugModel(devices);
    model.apply([metrics('m1', { temp: 20, label: 3 })], 5);
    const birth = model.birth('m1', 5);
    expect(birth.find((m) => m.name === 'tags/temp')!.value).toBe(20);
    expect(model.data('m1')).toEqual([]);
    model.apply([metrics('m1', { temp: 21, label: 3 })], 6);
    const data = model.data('m1');
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ alias: birth[0]!.alias, value: 21 });
    expect(data[0]!.name).toBeUndefined();
    // A quality change alone is a change.
    model.apply(
      [
        {
          machineId: 'm1',
          kind: 'metrics',
          body: { readings: [{ tag: 'temp', value: 21, ts: 7, quality: 'bad' }] },
        },
      ],
      7,
    );
    expect(model.data('m1')[0]!.properties!.Quality.value).toBe(0);
  });

  it('asks for a new birth when a value does not fit the declared type', () => {
    const model = new SparkplugModel(devices);
    model.birth('m1', 1);
    expect(model.isBorn('m1')).toBe(true);
    model.apply([metrics('m1', { label: 'A-12' })], 2);
    expect(model.isBorn('m1')).toBe(false);
    expect(model.hasSession('m1')).toBe(true);
    const again = model.birth('m1', 3);
    expect(again.find((m) => m.name === 'tags/label')).toMatchObject({
      type: 'String',
      value: 'A-12',
    });
    expect(model.isBorn('m1')).toBe(true);
  });

  it('maps state and counts, and kills a machine until its next birth', () => {
    const model = new SparkplugModel(devices);
    model.birth('m2', 1);
    model.apply([{ machineId: 'm2', kind: 'count', body: { good: 7, reject: 0 } }], 2);
    expect(model.data('m2').map((m) => m.value)).toEqual([7, 0]);
    model.kill('m2');
    expect(model.hasSession('m2')).toBe(false);
    expect(model.data('m2')).toEqual([]);
    expect(model.machinesOf('d2')).toEqual(['m2']);
  });
});

describe('Sparkplug sequence numbers', () => {
  it('seq is 0 at the NBIRTH and wraps 255 → 0', () => {
    const seq = new SparkplugSeq();
    expect(seq.birth()).toBe(0);
    const next = Array.from({ length: 257 }, () => seq.next());
    expect(next[0]).toBe(1);
    expect(next[254]).toBe(255);
    expect(next[255]).toBe(0);
    expect(seq.birth()).toBe(0);
  });

  it('bdSeq moves on per CONNECT, survives a restart and wraps 255 → 0', () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-bdseq-'));
    const errors: string[] = [];
    const first = new BdSeqStore(dir, (e) => errors.push(e));
    expect(first.value).toBe(0);
    expect(first.advance()).toBe(1); // an attempt that did not connect: not kept
    expect(first.advance()).toBe(2);
    first.save(); // the session with bdSeq 2 came up
    expect(new BdSeqStore(dir, (e) => errors.push(e)).value).toBe(3);
    writeFileSync(join(dir, 'sparkplug-bdseq.json'), JSON.stringify({ bdSeq: 255 }));
    expect(new BdSeqStore(dir, (e) => errors.push(e)).value).toBe(0);
    expect(errors).toEqual([]);
    writeFileSync(join(dir, 'sparkplug-bdseq.json'), '{"bdSeq":"x"}');
    expect(new BdSeqStore(dir, (e) => errors.push(e)).value).toBe(0);
    expect(errors).toHaveLength(1);
  });
});
