import { z } from 'zod';
import { idSchema } from '../ids';
import { machineStateSchema } from '../payloads';

/** The virtual factory's scenario file (sim/scenarios/*.yaml). */
export const scenarioMachineSchema = z.strictObject({
  id: idSchema,
  /** Modbus TCP port of this machine's PLC; 0 picks a free one (tests). */
  port: z.number().int().min(0).max(65535),
  unitId: z.number().int().min(0).max(255).default(1),
  cycleTimeMs: z.number().int().min(100),
  /** Share of pieces rejected, 0..1. Deterministic: every round(1/rate)-th piece. */
  rejectRate: z.number().min(0).max(1).default(0),
  /** The state sequence, repeated. Pieces are made only while running. */
  schedule: z
    .array(z.strictObject({ state: machineStateSchema, durationS: z.number().positive() }))
    .min(1),
  temperature: z
    .strictObject({
      baseC: z.number(),
      /** Amplitude of the slow sine drift. */
      swingC: z.number().min(0).default(2),
      periodS: z.number().positive().default(120),
    })
    .default({ baseC: 40, swingC: 2, periodS: 120 }),
  /**
   * A gauge measuring each piece (OPC UA variable `Diameter`): around `nominalMm` with noise of
   * `sigmaMm`, and every `drift.everyPieces` pieces a drift rising to `drift.mm` over
   * `drift.pieces` pieces (a tool wearing), which trips the control chart's run rules.
   */
  gauge: z
    .strictObject({
      nominalMm: z.number(),
      sigmaMm: z.number().min(0).default(0.006),
      drift: z
        .strictObject({
          everyPieces: z.number().int().positive(),
          pieces: z.number().int().positive(),
          mm: z.number(),
        })
        .optional(),
    })
    .optional(),
});
export type ScenarioMachine = z.output<typeof scenarioMachineSchema>;

/** A virtual barcode scanner: writes `codes` in turn on a pseudo-terminal, as an operator would scan. */
export const scenarioScannerSchema = z.strictObject({
  /** The station; the gateway's serial-scanner device reads `<ttyDir>/<id>-edge`. */
  id: idSchema,
  everyS: z.number().positive().default(20),
  codes: z.array(z.string().min(1).max(128)).min(1),
});
export type ScenarioScanner = z.output<typeof scenarioScannerSchema>;

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  host: z.string().default('127.0.0.1'),
  machines: z.array(scenarioMachineSchema).min(1),
  scanners: z.array(scenarioScannerSchema).default([]),
});
export type Scenario = z.output<typeof scenarioSchema>;

/**
 * The sim PLC's holding-register map (Modbus FC03), shared by the sim and the demo
 * gateway config. 32-bit values are big-endian words (high word first).
 */
export const SIM_REGISTERS = {
  goodCount: 0, // uint32, registers 0-1
  rejectCount: 2, // uint32, registers 2-3
  stateCode: 4, // uint16, see SIM_STATE_CODES
  temperatureDeciC: 5, // int16, 0.1 °C
  size: 6,
} as const;

export const SIM_STATE_CODES = {
  running: 1,
  idle: 2,
  down: 3,
  reduced_speed: 4,
  microstop: 5,
  unknown: 0,
} as const;
