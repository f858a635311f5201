import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { machine } from 'node:os';
import { join } from 'node:path';
import { AGENT_VERSION_PATTERN, verifyPackageSignature } from '@takt/protocol';
import {
  readJson,
  updateFiles,
  writeJsonAtomic,
  type OnlineMark,
  type OutcomeStep,
  type UpdateOutcome,
  type UpdateRequest,
} from './files';

/**
 * The root updater (docs/decisions.md "Issue 25 — signed agent updates (gateway)"), run by
 * takt-edge-update.service when the agent writes `updates/request.json`. It trusts nothing the
 * agent says: the package is checked again against the installed release key, unpacked beside
 * the running release under /opt/takt-edge/<version>, checked against its manifest, and
 * `current` is switched; then the agent is restarted and has `confirmWithinS` to write
 * online.json naming the new version, else `current` goes back and the old agent restarts.
 * The result is `updates/outcome.json` for whichever agent runs next to report. The disk
 * queue (`<stateDir>/<gateway>/queue`) is never opened.
 */
export interface UpdaterOptions {
  /** "" on a gateway; a test's directory standing for `/`. */
  root: string;
  /** $TAKT_STATE_DIR, default <root>/var/lib/takt. */
  stateDir: string;
  /** Restarts takt-edge (`systemctl restart takt-edge.service`). */
  restart: () => void;
  /** The service's main process: exited (with code or signal) since the last restart? */
  exited: () => string | undefined;
  /** `uname -m`. */
  machine: string;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  log: (line: string) => void;
  pollMs?: number;
}

const BASE = '/opt/takt-edge';
const KEY = '/etc/takt/package-signing.pub';

class Refusal extends Error {}

interface Manifest {
  name: string;
  version: string;
  arch: string;
  uname: string[];
  files: Record<string, string>;
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Checks the request again, as if the agent had never looked at it. */
export function verifyRequest(
  request: UpdateRequest,
  archive: string,
  publicKeyFile: string,
): void {
  if (!AGENT_VERSION_PATTERN.test(request.version))
    throw new Refusal(`the requested version ${JSON.stringify(request.version)} is not a version`);
  let key: string;
  try {
    key = readFileSync(publicKeyFile, 'utf8');
  } catch {
    throw new Refusal(`no package signing key installed (${publicKeyFile})`);
  }
  if (!existsSync(archive)) throw new Refusal(`the staged package ${archive} is missing`);
  const sha256 = sha256File(archive);
  if (sha256 !== request.sha256)
    throw new Refusal(
      `the staged package's sha256 is ${sha256}, the request says ${request.sha256}`,
    );
  if (!verifyPackageSignature(key, { ...request, sha256 }))
    throw new Refusal('the package signature is not valid for the installed package signing key');
}

/** The unpacked tree matches the request, this machine and every sha256 in its manifest. */
export function checkUnpacked(dir: string, request: UpdateRequest, uname: string): void {
  const manifest = readJson<Manifest>(join(dir, 'manifest.json'));
  if (!manifest || manifest.name !== 'takt-edge')
    throw new Refusal('the package has no takt-edge manifest.json');
  if (manifest.version !== request.version || manifest.arch !== request.arch)
    throw new Refusal(
      `the package's manifest says ${manifest.version} for ${manifest.arch}, the signature ${request.version} for ${request.arch}`,
    );
  if (!manifest.uname.includes(uname))
    throw new Refusal(`the package is for ${manifest.arch} but this machine is ${uname}`);
  const bad = Object.entries(manifest.files).filter(([file, sum]) => {
    try {
      return sha256File(join(dir, file)) !== sum;
    } catch {
      return true;
    }
  });
  if (bad.length > 0)
    throw new Refusal(
      `files missing or different from manifest.json: ${bad
        .slice(0, 5)
        .map(([f]) => f)
        .join(', ')}`,
    );
  if (!existsSync(join(dir, 'edge-agent/dist/edge-agent.mjs')))
    throw new Refusal('the package has no edge-agent/dist/edge-agent.mjs');
}

/** Points `<base>/current` at `version` in one step (a new link renamed over the old one). */
export function switchCurrent(base: string, version: string): void {
  const next = join(base, 'current.new');
  rmSync(next, { force: true });
  symlinkSync(version, next);
  renameSync(next, join(base, 'current'));
}

/** Removes releases other than the two kept (the running one and the one before). */
export function pruneReleases(base: string, keep: string[]): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(base)) {
    if (keep.includes(name) || !AGENT_VERSION_PATTERN.test(name)) continue;
    rmSync(join(base, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

export class Updater {
  private readonly base: string;
  private readonly files: ReturnType<typeof updateFiles>;

  constructor(private readonly opts: UpdaterOptions) {
    this.base = join(opts.root, BASE);
    this.files = updateFiles(opts.stateDir);
  }

  /** Handles request.json if there is one not yet done; false when there was nothing to do. */
  async run(): Promise<boolean> {
    const request = readJson<UpdateRequest>(this.files.request);
    if (!request) {
      this.opts.log('no staged update request');
      return false;
    }
    if (readJson<UpdateOutcome>(this.files.outcome)?.id === request.id) {
      this.opts.log(`update ${request.id} is already done`);
      return false;
    }
    let from: string;
    try {
      from = readlinkSync(join(this.base, 'current'));
    } catch {
      this.finish(request, '', [
        this.step('refused', `no installed release at ${BASE}/current to update from`),
      ]);
      return true;
    }
    const steps: OutcomeStep[] = [];
    try {
      if (request.version === from)
        throw new Refusal(`version ${request.version} is already installed and running`);
      verifyRequest(request, this.files.archive(request.sha256), join(this.opts.root, KEY));
      this.unpack(request);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.finish(request, from, [this.step('refused', error.message)]);
      return true;
    }
    steps.push(this.step('installing'));
    switchCurrent(this.base, request.version);
    this.opts.log(`switched ${BASE}/current from ${from} to ${request.version}; restarting`);
    const failure = await this.restartAndConfirm(request);
    if (!failure) {
      steps.push(this.step('online'));
      this.finish(request, from, steps);
      const removed = pruneReleases(this.base, [request.version, from]);
      if (removed.length) this.opts.log(`removed old releases ${removed.join(', ')}`);
      return true;
    }
    this.opts.log(`rolling back to ${from}: ${failure}`);
    switchCurrent(this.base, from);
    steps.push(this.step('rolled-back', failure));
    this.finish(request, from, steps);
    rmSync(join(this.base, request.version), { recursive: true, force: true });
    try {
      this.opts.restart();
    } catch (error) {
      this.opts.log(`restarting ${from} failed: ${(error as Error).message}`);
    }
    return true;
  }

  /** Unpacks beside the running release: <base>/<version>, owned by root, read-only to others. */
  private unpack(request: UpdateRequest): void {
    const tmp = mkdtempSync(join(this.base, '.unpack-'));
    try {
      execFileSync(
        'tar',
        [
          '-xzf',
          this.files.archive(request.sha256),
          '-C',
          tmp,
          '--no-same-owner',
          '--no-same-permissions',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const tops = readdirSync(tmp);
      if (tops.length !== 1) throw new Refusal('the package does not hold one top folder');
      const top = join(tmp, tops[0]!);
      checkUnpacked(top, request, this.opts.machine);
      spawnSync('chmod', ['-R', 'go-w', top]);
      if (process.getuid?.() === 0) spawnSync('chown', ['-R', 'root:root', top]);
      const target = join(this.base, request.version);
      rmSync(target, { recursive: true, force: true }); // not `current`: checked above
      renameSync(top, target);
    } catch (error) {
      if (error instanceof Refusal) throw error;
      throw new Refusal(`unpacking the package failed: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Undefined once online.json names the new version; else why not. */
  private async restartAndConfirm(request: UpdateRequest): Promise<string | undefined> {
    const startedAt = this.opts.now();
    try {
      this.opts.restart();
    } catch (error) {
      return `restarting the agent failed: ${(error as Error).message.split('\n')[0]}`;
    }
    const deadline = startedAt + request.confirmWithinS * 1000;
    for (;;) {
      const online = readJson<OnlineMark>(this.files.online);
      if (online?.version === request.version && online.ts >= startedAt) return undefined;
      const exited = this.opts.exited();
      if (exited) return `the new agent ${exited} at start`;
      if (this.opts.now() >= deadline)
        return `the new agent did not come online within ${request.confirmWithinS} s`;
      await this.opts.sleep(this.opts.pollMs ?? 500);
    }
  }

  private step(step: OutcomeStep['step'], error?: string): OutcomeStep {
    return {
      step,
      ok: error === undefined,
      ...(error === undefined ? {} : { error }),
      ts: this.opts.now(),
    };
  }

  private finish(request: UpdateRequest, from: string, steps: OutcomeStep[]): void {
    const last = steps.at(-1)!;
    const outcome: UpdateOutcome = {
      id: request.id,
      version: request.version,
      from,
      reporter: last.step === 'online' ? request.version : from,
      steps,
    };
    writeJsonAtomic(this.files.outcome, outcome);
    // The agent (as takt) reads and removes it: same owner as the folder it lies in.
    if (process.getuid?.() === 0) {
      const { uid, gid } = statSync(this.files.dir);
      chownSync(this.files.outcome, uid, gid);
    }
    this.opts.log(
      `update ${request.id} to ${request.version}: ${last.step}${last.error ? ` (${last.error})` : ''}`,
    );
  }
}

/**
 * Reads `systemctl show -p ExecMainCode -p ExecMainStatus` (or a test's stand-in): the main
 * process exited (code 1, CLD_EXITED) with a status, or was killed (2) / dumped core (3).
 */
export function exitedFromShow(text: string): string | undefined {
  const values = Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.trim().split('='))
      .filter((kv) => kv.length === 2),
  ) as Record<string, string>;
  const code = Number(values.ExecMainCode ?? 0);
  const status = Number(values.ExecMainStatus ?? 0);
  if (code === 1 && status !== 0) return `exited with code ${status}`;
  if (code === 2 || code === 3) return `was killed by signal ${status}`;
  return undefined;
}

export const unameM = (): string => process.env.TAKT_UNAME_M || machine();
