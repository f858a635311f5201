import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import {
  agentArchOf,
  commandTopics,
  updateCommandSchema,
  verifyPackageSignature,
  type UpdateCommand,
  type UpdateResult,
  type UpdateStep,
} from '@takt/protocol';
import type { Logger } from 'pino';
import { download } from './download';
import {
  readJson,
  remove,
  updateFiles,
  writeJsonAtomic,
  type OutcomeStep,
  type UpdateFiles,
  type UpdateOutcome,
  type UpdateRequest,
} from './files';

/**
 * Signed agent updates, the agent's half (docs/decisions.md "Issue 25 — signed agent updates
 * (gateway)"): a retained command on `cmd/update` names a package; the agent downloads it into
 * its state dir, checks size, sha256, the release key's signature and the architecture, and
 * writes `updates/request.json` for the root updater (updater.ts), which installs, restarts
 * and writes `updates/outcome.json`. Each step goes back on `cmd-result/update`.
 */
export interface AgentUpdateOptions {
  /** The gateway's state directory ($TAKT_STATE_DIR), not the per-gateway one with the queue. */
  stateDir: string;
  site: string;
  gatewayId: string;
  agentVersion: string;
  /** process.arch of this machine. */
  nodeArch: string;
  /** The release key (SPKI PEM), /etc/takt/package-signing.pub on a Pi. */
  publicKeyFile: string;
  /** QoS 1; `done` once the broker has it (or with the error). */
  publish: (topic: string, payload: string, done?: (error?: Error) => void) => void;
  log: Logger;
  now: () => number;
  /** How often a staged request is checked for the updater's outcome. */
  pollMs?: number;
  /** Downloads: tries and the pause between them. */
  tries?: number;
  retryDelayMs?: number;
  /** A staged request with no outcome this long past its confirm time is given up on. */
  pickupGraceMs?: number;
}

class Refusal extends Error {}

/** How many finished update ids are remembered. */
const FINISHED_KEPT = 20;

/** Why a verified command may still not be installed here; undefined when it may. */
export function commandRefusal(
  command: Pick<UpdateCommand, 'version' | 'arch'>,
  here: { agentVersion: string; nodeArch: string },
): string | undefined {
  if (command.version === here.agentVersion)
    return `this gateway already runs version ${command.version}`;
  const arch = agentArchOf(here.nodeArch);
  if (command.arch !== arch)
    return `the package is for ${command.arch} but this gateway is ${arch ?? here.nodeArch}`;
  return undefined;
}

export class AgentUpdate {
  readonly topic: string;
  private readonly resultTopic: string;
  private readonly files: UpdateFiles;
  private busy: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reporting = false;
  private started = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: AgentUpdateOptions) {
    this.topic = commandTopics.command(opts.site, opts.gatewayId, 'update');
    this.resultTopic = commandTopics.commandResult(opts.site, opts.gatewayId, 'update');
    this.files = updateFiles(opts.stateDir);
  }

  /**
   * The agent is up (devices started): watch for the updater's outcome (after a restart it may
   * already be there), and mark this version online if the broker connection is already up.
   */
  start(connected: boolean): void {
    this.started = true;
    this.timer = setInterval(() => this.poll(), this.opts.pollMs ?? 1000);
    this.timer.unref();
    if (connected) this.connected();
    else this.poll();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Connected with the status published: tell the updater this version is up. */
  connected(): void {
    if (!this.started) return; // an agent that fails to start must not look online
    try {
      writeJsonAtomic(this.files.online, {
        version: this.opts.agentVersion,
        pid: process.pid,
        ts: this.opts.now(),
      });
    } catch (error) {
      this.opts.log.error({ err: (error as Error).message }, 'cannot write online.json');
    }
    this.poll();
  }

  /**
   * Whether `id`'s final step was reported. The last few ids are kept, not only the last: a
   * refused command may have finished after the one that was still being installed.
   */
  isFinished(id: number): boolean {
    const kept = readJson<{ id: number; ids?: number[] }>(this.files.finished);
    return kept?.id === id || (kept?.ids ?? []).includes(id);
  }

  private markFinished(id: number): void {
    const kept = readJson<{ id: number; ids?: number[] }>(this.files.finished);
    const ids = [...(kept?.ids ?? []).filter((i) => i !== id), id].slice(-FINISHED_KEPT);
    writeJsonAtomic(this.files.finished, { id, ids });
  }

  async handle(payload: Buffer): Promise<void> {
    if (payload.length === 0) return; // the server cleared the retained command
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.opts.log.error('ignored an update command that is not JSON');
      return;
    }
    const id = (json as { id?: unknown } | null)?.id;
    const parsed = updateCommandSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const error = `the update command is malformed: ${issue.path.join('.')}: ${issue.message}`;
      this.opts.log.error({ id, err: error }, 'update refused');
      const version = (json as { version?: unknown }).version;
      if (typeof id === 'number' && Number.isInteger(id) && id > 0 && !this.isFinished(id))
        this.final(id, typeof version === 'string' ? version.slice(0, 64) : '', 'refused', error);
      return;
    }
    const command = parsed.data;
    if (this.seen(command.id)) {
      this.opts.log.debug({ id: command.id }, 'update already handled; retained command ignored');
      return;
    }
    // One update at a time, in arrival order (a newer retained command may arrive mid-way).
    const done = this.chain.then(() => this.runOnce(command));
    this.chain = done.catch(() => undefined);
    return done;
  }

  private async runOnce(command: UpdateCommand): Promise<void> {
    if (this.seen(command.id)) return;
    this.busy = command.id;
    try {
      const staged = readJson<UpdateRequest>(this.files.request);
      if (staged && staged.id !== command.id) {
        this.result(command.id, command.version, 'received', true);
        this.final(
          command.id,
          command.version,
          'refused',
          `update ${staged.id} to ${staged.version} is still being installed`,
        );
        return;
      }
      await this.run(command);
    } finally {
      this.busy = undefined;
    }
  }

  /** Finished, being handled, staged for the updater or waiting to be reported. */
  private seen(id: number): boolean {
    return (
      this.busy === id ||
      this.isFinished(id) ||
      readJson<UpdateRequest>(this.files.request)?.id === id ||
      readJson<UpdateOutcome>(this.files.outcome)?.id === id
    );
  }

  private async run(command: UpdateCommand): Promise<void> {
    const { id, version } = command;
    this.result(id, version, 'received', true);
    const archive = this.files.archive(command.sha256);
    try {
      const refusal = commandRefusal(command, this.opts);
      if (refusal) throw new Refusal(refusal);
      const key = this.publicKey();
      // The signature binds version, arch and sha256: checked before spending the bandwidth.
      if (!verifyPackageSignature(key, command))
        throw new Refusal(
          `the package signature is not valid for the installed package signing key (${this.opts.publicKeyFile})`,
        );
      mkdirSync(this.files.dir, { recursive: true });
      this.opts.log.info({ id, version, size: command.size }, 'downloading agent update');
      let got;
      try {
        got = await download({
          url: command.url,
          file: archive,
          size: command.size,
          ...(this.opts.tries ? { tries: this.opts.tries } : {}),
          ...(this.opts.retryDelayMs !== undefined ? { retryDelayMs: this.opts.retryDelayMs } : {}),
          onRetry: (attempt, reason) =>
            this.opts.log.warn({ id, attempt, err: reason }, 'update download failed, retrying'),
        });
      } catch (error) {
        throw new Refusal((error as Error).message);
      }
      if (got.bytes !== command.size)
        throw new Refusal(`the download has ${got.bytes} bytes, the command says ${command.size}`);
      this.result(id, version, 'downloaded', true);
      // Hash the file as it lies on disk: that is what the updater will unpack.
      const sha256 = createHash('sha256').update(readFileSync(archive)).digest('hex');
      if (sha256 !== command.sha256)
        throw new Refusal(`the download's sha256 is ${sha256}, the command says ${command.sha256}`);
      this.result(id, version, 'verified', true);
      const request: UpdateRequest = {
        id,
        version,
        arch: command.arch,
        sha256: command.sha256,
        size: command.size,
        signature: command.signature,
        confirmWithinS: command.confirmWithinS,
        stagedAt: this.opts.now(),
      };
      remove(this.files.outcome);
      writeJsonAtomic(this.files.request, request);
      this.opts.log.info({ id, version }, 'agent update staged for the updater');
      this.result(id, version, 'staged', true);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      remove(archive);
      this.opts.log.error({ id, version, err: error.message }, 'update refused');
      this.final(id, version, 'refused', error.message);
    }
  }

  private publicKey(): string {
    try {
      return readFileSync(this.opts.publicKeyFile, 'utf8');
    } catch {
      throw new Refusal(
        `no package signing key installed (${this.opts.publicKeyFile}): install it with install.sh --package-key`,
      );
    }
  }

  /** Reports the updater's outcome once, when it is this agent's to report. */
  private poll(): void {
    if (this.reporting) return;
    const outcome = readJson<UpdateOutcome>(this.files.outcome);
    const request = readJson<UpdateRequest>(this.files.request);
    if (outcome) {
      if (this.isFinished(outcome.id)) return this.cleanUp(outcome.id);
      if (outcome.reporter && outcome.reporter !== this.opts.agentVersion) return;
      this.report(outcome.id, outcome.version, outcome.steps);
      return;
    }
    // Staged but never picked up (no updater installed, or it died): say so, once.
    const grace = this.opts.pickupGraceMs ?? 5 * 60_000;
    if (request && this.opts.now() > request.stagedAt + request.confirmWithinS * 1000 + grace) {
      const error =
        'the root updater did not install the staged package (is takt-edge-update.path enabled?)';
      this.report(request.id, request.version, [
        { step: 'refused', ok: false, error, ts: this.opts.now() },
      ]);
    }
  }

  /** Publishes the steps, then (once the broker has them all) marks the id finished. */
  private report(id: number, version: string, steps: OutcomeStep[]): void {
    this.reporting = true;
    let left = steps.length;
    const done = (error?: Error) => {
      if (error) {
        this.reporting = false; // tried again at the next poll
        return;
      }
      if (--left > 0) return;
      this.markFinished(id);
      this.cleanUp(id);
      this.reporting = false;
      this.opts.log.info({ id, version, step: steps.at(-1)?.step }, 'agent update finished');
    };
    for (const s of steps) this.result(id, version, s.step, s.ok, s.error, s.ts, done);
  }

  private cleanUp(id: number): void {
    const request = readJson<UpdateRequest>(this.files.request);
    if (request?.id === id) {
      remove(this.files.archive(request.sha256));
      remove(this.files.request);
    }
    remove(this.files.outcome);
  }

  private final(id: number, version: string, step: UpdateStep, error: string): void {
    this.result(id, version, step, false, error, this.opts.now(), (e) => {
      if (!e) this.markFinished(id);
    });
  }

  private result(
    id: number,
    version: string,
    step: UpdateStep,
    ok: boolean,
    error?: string,
    ts = this.opts.now(),
    done?: (error?: Error) => void,
  ): void {
    const body: UpdateResult = {
      v: 1,
      ts,
      id,
      version,
      step,
      ok,
      agentVersion: this.opts.agentVersion,
      ...(error === undefined ? {} : { error }),
    };
    this.opts.publish(this.resultTopic, JSON.stringify(body), done);
  }
}
