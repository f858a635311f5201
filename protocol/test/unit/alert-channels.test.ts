import { describe, expect, it } from 'vitest';
import { parseYamlConfig, plantModelSchema } from '../../src';

const plant = (channels: string) =>
  parseYamlConfig(
    'plant.yaml',
    `site: { id: s, name: S }
lines: [{ id: l, name: L, machines: [{ id: press-01, name: P }] }]
alerts:
  channels:
${channels}`,
    plantModelSchema,
  );

describe('alert channels keep their secrets in the environment (issue 18, finding 4)', () => {
  it('refuses an inline webhook url with the file, the line and the env-var form', () => {
    expect(() =>
      plant(`    - id: chat
      type: webhook
      format: slack
      url: https://hooks.slack.com/services/T000/B000/XXXX
`),
    ).toThrow(
      /plant.yaml:8: alerts.channels.0.url: a webhook URL is a secret: put it in an environment variable and name that variable with urlEnv/,
    );
  });

  it('refuses an inline SMTP user, naming userEnv', () => {
    expect(() =>
      plant(`    - { id: m, type: email, from: a@x.example, to: [b@x.example], smtp: { host: h, user: takt } }
`),
    ).toThrow(
      /plant.yaml:5: alerts.channels.0.smtp.user: the SMTP user name comes from the environment: name its variable with userEnv/,
    );
  });

  it('takes urlEnv, userEnv and passwordEnv; plain-text sign-in is off unless asked for', () => {
    const model = plant(`    - { id: chat, type: webhook, format: slack, urlEnv: TAKT_SLACK_URL }
    - { id: m, type: email, from: a@x.example, to: [b@x.example], smtp: { host: h, userEnv: SMTP_USER, passwordEnv: SMTP_PASS } }
`);
    expect(model.alerts.channels[0]).toEqual({
      id: 'chat',
      type: 'webhook',
      format: 'slack',
      urlEnv: 'TAKT_SLACK_URL',
    });
    expect(model.alerts.channels[1]).toMatchObject({
      smtp: { userEnv: 'SMTP_USER', passwordEnv: 'SMTP_PASS', allowPlainAuth: false },
    });
  });
});
