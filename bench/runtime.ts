/**
 * The broker under the TypeScript loader (`node --import tsx broker/src/main.ts`, what the
 * images ran before issue 18) against its bundle (`node broker/dist/broker.mjs`,
 * scripts/bundle.mjs, what they run now): start time (spawn to the first accepted TCP
 * connection) and RSS with two accounts connected, as in the demo. Plain node, no Docker.
 * Needs `npm run build` first (the bundle).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashPassword, type BrokerUser } from '@takt/broker';
import { freePort } from '@takt/sim';
import mqtt from 'mqtt';
import { rssMb } from './process-stats';
import { printTable } from './table';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = 3;
const SETTLE_MS = 2000;

const canConnect = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });

async function once(
  args: string[],
  usersFile: string,
): Promise<{ startMs: number; rssMb: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      TAKT_BROKER_PORT: String(port),
      TAKT_BROKER_USERS_FILE: usersFile,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  try {
    while (!(await canConnect(port))) {
      if (child.exitCode !== null) throw new Error(`broker exited (${child.exitCode})`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const startMs = performance.now() - t0;
    const url = `mqtt://127.0.0.1:${port}`;
    const clients = await Promise.all([
      mqtt.connectAsync(url, {
        username: 'gw-bench',
        password: 'bench-gw',
        clientId: 'takt-gw-gw-bench',
      }),
      mqtt.connectAsync(url, { username: 'ingest', password: 'bench-ingest' }),
    ]);
    await clients[1]!.subscribeAsync('takt/v1/#');
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const rss = rssMb(child.pid!);
    await Promise.all(clients.map((c) => c.endAsync()));
    return { startMs, rssMb: rss };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchRuntime(): Promise<Record<string, unknown>> {
  if (!existsSync(join(ROOT, 'broker/dist/broker.mjs')))
    throw new Error('no broker/dist/broker.mjs: run npm run build first');
  const dir = mkdtempSync(join(tmpdir(), 'takt-bench-runtime-'));
  const usersFile = join(dir, 'users.json');
  writeFileSync(
    usersFile,
    JSON.stringify([
      {
        username: 'gw-bench',
        passwordHash: await hashPassword('bench-gw'),
        role: 'gateway',
        site: 'bench',
        gatewayId: 'gw-bench',
      },
      { username: 'ingest', passwordHash: await hashPassword('bench-ingest'), role: 'ingest' },
    ] satisfies BrokerUser[]),
  );
  const variants = {
    tsx: ['--import', 'tsx', 'broker/src/main.ts'],
    bundle: ['broker/dist/broker.mjs'],
  };
  const result: Record<string, { startMs: number; rssMb: number }> = {};
  for (const [name, args] of Object.entries(variants)) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(args, usersFile));
    result[name] = {
      startMs: Math.round(median(runs.map((r) => r.startMs))),
      rssMb: Math.round(median(runs.map((r) => r.rssMb)) * 10) / 10,
    };
  }
  printTable([
    ['broker (node ' + process.version + ')', 'start ms (median of 3)', 'RSS MB, 2 accounts'],
    ...Object.entries(result).map(([name, r]) => [name, String(r.startMs), String(r.rssMb)]),
  ]);
  return { node: process.version, runs: RUNS, broker: result };
}
