import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startBroker } from '@takt/broker';
import { pino } from 'pino';
import { createSession, createUser, ROLES, startIngest, type RunningIngest } from '../../src';
import { createLinkToken } from '../../src/auth/store';
import { createTestDatabase } from './test-db';

export const WHO = ['anonymous', ...ROLES, 'kiosk', 'customer', 'station'] as const;
/** The station the fixture's station link is bound to (a machine of the golden plant). */
export const LINKED_STATION = 'golden-1';
export type Who = (typeof WHO)[number];

export interface AccessFixture {
  ingest: RunningIngest;
  /** Every line ingest logged (at trace level, HTTP included). */
  logLines: string[];
  /** Password of the users `u-admin`, `u-manager`, `u-maintenance`, `u-operator`. */
  password: string;
  /** A kiosk token, and a customer token of the customer "Acme". */
  kiosk: string;
  acme: string;
  /** A station link bound to LINKED_STATION. */
  station: string;
  /** Headers that sign a request in as `who` (a fresh session for each user call). */
  headersOf(who: Who): Promise<Record<string, string>>;
  call(
    method: string,
    path: string,
    headers?: Record<string, string>,
    body?: unknown,
  ): Promise<Response>;
  /** POST /api/auth/login from a client address (ingest trusts X-Forwarded-For here). */
  login(address: string, username: string, password: string, bearer?: boolean): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Ingest on a fresh database with the golden plant, a user of each role, a kiosk token and
 * a customer token, logging everything at trace level into `logLines`.
 */
export async function startAccessFixture(): Promise<AccessFixture> {
  const logLines: string[] = [];
  const log = pino(
    { level: 'trace' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );
  const password = 'Correct-Horse-9';
  const broker = await startBroker({
    host: '127.0.0.1',
    port: 0,
    users: [],
    allowAnonymous: true,
    log,
  });
  const ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_access'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: `ingest-access-${Math.random()}` },
    http: { host: '127.0.0.1', port: 0 },
    plantFile: join(import.meta.dirname, '../fixtures/golden-plant.yaml'),
    trustProxy: ['127.0.0.1'], // the tests play several client addresses with X-Forwarded-For
    httpLogLevel: 'trace',
    log,
  });
  const userIds: Record<string, number> = {};
  for (const role of ROLES)
    userIds[role] = (await createUser(ingest.pool, `u-${role}`, role, password))!.id;
  const kiosk = (
    await createLinkToken(ingest.pool, { kind: 'kiosk', label: 'hall TV', createdBy: null })
  ).token;
  const acme = (
    await createLinkToken(ingest.pool, {
      kind: 'customer',
      label: 'Acme',
      customer: 'Acme',
      createdBy: null,
    })
  ).token;
  const station = (
    await createLinkToken(ingest.pool, {
      kind: 'station',
      label: 'bench tablet',
      station: LINKED_STATION,
      createdBy: null,
    })
  ).token;
  const call: AccessFixture['call'] = (method, path, headers = {}, body) =>
    fetch(`${ingest.url}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    ingest,
    logLines,
    password,
    kiosk,
    acme,
    station,
    async headersOf(who) {
      if (who === 'anonymous') return {} as Record<string, string>;
      if (who === 'kiosk') return { authorization: `Bearer ${kiosk}` };
      if (who === 'customer') return { authorization: `Bearer ${acme}` };
      if (who === 'station') return { authorization: `Bearer ${station}` };
      // A fresh session per call: the logout route ends the one it is called with.
      const { token } = await createSession(ingest.pool, userIds[who]!, 60_000);
      return { authorization: `Bearer ${token}` };
    },
    call,
    login: (address, username, pw, bearer = false) =>
      call(
        'POST',
        '/api/auth/login',
        { 'x-forwarded-for': address },
        { username, password: pw, bearer },
      ),
    async stop() {
      await ingest.stop();
      await broker.stop();
    },
  };
}
