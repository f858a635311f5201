import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  gatewayConfigSchema,
  loadYamlConfig,
  parseYamlConfig,
  type GatewayConfig,
} from '@takt/protocol';
import { pino } from 'pino';
import { startEdgeAgent } from './agent';

/** `tsx edge-agent/src/main.ts <gateway.yaml>`: what runs on the Raspberry Pi. */
const log = pino({ name: 'edge-agent', level: process.env.LOG_LEVEL ?? 'info' });
const file = process.argv[2] ?? process.env.TAKT_GATEWAY_CONFIG;

function load(path: string): GatewayConfig {
  return withEnv(loadYamlConfig(path, gatewayConfigSchema));
}

function withEnv(config: GatewayConfig): GatewayConfig {
  // TAKT_MQTT_URL overrides the file's broker address (the demo and tests move ports).
  // TAKT_STATE_DIR puts the agent's state where the service may write (/var/lib/takt on a Pi).
  const url = process.env.TAKT_MQTT_URL;
  const stateDir = process.env.TAKT_STATE_DIR;
  return {
    ...config,
    ...(url ? { mqtt: { ...config.mqtt, url } } : {}),
    ...(stateDir ? { stateDir } : {}),
  };
}

async function main(): Promise<void> {
  if (!file) throw new Error('usage: edge-agent <gateway.yaml> (or set TAKT_GATEWAY_CONFIG)');
  const base = file;
  // A remotely applied config is written where the agent may write (the unit sets
  // TAKT_REMOTE_CONFIG_FILE=/var/lib/takt/gateway.yaml; /etc/takt is read-only to it) and
  // wins over the installed one (docs/decisions.md "Issue 25 — signed agent updates (gateway)").
  const remote = process.env.TAKT_REMOTE_CONFIG_FILE || base;
  const active = () => (existsSync(remote) ? remote : base);
  let initial: GatewayConfig;
  try {
    initial = load(active());
  } catch (error) {
    if (active() === base) throw error;
    // A remote config this agent cannot read (e.g. left by a newer one rolled back): the
    // installed config still runs the gateway.
    log.error(
      { file: remote, err: (error as Error).message },
      'applied remote config invalid, starting from the installed one',
    );
    initial = load(base);
  }
  const agent = await startEdgeAgent(initial, {
    log,
    // Remote configuration (docs/config-reference.md "Remote configuration").
    remoteConfig: {
      file: remote,
      baseFile: base,
      publicKeyFile:
        process.env.TAKT_CONFIG_PUBLIC_KEY ?? join(dirname(base), 'config-signing.pub'),
      parse: (text) => withEnv(parseYamlConfig(remote, text, gatewayConfigSchema)),
    },
    // Signed agent updates (docs/deployment.md "Agent updates"): the release key's public half.
    update: {
      publicKeyFile: process.env.TAKT_PACKAGE_SIGNING_PUB_FILE ?? '/etc/takt/package-signing.pub',
    },
  });
  // SIGHUP: re-read the file; a bad file is reported and the running config stays.
  process.on('SIGHUP', () => {
    let next: GatewayConfig;
    try {
      next = load(active());
    } catch (error) {
      log.error(
        { err: (error as Error).message },
        'reload refused: config invalid, keeping the running one',
      );
      return;
    }
    agent.reload(next).catch((error: Error) => log.error({ err: error.message }, 'reload refused'));
  });
  const shutdown = (signal: string) => {
    log.info({ signal }, 'stopping');
    void agent.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  // A config error's message already names the file, line and path: print it as is.
  console.error(error.message);
  process.exit(1);
});
