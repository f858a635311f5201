import type { MachineState, ScenarioMachine } from '@takt/protocol';
import { SIM_REGISTERS, SIM_STATE_CODES } from '@takt/protocol';

/** What a simulated PLC holds at one instant. */
export interface SimValues {
  good: number;
  reject: number;
  state: MachineState;
  temperatureC: number;
  /** The last piece's measured diameter, where the machine has a gauge (scenario `gauge`). */
  diameterMm?: number;
}

/** Share of full speed at which each state makes pieces. */
const SPEED: Record<MachineState, number> = {
  running: 1,
  reduced_speed: 0.5,
  microstop: 0,
  idle: 0,
  down: 0,
  unknown: 0,
};

/**
 * The machine's values after `elapsedMs` of its scenario: a closed form, so that the same
 * scenario and time always give the same values (tests assert them exactly).
 */
export function simulateMachine(machine: ScenarioMachine, elapsedMs: number): SimValues {
  const steps = machine.schedule.map((s) => ({ state: s.state, ms: s.durationS * 1000 }));
  const cycleMs = steps.reduce((sum, s) => sum + s.ms, 0);
  const productiveMsPerCycle = steps.reduce((sum, s) => sum + s.ms * SPEED[s.state], 0);
  const fullCycles = Math.floor(elapsedMs / cycleMs);
  let rest = elapsedMs - fullCycles * cycleMs;
  let productiveMs = fullCycles * productiveMsPerCycle;
  let state: MachineState = steps[0]!.state;
  for (const step of steps) {
    state = step.state;
    const spent = Math.min(rest, step.ms);
    productiveMs += spent * SPEED[step.state];
    rest -= spent;
    if (rest <= 0 && spent < step.ms) break;
  }
  const pieces = Math.floor(productiveMs / machine.cycleTimeMs);
  const every = machine.rejectRate > 0 ? Math.max(1, Math.round(1 / machine.rejectRate)) : 0;
  const reject = every > 0 ? Math.floor(pieces / every) : 0;
  const { baseC, swingC, periodS } = machine.temperature;
  const warm = SPEED[state] > 0 ? 1 : 0;
  const temperatureC =
    baseC + warm + swingC * Math.sin((2 * Math.PI * elapsedMs) / (periodS * 1000));
  const values: SimValues = { good: pieces - reject, reject, state, temperatureC };
  if (machine.gauge) values.diameterMm = gaugeReading(machine.gauge, pieces);
  return values;
}

/** A number in [0, 1) from a piece number: the same piece always measures the same. */
function unit(piece: number, salt: number): number {
  let h = (Math.imul(piece ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(salt, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0x45d9f3b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

/**
 * The diameter of piece `piece`: nominal, plus noise (about normal: the sum of four uniforms),
 * plus a drift rising to `drift.mm` over `drift.pieces` pieces every `drift.everyPieces`; rounded
 * to 0.01 µm, so that two pieces in a row rarely read the same (OPC UA reports changes only).
 */
export function gaugeReading(gauge: NonNullable<ScenarioMachine['gauge']>, piece: number): number {
  const noise =
    (unit(piece, 1) + unit(piece, 2) + unit(piece, 3) + unit(piece, 4) - 2) * Math.sqrt(3);
  let drift = 0;
  if (gauge.drift) {
    const into = piece % gauge.drift.everyPieces;
    if (into < gauge.drift.pieces) drift = (gauge.drift.mm * (into + 1)) / gauge.drift.pieces;
  }
  return Math.round((gauge.nominalMm + noise * gauge.sigmaMm + drift) * 100_000) / 100_000;
}

/** SimValues -> the holding registers of SIM_REGISTERS (Modbus FC03 view). */
export function toRegisters(values: SimValues): number[] {
  const regs = new Array<number>(SIM_REGISTERS.size).fill(0);
  const u32 = (at: number, v: number) => {
    const n = v >>> 0;
    regs[at] = n >>> 16; // high word first (big-endian word order)
    regs[at + 1] = n & 0xffff;
  };
  u32(SIM_REGISTERS.goodCount, values.good);
  u32(SIM_REGISTERS.rejectCount, values.reject);
  regs[SIM_REGISTERS.stateCode] = SIM_STATE_CODES[values.state];
  regs[SIM_REGISTERS.temperatureDeciC] = Math.round(values.temperatureC * 10) & 0xffff; // int16
  return regs;
}
