import type { DeviceConfig } from '@takt/protocol';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { createDriver } from '../../src/drivers/registry';
import type { Driver, DriverContext, TagReading } from '../../src/drivers/types';

/**
 * The driver contract as a test suite (docs/architecture.md "Conventions" 2), run by every driver's tests against a
 * real peer. `peer()` starts (or reuses) the peer and returns a device config pointing at
 * it; `unreachable()` returns a config whose endpoint answers nothing.
 */
export interface ContractPeer {
  peer(): Promise<DeviceConfig>;
  unreachable(): DeviceConfig;
  /** Tags that must arrive with good quality from the live peer. */
  goodTags: readonly string[];
  /** How long to wait for readings (push drivers with sampling intervals). */
  waitMs?: number;
  ctx?: Partial<DriverContext>;
}

export function contractContext(extra: Partial<DriverContext> = {}): DriverContext {
  return {
    log: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    now: Date.now,
    stateDir: extra.stateDir ?? `${process.env.TMPDIR ?? '/tmp'}/takt-contract`,
    env: process.env,
    ...extra,
  };
}

/** Readings a driver delivers within `ms` (polls a polled driver, listens to a push one). */
export async function collect(
  driver: Driver,
  ms: number,
): Promise<{ readings: TagReading[]; connections: boolean[] }> {
  const readings: TagReading[] = [];
  const connections: boolean[] = [];
  const deadline = Date.now() + ms;
  if (driver.mode === 'poll') {
    try {
      await driver.connect();
      connections.push(true);
    } catch {
      connections.push(false);
    }
    while (Date.now() < deadline) {
      readings.push(...(await driver.read()));
      await new Promise((r) => setTimeout(r, 100));
    }
  } else {
    await driver.start({
      readings: (r) => readings.push(...r),
      connection: (c) => connections.push(c),
    });
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
  }
  return { readings, connections };
}

export function runDriverContract(name: string, peer: ContractPeer): void {
  const open: Driver[] = [];
  const make = async (config: DeviceConfig) => {
    const driver = await createDriver(config, contractContext(peer.ctx));
    open.push(driver);
    return driver;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.stop(3000)));
  });

  it(`${name}: delivers every configured tag with good quality from a live peer`, async () => {
    const driver = await make(await peer.peer());
    const { readings } = await collect(driver, peer.waitMs ?? 1500);
    for (const tag of peer.goodTags) {
      const good = readings.filter((r) => r.tag === tag && r.quality === 'good');
      expect(good.length, `good readings of ${tag}`).toBeGreaterThan(0);
      expect(Number.isFinite(good[0]!.ts)).toBe(true);
    }
    expect(driver.connected).toBe(true);
  });

  it(`${name}: stops within its bound and lets go of the peer`, async () => {
    const driver = await make(await peer.peer());
    await collect(driver, 300);
    const t0 = Date.now();
    await driver.stop(2000);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(driver.connected).toBe(false);
  });

  it(`${name}: an unreachable device gives bad quality or a down connection, never a throw`, async () => {
    const driver = await make(peer.unreachable());
    const { readings, connections } = await collect(driver, peer.waitMs ?? 1500);
    expect(driver.connected).toBe(false);
    expect(readings.every((r) => r.quality !== 'good')).toBe(true);
    expect(connections.includes(true)).toBe(false);
  });
}
