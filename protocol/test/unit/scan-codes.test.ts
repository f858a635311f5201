import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compilePatterns,
  gatewayConfigSchema,
  loadYamlConfig,
  matchCode,
  plantModelSchema,
  STANDARD_STATION_CODES,
} from '../../src';

const standard = compilePatterns(STANDARD_STATION_CODES);
const root = join(import.meta.dirname, '../../..');

describe('station codes (protocol/src/scan-codes.ts)', () => {
  it('reads every standard code, andon calls included', () => {
    const read = (code: string) => matchCode(code, standard);
    expect(read('WO-1001|OP10')).toEqual({
      pattern: 'traveller',
      fields: { action: 'start', workOrder: 'WO-1001', operation: 'OP10' },
    });
    expect(read('ACT:COMPLETE').fields).toEqual({ action: 'COMPLETE' });
    expect(read('E1234').fields).toEqual({ action: 'login', operator: '1234' });
    expect(read('R12').fields).toEqual({ action: 'reason', reason: '12' });
    expect(read('QTY:5').fields).toEqual({ action: 'good', quantity: '5' });
    expect(read('REJ:1:burr').fields).toEqual({ action: 'reject', quantity: '1', reason: 'burr' });
    expect(read('ANDON:maintenance').fields).toEqual({ action: 'andon', reason: 'maintenance' });
    expect(read('HELLO')).toEqual({ pattern: undefined, fields: { action: 'unknown' } });
    expect(read('QTY:0').fields).toEqual({ action: 'unknown' });
  });

  it("means what the demo gateway's serial scanner means by the same codes", () => {
    const config = loadYamlConfig(
      join(root, 'firmware-configs/demo-gateway.yaml'),
      gatewayConfigSchema,
    );
    const scanner = config.devices.find((d) => d.driver === 'serial-scanner');
    if (scanner?.driver !== 'serial-scanner') throw new Error('the demo has a scanner');
    const gateway = compilePatterns(scanner.patterns);
    for (const code of ['WO-1001|OP10', 'ACT:PAUSE', 'E1234', 'R12', 'QTY:5', 'REJ:2:burr', 'X'])
      expect(matchCode(code, standard), code).toEqual(matchCode(code, gateway));
  });

  it("checks the plant's stations: a new id, a known machine and line", () => {
    const plant = (stations: unknown) =>
      plantModelSchema.safeParse({
        site: { id: 's', name: 'S' },
        lines: [{ id: 'l', name: 'L', machines: [{ id: 'm', name: 'M' }] }],
        stations,
      });
    expect(plant({ list: [{ id: 'bench', name: 'Bench', machine: 'm', line: 'l' }] }).success).toBe(
      true,
    );
    const bad = plant({
      list: [
        { id: 'm', name: 'Twice' },
        { id: 'b', name: 'B', machine: 'nope', line: 'gone' },
      ],
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.message)).toEqual([
      'station "m" is declared twice (every machine is a station already)',
      'unknown machine "nope"',
      'unknown line "gone"',
    ]);
  });
});
