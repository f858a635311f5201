/**
 * `npm start`: the whole plant on one machine with no setup. An embedded PostgreSQL (unless
 * DATABASE_URL is set), then the broker, the virtual factory, ingest with the dashboard and
 * an edge agent, each as its own process. Ctrl-C stops them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hashPassword, type BrokerUser } from '@takt/broker';
import { demoAccess } from './demo-access';
import { seedDemoOrders } from './demo-orders';
import { envPort, gatewayConfigSchema, loadYamlConfig } from '@takt/protocol';

const root = resolve(import.meta.dirname, '..');
const stateDir = resolve(root, '.takt');
const httpPort = envPort('TAKT_HTTP_PORT', 8080)!;
const mqttPort = envPort('TAKT_BROKER_PORT', 1883)!;
const pgPort = envPort('TAKT_PG_PORT', 54329)!;
const demoGatewayFile = 'firmware-configs/demo-gateway.yaml';
// The demo gateway's broker account is bound to its site and id (the broker's ACL).
const demoGateway = loadYamlConfig(resolve(root, demoGatewayFile), gatewayConfigSchema);
const children: { name: string; proc: ChildProcess }[] = [];
let stopping = false;

function run(
  name: string,
  script: string,
  args: string[],
  env: Record<string, string>,
): ChildProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: Ctrl-C reaches only this script, which stops the parts in order.
    detached: true,
  });
  const prefix = `[${name}]`.padEnd(12);
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      if (!line.startsWith('READY ')) console.log(prefix, line); // never print the database URL
    }
  };
  proc.stdout!.on('data', forward);
  proc.stderr!.on('data', forward);
  proc.on('exit', (code) => {
    if (!stopping) {
      console.error(`${name} exited (code ${code}); stopping the demo`);
      void shutdown(1);
    }
  });
  children.push({ name, proc });
  return proc;
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const health = (await (await fetch(`${url}/api/health`)).json()) as { mqtt?: string };
      if (health.mqtt === 'subscribed') return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`ingest did not answer at ${url} within ${timeoutMs / 1000} s`);
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('stopping the plant demo…');
  // Edge first (its clean "offline" status still reaches the broker), then ingest (it drains
  // its batch into the database), then the sim and the broker; the database last.
  for (const { proc } of [...children].reverse()) {
    await new Promise<void>((done) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return done();
      const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(kill);
        done();
      });
      proc.kill('SIGTERM');
    });
  }
  process.exit(code);
}

async function main(): Promise<void> {
  mkdirSync(stateDir, { recursive: true });
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  // Last resort if this script dies some other way: leave no part running.
  process.once('exit', () =>
    children.forEach(({ proc }) => proc.exitCode === null && proc.kill('SIGKILL')),
  );

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.log(`starting the embedded PostgreSQL on 127.0.0.1:${pgPort} (data in .takt/pg)…`);
    // First in, last out: the database stops after ingest has drained into it.
    const pg = run('postgres', 'ingest/src/db/embedded-main.ts', [], {
      TAKT_PG_PORT: String(pgPort),
      TAKT_PG_DATA_DIR: resolve(stateDir, 'pg'),
    });
    databaseUrl = await new Promise<string>((resolveUrl, reject) => {
      pg.stdout!.on('data', (chunk: Buffer) => {
        const ready = /READY (\S+)/.exec(chunk.toString());
        if (ready) resolveUrl(ready[1]!);
      });
      pg.once('exit', (code) => reject(new Error(`the embedded PostgreSQL exited (code ${code})`)));
    });
  }

  // Fresh broker credentials every run: only their scrypt hashes touch the disk.
  const gatewayPassword = randomBytes(18).toString('base64url');
  const ingestPassword = randomBytes(18).toString('base64url');
  const usersFile = resolve(stateDir, 'broker-users.json');
  writeFileSync(
    usersFile,
    JSON.stringify([
      {
        username: demoGateway.mqtt.username ?? demoGateway.gateway.id,
        passwordHash: await hashPassword(gatewayPassword),
        role: 'gateway',
        site: demoGateway.gateway.site,
        gatewayId: demoGateway.gateway.id,
      },
      { username: 'ingest', passwordHash: await hashPassword(ingestPassword), role: 'ingest' },
    ] satisfies BrokerUser[]),
    { mode: 0o600 },
  );

  const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  run('broker', 'broker/src/main.ts', [], {
    TAKT_BROKER_PORT: String(mqttPort),
    TAKT_BROKER_USERS_FILE: usersFile,
  });
  run('sim', 'sim/src/main.ts', ['sim/scenarios/demo.yaml'], {});
  run('ingest', 'ingest/src/main.ts', [], {
    DATABASE_URL: databaseUrl,
    TAKT_MQTT_URL: mqttUrl,
    TAKT_MQTT_USERNAME: 'ingest',
    TAKT_MQTT_PASSWORD: ingestPassword,
    TAKT_HTTP_PORT: String(httpPort),
    TAKT_PLANT_FILE: 'ingest/plant/demo-plant.yaml',
  });
  const url = `http://127.0.0.1:${httpPort}`;
  await waitForHealth(url, 60_000);
  run('edge', 'edge-agent/src/main.ts', [demoGatewayFile], {
    TAKT_MQTT_PASSWORD: gatewayPassword,
    TAKT_MQTT_URL: mqttUrl,
  });

  const access = await demoAccess(databaseUrl, url);
  const seeded = await seedDemoOrders({
    url,
    token: access.seedToken,
    mqttUrl,
    gateway: {
      site: demoGateway.gateway.site,
      id: demoGateway.gateway.id,
      username: demoGateway.mqtt.username ?? demoGateway.gateway.id,
      password: gatewayPassword,
    },
  });
  console.log(
    [
      '',
      `  Takt plant demo is running: open ${url}`,
      `  sign in as "admin" with password ${access.password}  (new every run, shown only here)`,
      `  wall TV (read-only board, no sign-in): ${access.kioskUrl}`,
      `  boards in rotation: ${url}/board?show=plant,line:line-a,orders,andon&every=20`,
      ...(seeded > 0 ? [`  ${seeded} demo work orders created (WO-24117 … WO-24121)`] : []),
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

main().catch((error: Error) => {
  console.error(error.message);
  void shutdown(1);
});
