import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  gatewayConfigSchema,
  gatewayJsonSchema,
  loadYamlConfig,
  parseYamlConfig,
  plantModelSchema,
  scenarioSchema,
} from '../../src';

const root = join(import.meta.dirname, '../../..');

const valid = `gateway:
  id: gw-1
  site: plant
mqtt:
  url: mqtt://127.0.0.1:1883
devices:
  - id: plc-1
    driver: modbus-tcp
    host: 127.0.0.1
    machine: press-01
    tags:
      - { name: temperature, channel: metric, address: 5, type: int16, scale: 0.1 }
`;

function problems(text: string) {
  try {
    parseYamlConfig('gw.yaml', text, gatewayConfigSchema);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('gateway config', () => {
  it('applies schema defaults and freezes the result', () => {
    const config = parseYamlConfig('gw.yaml', valid, gatewayConfigSchema);
    const device = config.devices[0]!;
    expect(
      device.driver === 'modbus-tcp' && [device.port, device.unitId, device.pollIntervalMs],
    ).toEqual([502, 1, 1000]);
    expect(config.mqtt.passwordEnv).toBe('TAKT_MQTT_PASSWORD');
    expect(Object.isFrozen(config.devices[0])).toBe(true);
  });

  it('names the line and path of an unknown key', () => {
    const found = problems(valid.replace('  site: plant', '  site: plant\n  colour: red'));
    expect(found).toEqual([
      { path: 'gateway.colour', line: 4, message: expect.stringContaining('unknown key') },
    ]);
  });

  it('names the line and path of a wrong type', () => {
    const found = problems(valid.replace('address: 5', 'address: five'));
    expect(found[0]).toMatchObject({ path: 'devices.0.tags.0.address', line: 12 });
    expect(found[0]!.message).toMatch(/expected number/);
  });

  it('names the parent line of a missing field', () => {
    const found = problems(valid.replace('    host: 127.0.0.1\n', ''));
    expect(found[0]).toMatchObject({ path: 'devices.0.host', line: 7 });
  });

  it('reports YAML syntax errors with their line', () => {
    const found = problems('gateway:\n  id: [unclosed\n');
    expect(found[0]!.message).toMatch(/YAML syntax/);
    expect(found[0]!.line).toBeGreaterThan(0);
  });

  it('puts file, line and path in the message', () => {
    expect(() =>
      parseYamlConfig(
        'firmware-configs/x.yaml',
        valid.replace('mqtt://', 'http://'),
        gatewayConfigSchema,
      ),
    ).toThrow(/firmware-configs\/x.yaml:5: mqtt.url: must start with mqtt:\/\//);
  });

  it('wants a state map on a state tag', () => {
    const found = problems(valid.replace('channel: metric', 'channel: state'));
    expect(found[0]).toMatchObject({ path: 'devices.0.tags.0.states' });
  });

  it('validates every file in firmware-configs/', () => {
    const dir = join(root, 'firmware-configs');
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      expect(() => loadYamlConfig(join(dir, file), gatewayConfigSchema)).not.toThrow();
  });

  it('validates the demo plant model and scenario', () => {
    const plant = loadYamlConfig(join(root, 'ingest/plant/demo-plant.yaml'), plantModelSchema);
    expect(plant.lines.flatMap((l) => l.machines).length).toBeGreaterThanOrEqual(3);
    const scenario = loadYamlConfig(join(root, 'sim/scenarios/demo.yaml'), scenarioSchema);
    expect(scenario.machines.length).toBeGreaterThanOrEqual(3);
  });

  it('checks the reason tree, holidays and planned modes of a plant model', () => {
    const base =
      'site: { id: s, name: S }\nlines: [{ id: l, name: L, machines: [{ id: m, name: M }] }]\n';
    expect(() =>
      parseYamlConfig(
        'p.yaml',
        `${base}reasons:\n  downtime:\n    - { id: a, name: A, children: [{ id: b, name: B }] }\n    - { id: b, name: B again }\n`,
        plantModelSchema,
      ),
    ).toThrow(/reasons.downtime.1.id: reason "b" is declared twice/);
    expect(() =>
      parseYamlConfig('p.yaml', `${base}holidays: ['1 Oct']\n`, plantModelSchema),
    ).toThrow(/holidays.0: a date as YYYY-MM-DD/);
    expect(() =>
      parseYamlConfig('p.yaml', `${base}modes: { planned: [no_shift] }\n`, plantModelSchema),
    ).toThrow(/modes.planned.0/);
    const plant = parseYamlConfig('p.yaml', base, plantModelSchema);
    expect(plant.modes).toEqual({
      planned: ['cleaning', 'planned_maintenance', 'no_order'],
      startupMinutes: 15,
    });
  });

  it('rejects an unknown plant time zone', () => {
    expect(() =>
      parseYamlConfig(
        'p.yaml',
        'site: { id: s, name: S, timeZone: Mars/Base }\nlines: [{ id: l, name: L, machines: [{ id: m, name: M }] }]\n',
        plantModelSchema,
      ),
    ).toThrow(/site.timeZone: unknown time zone "Mars\/Base"/);
  });
});

describe('gateway JSON Schema', () => {
  it('is committed and current (regenerate with npm run json-schema)', () => {
    const committed = JSON.parse(
      readFileSync(join(root, 'firmware-configs/gateway.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(gatewayJsonSchema());
  });

  it('describes the drivers and refuses unknown keys', () => {
    const schema = gatewayJsonSchema() as {
      properties: { devices: { items: { oneOf?: unknown[]; anyOf?: unknown[] } } };
      additionalProperties: boolean;
    };
    const variants =
      schema.properties.devices.items.oneOf ?? schema.properties.devices.items.anyOf ?? [];
    expect(variants.length).toBeGreaterThanOrEqual(5);
    expect(schema.additionalProperties).toBe(false);
  });
});
