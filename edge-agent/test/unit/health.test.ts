import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayConfigSchema } from '@takt/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  agentArch,
  configVersion,
  deviceMachines,
  queueHealth,
  reportedConfigVersion,
} from '../../src/health';
import { DiskQueue } from '../../src/queue/disk-queue';

const config = (devices: unknown[]) =>
  gatewayConfigSchema.parse({
    gateway: { id: 'gw-1', site: 's' },
    mqtt: { url: 'mqtt://127.0.0.1:1883' },
    devices,
  });
const sim = {
  id: 'sim',
  driver: 'simulated',
  machine: 'm1',
  tags: [
    { name: 'a', channel: 'metric', signal: { kind: 'constant', value: 1 } },
    { name: 'b', machine: 'm2', channel: 'metric', signal: { kind: 'constant', value: 2 } },
  ],
};

describe('configVersion', () => {
  it('is the same for the same content in any key order, and changes with the content', () => {
    const a = configVersion(config([sim]));
    const reordered = configVersion(
      config([{ tags: sim.tags, machine: 'm1', driver: 'simulated', id: 'sim' }]),
    );
    const changed = configVersion(config([{ ...sim, machine: 'm3' }]));
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(reordered).toBe(a);
    expect(changed).not.toBe(a);
  });
});

describe('deviceMachines', () => {
  it("names the device's machine and those its tags name, once each", () => {
    expect(deviceMachines(config([sim]).devices[0]!)).toEqual(['m1', 'm2']);
  });
});

describe('queueHealth', () => {
  it("gives the oldest unacked message's stamp, the next one once that is acked, none when empty", () => {
    const q = new DiskQueue({
      dir: mkdtempSync(join(tmpdir(), 'takt-health-')),
      maxBytes: 1 << 20,
      segmentBytes: 4096,
      fsync: 'always',
      fsyncIntervalMs: 1000,
      log: pino({ level: 'silent' }),
    });
    expect(queueHealth(q)).toEqual({ pending: 0, bytes: 0, lost: 0 });
    const rec = (seq: number, ts: number) => ({
      seq,
      topic: 't',
      payload: JSON.stringify({ v: 1, seq, ts, readings: [] }),
    });
    q.append([rec(1, 1_000), rec(2, 2_000)]);
    expect(queueHealth(q)).toMatchObject({ pending: 2, oldestAt: 1_000 });
    q.ack([[1, 1]]);
    expect(queueHealth(q)).toMatchObject({ pending: 1, oldestAt: 2_000 });
    q.ack([[2, 2]]);
    expect(queueHealth(q).oldestAt).toBeUndefined();
    q.close();
  });
});

describe('reportedConfigVersion (docs/decisions.md "Issue 25 — signed agent updates (server)")', () => {
  it('says v<N> while the file is the applied remote version, else the hash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'takt-health-'));
    const file = join(dir, 'gw.yaml');
    const text = 'gateway: { id: gw-1, site: s }\n';
    writeFileSync(file, text);
    const running = config([sim]);
    expect(reportedConfigVersion(running, undefined)).toBe(configVersion(running));
    // Never pushed: no config-version file.
    expect(reportedConfigVersion(running, { file, stateDir: dir })).toBe(configVersion(running));
    const sha256 = createHash('sha256').update(text).digest('hex');
    writeFileSync(join(dir, 'config-version'), JSON.stringify({ version: 7, sha256 }));
    expect(reportedConfigVersion(running, { file, stateDir: dir })).toBe('v7');
    // Edited on the gateway since: the hash of what runs.
    writeFileSync(file, `${text}# local edit\n`);
    expect(reportedConfigVersion(running, { file, stateDir: dir })).toBe(configVersion(running));
  });

  it('names this machine by the package architectures', () => {
    const names: Record<string, string> = { arm64: 'arm64', arm: 'armv7', x64: 'x64' };
    expect(agentArch()).toBe(names[process.arch]);
  });
});
