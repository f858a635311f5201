import { describe, expect, it } from 'vitest';
import { parseYamlConfig, plantModelSchema } from '../../src';

const plant = (alerts: string) =>
  parseYamlConfig(
    'plant.yaml',
    `site: { id: s, name: S }
lines: [{ id: l, name: L, machines: [{ id: press-01, name: P }] }]
alerts:
${alerts}`,
    plantModelSchema,
  );

describe('alert rules in the plant model', () => {
  it('accepts every rule kind with defaults from the schema', () => {
    const model = plant(`  channels:
    - { id: chat, type: webhook, format: dingtalk, urlEnv: DINGTALK_URL, secretEnv: DINGTALK_SECRET }
    - { id: mail, type: email, from: takt@x.example, to: [m@x.example], smtp: { host: smtp.x.example } }
  rules:
    - { id: hot, kind: threshold, machines: [press-01], tag: temperature, above: 80, forS: 30, clearMargin: 5, notify: [chat] }
    - { id: jump, kind: rate, machines: [press-01], tag: pressure, perMinute: 10 }
    - { id: silent, kind: no-data, machines: [press-01], forS: 60 }
    - { id: gw, kind: gateway-offline }
    - { id: down, kind: machine-down, machines: [press-01], forMin: 10, escalate: { afterMin: 15, notify: [mail] } }
    - { id: stall, kind: work-order-stalled, forH: 2 }
    - { id: late, kind: work-order-late }
    - { id: oee, kind: oee-below, machines: [press-01], below: 0.6, quietHours: { start: '22:00', end: '06:00' } }
`);
    expect(model.alerts.rules.map((r) => r.kind)).toHaveLength(8);
    expect(model.alerts.rules[0]).toMatchObject({
      severity: 'warning',
      clearForS: 0,
      enabled: true,
    });
    expect(model.alerts.channels[1]).toMatchObject({ smtp: { port: 587, secure: false } });
  });

  it('refuses an unknown machine and an unknown channel, with the line', () => {
    expect(() =>
      plant(`  rules:
    - { id: hot, kind: threshold, machines: [press-09], tag: t, above: 80 }
    - { id: told, kind: gateway-offline, notify: [nobody] }
`),
    ).toThrow(
      /plant.yaml:5: alerts.rules.0.machines.0: unknown machine "press-09"[\s\S]*plant.yaml:6: alerts.rules.1.notify.0: unknown channel "nobody"/,
    );
  });

  it('refuses a negative duration, with the line', () => {
    expect(() =>
      plant(`  rules:
    - { id: ok, kind: gateway-offline }
    - { id: slow, kind: threshold, machines: [press-01], tag: t, above: 80, forS: -5 }
`),
    ).toThrow(/plant.yaml:6: alerts.rules.1.forS: must not be negative/);
  });

  it('refuses a band upside down, a threshold without a limit, a webhook without urlEnv, and a duplicate id', () => {
    expect(() =>
      plant(`  rules:
    - { id: a, kind: threshold, machines: [press-01], tag: t, above: 10, below: 20 }
`),
    ).toThrow(/below must be less than above/);
    expect(() =>
      plant(`  rules:
    - { id: a, kind: threshold, machines: [press-01], tag: t }
`),
    ).toThrow(/give above, below or both/);
    expect(() =>
      plant(`  channels:
    - { id: c, type: webhook }
`),
    ).toThrow(/alerts.channels.0.urlEnv/);
    expect(() =>
      plant(`  rules:
    - { id: a, kind: gateway-offline }
    - { id: a, kind: work-order-late }
`),
    ).toThrow(/rule "a" is declared twice/);
  });

  it('keeps secrets out of the file: a password field is an unknown key', () => {
    expect(() =>
      plant(`  channels:
    - { id: m, type: email, from: a@x.example, to: [b@x.example], smtp: { host: h, password: hunter2 } }
`),
    ).toThrow(/smtp.password: unknown key/);
  });
});
