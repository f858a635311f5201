/**
 * `npm start`: the whole plant on one machine with no setup. An embedded PostgreSQL (unless
 * DATABASE_URL is set), then the broker, the virtual factory, ingest with the dashboard and
 * an edge agent, each as its own process. Ctrl-C stops them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hashPassword, type BrokerUser } from '@takt/broker';
import { demoAccess } from './demo-access';
import { consoleFormatter } from './demo-console';
import { seedDemoOrders } from './demo-orders';
import {
  envPort,
  gatewayConfigSchema,
  loadYamlConfig,
  plantModelSchema,
  scenarioSchema,
} from '@takt/protocol';
import { fillHistory } from './history/fill';
import { isNewDatabase } from './history/new-database';

const root = resolve(import.meta.dirname, '..');
const stateDir = resolve(root, '.takt');
const httpPort = envPort('TAKT_HTTP_PORT', 8080)!;
const mqttPort = envPort('TAKT_BROKER_PORT', 1883)!;
const pgPort = envPort('TAKT_PG_PORT', 54329)!;
const demoGatewayFile = 'firmware-configs/demo-gateway.yaml';
const scenarioFile = 'sim/scenarios/demo.yaml';
const plantFile = 'ingest/plant/demo-plant.yaml';
// The virtual factory's Modbus and OPC UA ports move with the broker's, so a second demo on
// other ports (TAKT_BROKER_PORT=1983 …) does not collide with the first: 5021 -> 5121.
const simPortOffset = envPort('TAKT_SIM_PORT_OFFSET', mqttPort - 1883) ?? 0;
const opcuaPort = 4841 + simPortOffset;
// A week of history on a new database, unless `npm start -- --no-history` or TAKT_DEMO_HISTORY=0.
const historyWanted =
  !process.argv.includes('--no-history') &&
  !['0', 'false', 'no'].includes(process.env.TAKT_DEMO_HISTORY ?? '');
const HISTORY_DAYS = 7;
// The demo gateway's broker account is bound to its site and id (the broker's ACL).
const demoGateway = loadYamlConfig(resolve(root, demoGatewayFile), gatewayConfigSchema);
const children: { name: string; proc: ChildProcess }[] = [];
const format = consoleFormatter();
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
      if (!line.startsWith('READY ')) console.log(prefix, format(line)); // never print the database URL
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
  const ports = shiftedPorts(simPortOffset, mqttUrl);
  run('sim', 'sim/src/main.ts', [ports.scenario], { TAKT_SIM_OPCUA_PORT: String(opcuaPort) });
  run('ingest', 'ingest/src/main.ts', [], {
    DATABASE_URL: databaseUrl,
    TAKT_MQTT_URL: mqttUrl,
    TAKT_MQTT_USERNAME: 'ingest',
    TAKT_MQTT_PASSWORD: ingestPassword,
    TAKT_HTTP_PORT: String(httpPort),
    TAKT_PLANT_FILE: plantFile,
  });
  const url = `http://127.0.0.1:${httpPort}`;
  await waitForHealth(url, 60_000);
  const access = await demoAccess(databaseUrl, url);
  // The past first: the alerts engine judges stream rules by the readings' own times and
  // ignores a reading older than the newest of its tag, so live data must come after it.
  if (!historyWanted) console.log('history fill skipped (--no-history / TAKT_DEMO_HISTORY=0)');
  else if (await isNewDatabase(databaseUrl)) {
    const to = Date.now();
    const filled = await fillHistory({
      url,
      token: access.seedToken,
      mqttUrl,
      gateway: {
        site: demoGateway.gateway.site,
        id: demoGateway.gateway.id,
        // A second connection of the demo gateway's account (the broker allows one account
        // per gateway, and the plant model binds the machines to this gateway).
        username: demoGateway.mqtt.username ?? demoGateway.gateway.id,
        password: gatewayPassword,
      },
      plant: loadYamlConfig(resolve(root, plantFile), plantModelSchema),
      scenario: loadYamlConfig(resolve(root, scenarioFile), scenarioSchema),
      from: to - HISTORY_DAYS * 86_400_000,
      to,
    });
    console.log(
      `history: ${HISTORY_DAYS} days, ${filled.messages} messages, ${filled.orders} orders, ` +
        `${filled.alertsAcknowledged} alerts acknowledged in ${(filled.ms / 1000).toFixed(1)} s; waited for ${JSON.stringify(filled.waitedMs)} ms`,
    );
  }
  run('edge', 'edge-agent/src/main.ts', [ports.gateway], {
    TAKT_MQTT_PASSWORD: gatewayPassword,
    TAKT_MQTT_URL: mqttUrl,
  });

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
      `  boards in rotation: ${url}/board?show=plant,line:line-a,orders,andon,kpis,planning&every=20`,
      ...(seeded > 0 ? [`  ${seeded} demo work orders created (WO-24117 … WO-24121)`] : []),
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

/**
 * The scenario and gateway files with the sim's ports moved by `offset` (written under
 * .takt/), or the checked-in files when the ports are the defaults.
 */
function shiftedPorts(offset: number, mqttUrl: string): { scenario: string; gateway: string } {
  if (offset === 0) return { scenario: scenarioFile, gateway: demoGatewayFile };
  const move = (text: string) =>
    text
      .replace(/port: (50\d\d)\b/g, (_, p: string) => `port: ${Number(p) + offset}`)
      .replaceAll('opc.tcp://127.0.0.1:4841', `opc.tcp://127.0.0.1:${opcuaPort}`)
      .replace('mqtt://127.0.0.1:1883', mqttUrl);
  const scenario = resolve(stateDir, 'demo-scenario.yaml');
  const gateway = resolve(stateDir, 'demo-gateway.yaml');
  writeFileSync(scenario, move(readFileSync(resolve(root, scenarioFile), 'utf8')));
  writeFileSync(gateway, move(readFileSync(resolve(root, demoGatewayFile), 'utf8')));
  return { scenario, gateway };
}

main().catch((error: Error) => {
  console.error(error.message);
  void shutdown(1);
});
