import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, startBroker, type RunningBroker } from '@takt/broker';
import { gatewayConfigSchema, parseYamlConfig } from '@takt/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { requirePeer } from '@takt/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgeAgent } from '../../src';

/** A gateway reaching the broker over TLS with the plant's own CA (mqtt.caFile). */
const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'takt-edge-tls-'));
let broker: RunningBroker;
let ingest: MqttClient;
const topicsSeen: string[] = [];

/** A throwaway CA and a certificate for 127.0.0.1, made with openssl. */
function makeCertificates(): { cert: Buffer; key: Buffer } {
  requirePeer('openssl');
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=CA',
  );
  ssl('req', ...ec, '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl(
    'x509',
    '-req',
    '-in',
    'tls.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'tls.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  return { cert: readFileSync(join(dir, 'tls.crt')), key: readFileSync(join(dir, 'tls.key')) };
}

const config = (caFile: string) =>
  parseYamlConfig(
    'gw.yaml',
    [
      'gateway: { id: gw-tls, site: s1 }',
      `mqtt: { url: "mqtts://127.0.0.1:${broker.tlsPort}", username: gw-tls, caFile: "${caFile}" }`,
      `stateDir: "${dir}"`,
      'devices:',
      '  - { id: d, driver: simulated, machine: m1, pollIntervalMs: 100, tags: [{ name: t, channel: metric, signal: { kind: constant, value: 7 } }] }',
    ].join('\n'),
    gatewayConfigSchema,
  );

beforeAll(async () => {
  const passwordHash = await hashPassword('gw-tls-pw');
  broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    tls: { port: 0, ...makeCertificates() },
    users: [
      { username: 'gw-tls', passwordHash, role: 'gateway', site: 's1', gatewayId: 'gw-tls' },
      { username: 'ingest', passwordHash, role: 'ingest' },
    ],
    log,
  });
  ingest = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
    username: 'ingest',
    password: 'gw-tls-pw',
  });
  ingest.on('message', (topic) => topicsSeen.push(topic));
  await ingest.subscribeAsync('takt/v1/#', { qos: 1 });
});
afterAll(async () => {
  await ingest.endAsync();
  await broker.stop();
});

describe('edge agent over TLS', () => {
  it('publishes through the TLS listener when it trusts the broker’s CA', async () => {
    const agent = await startEdgeAgent(config(join(dir, 'ca.crt')), { password: 'gw-tls-pw', log });
    try {
      const deadline = Date.now() + 15_000;
      while (!topicsSeen.includes('takt/v1/s1/gw-tls/m1/metrics')) {
        if (Date.now() > deadline) throw new Error(`no metrics over TLS; saw ${topicsSeen}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(topicsSeen).toContain('takt/v1/s1/gw-tls/status');
    } finally {
      await agent.stop();
    }
  });

  it('refuses to start with a CA file it cannot read', async () => {
    await expect(
      startEdgeAgent(config(join(dir, 'missing.crt')), { password: 'gw-tls-pw', log }),
    ).rejects.toThrow(/EDGE_ERR_CA_FILE: cannot read mqtt.caFile .*missing.crt/);
  });
});
