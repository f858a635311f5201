import { startBroker, type RunningBroker } from '@takt/broker';
import { pino } from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, createUser, startIngest, type RunningIngest } from '../../src';
import { originProblem } from '../../src/auth/sockets';
import { kioskToken } from '../helpers/auth';
import { createTestDatabase } from '../helpers/test-db';

// Issue 18, finding 8: socket.io checks the Origin, and a socket lives no longer than the
// credential it was opened with.
let broker: RunningBroker;
let ingest: RunningIngest;
let userId: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  const log = pino({ level: 'silent' });
  broker = await startBroker({ host: '127.0.0.1', port: 0, users: [], allowAnonymous: true, log });
  ingest = await startIngest({
    databaseUrl: await createTestDatabase('takt_socket_life'),
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, clientId: 'ingest-socket-life' },
    http: { host: '127.0.0.1', port: 0 },
    auth: { socketRecheckMs: 300 },
    log,
  });
  userId = (await createUser(ingest.pool, 'watcher', 'maintenance', 'x'))!.id;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await ingest?.stop();
  await broker?.stop();
});

function connect(token: string, origin?: string): Socket {
  const socket = connectSocket(ingest.url, {
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    ...(origin ? { extraHeaders: { origin } } : {}),
  });
  sockets.push(socket);
  return socket;
}
const connected = (s: Socket) =>
  new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
const refused = (s: Socket) => new Promise<Error>((resolve) => s.once('connect_error', resolve));
const dropped = (s: Socket) => new Promise<string>((resolve) => s.once('disconnect', resolve));

describe('socket.io origin', () => {
  it('refuses a page of another site, takes its own and scripts without an Origin', async () => {
    const token = await kioskToken(ingest.pool);
    const evil = connect(token, 'http://evil.example');
    expect((await refused(evil)).message).toBe('origin not allowed: http://evil.example');
    await connected(connect(token, ingest.url));
    await connected(connect(token));
  });

  it('with TAKT_PUBLIC_URL, only that origin', () => {
    const publicUrl = 'https://takt.plant.example';
    expect(originProblem('https://takt.plant.example', 'ingest:8080', publicUrl)).toBeUndefined();
    expect(originProblem('http://takt.plant.example', 'takt.plant.example', publicUrl)).toBe(
      'origin not allowed: http://takt.plant.example',
    );
    expect(originProblem('null', 'ingest:8080', publicUrl)).toMatch(/origin not allowed/);
    expect(originProblem(undefined, 'ingest:8080', publicUrl)).toBeUndefined();
  });
});

describe('socket.io credential lifetime', () => {
  it('disconnects a socket when its session expires', async () => {
    // Long enough for the handshake on a loaded machine; the socket must outlive the connect.
    const { token } = await createSession(ingest.pool, userId, 4000);
    const socket = connect(token);
    await connected(socket);
    expect(await dropped(socket)).toBe('io server disconnect');
  });

  it('disconnects a socket whose session another instance ended', async () => {
    const { token } = await createSession(ingest.pool, userId, 3_600_000);
    const socket = connect(token);
    await connected(socket);
    const gone = dropped(socket);
    // As a sign-out through another ingest instance does: the row goes, no event here.
    await ingest.pool.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
    expect(await gone).toBe('io server disconnect');
  });

  it('disconnects a screen when its kiosk link is revoked in the database', async () => {
    const token = await kioskToken(ingest.pool, 'revoked elsewhere');
    const socket = connect(token);
    await connected(socket);
    const gone = dropped(socket);
    await ingest.pool.query(
      "UPDATE access_tokens SET revoked_at = now() WHERE label = 'revoked elsewhere'",
    );
    expect(await gone).toBe('io server disconnect');
  });
});
