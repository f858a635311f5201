import { simulatedDeviceSchema, type SimulatedDeviceConfig } from '@takt/protocol';
import type { DriverContext, DriverModule, PolledDriver, TagReading } from '../types';

type Signal = SimulatedDeviceConfig['tags'][number]['signal'];

/** A signal's value `elapsedMs` after start: a pure function, so tests know what to expect. */
export function signalValue(signal: Signal, elapsedMs: number): number | boolean | string {
  const s = elapsedMs / 1000;
  switch (signal.kind) {
    case 'sine':
      return (
        signal.min +
        ((signal.max - signal.min) * (1 + Math.sin((2 * Math.PI * s) / signal.periodS))) / 2
      );
    case 'counter':
      return Math.floor((s / 60) * signal.perMinute);
    case 'constant':
      return signal.value;
    case 'cycle':
      return signal.values[Math.floor(s / signal.stepS) % signal.values.length]!;
    case 'sequence':
      return Math.floor(elapsedMs / signal.stepMs); // read() passes epoch ms for this one
  }
}

class SimulatedDriver implements PolledDriver {
  readonly mode = 'poll';
  private open = false;
  private readonly startedAt: number;
  /** Per `sequence` tag, the last slot read. */
  private readonly lastSlot = new Map<string, number>();

  constructor(
    private readonly config: SimulatedDeviceConfig,
    private readonly ctx: DriverContext,
  ) {
    this.startedAt = ctx.now();
  }

  get connected(): boolean {
    return this.open;
  }

  async connect(): Promise<void> {
    this.open = true;
  }

  async read(): Promise<TagReading[]> {
    const ts = this.ctx.now();
    return this.config.tags.flatMap((tag): TagReading[] => {
      if (tag.signal.kind === 'sequence') return this.sequence(tag.name, tag.signal.stepMs, ts);
      const raw = signalValue(tag.signal, ts - this.startedAt);
      const value =
        typeof raw === 'number' ? Number((raw * tag.scale + tag.offset).toPrecision(12)) : raw;
      return [{ tag: tag.name, value, quality: 'good', ts }];
    });
  }

  /** Every slot since the last read (the first read: the current slot only). */
  private sequence(tag: string, stepMs: number, nowMs: number): TagReading[] {
    const current = Math.floor(nowMs / stepMs);
    const from = (this.lastSlot.get(tag) ?? current - 1) + 1;
    this.lastSlot.set(tag, current);
    const out: TagReading[] = [];
    for (let slot = from; slot <= current; slot++)
      out.push({ tag, value: slot, quality: 'good', ts: slot * stepMs });
    return out;
  }

  async stop(): Promise<void> {
    this.open = false;
  }
}

/** No hardware: values from formulas, for demos and for testing everything past the driver. */
export const simulatedDriver: DriverModule<SimulatedDeviceConfig> = {
  kind: 'simulated',
  configSchema: simulatedDeviceSchema,
  create: (config, ctx) => new SimulatedDriver(config, ctx),
};
