import { createHash, createPublicKey, verify } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  commandTopics,
  configCommandSchema,
  configSigningText,
  type ConfigCommand,
  type ConfigResult,
  type GatewayConfig,
} from '@takt/protocol';
import type { Logger } from 'pino';

/**
 * Remote configuration (docs/decisions.md "Issue 25 — remote configuration"): a signed,
 * versioned config arrives on the gateway's `cmd/config` topic; it is checked, written over the
 * config file (the old one kept as `<file>.last-good`) and applied through the reload SIGHUP
 * uses. The result, applied or refused with the exact reason, goes back on `cmd-result/config`.
 */
export interface RemoteConfigOptions {
  /**
   * Where an applied config is written (`$TAKT_REMOTE_CONFIG_FILE`, /var/lib/takt/gateway.yaml
   * on a Pi: the agent may not write /etc/takt). The agent starts from it when it exists.
   */
  file: string;
  /** The installed config (/etc/takt/gateway.yaml), what runs until a config is applied. */
  baseFile: string;
  /** The server's Ed25519 public key (SPKI PEM), put next to the config by the install. */
  publicKeyFile: string;
  /** The gateway's state directory: the applied version is kept there. */
  stateDir: string;
  site: string;
  gatewayId: string;
  /** Validate the text as the file is loaded at start (throws a ConfigError with lines). */
  parse: (text: string) => GatewayConfig;
  reload: (config: GatewayConfig) => Promise<void>;
  publish: (topic: string, payload: string) => void;
  log: Logger;
  now: () => number;
}

export interface AppliedConfig {
  version: number;
  sha256: string;
}

export type VersionDecision =
  { do: 'apply' } | { do: 'already' } | { do: 'refuse'; reason: string };

/** Replay protection: only a newer version is applied; the same one again is a no-op. */
export function versionDecision(
  applied: AppliedConfig | undefined,
  incoming: AppliedConfig,
): VersionDecision {
  if (!applied || incoming.version > applied.version) return { do: 'apply' };
  if (incoming.version === applied.version && incoming.sha256 === applied.sha256)
    return { do: 'already' };
  return {
    do: 'refuse',
    reason: `config version ${incoming.version} is not newer than the applied version ${applied.version}`,
  };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Ed25519 over configSigningText; false for any malformed key or signature. */
export function verifyConfigSignature(
  publicKeyPem: string,
  site: string,
  gatewayId: string,
  command: Pick<ConfigCommand, 'version' | 'sha256' | 'signature'>,
): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    const text = configSigningText(site, gatewayId, command.version, command.sha256);
    return verify(null, Buffer.from(text), key, Buffer.from(command.signature, 'base64'));
  } catch {
    return false;
  }
}

class Refusal extends Error {}

export class RemoteConfig {
  readonly topic: string;
  private readonly resultTopic: string;
  private readonly versionFile: string;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: RemoteConfigOptions) {
    this.topic = commandTopics.command(opts.site, opts.gatewayId, 'config');
    this.resultTopic = commandTopics.commandResult(opts.site, opts.gatewayId, 'config');
    this.versionFile = join(opts.stateDir, 'config-version');
  }

  /** The applied version, if a remote config was ever applied here. */
  applied(): AppliedConfig | undefined {
    if (!existsSync(this.versionFile)) return undefined;
    return JSON.parse(readFileSync(this.versionFile, 'utf8')) as AppliedConfig;
  }

  /** Commands are handled one at a time, in arrival order. */
  handle(payload: Buffer): Promise<void> {
    const done = this.chain.then(() => this.handleOne(payload));
    this.chain = done.catch(() => undefined);
    return done;
  }

  private async handleOne(payload: Buffer): Promise<void> {
    let version = 0;
    try {
      const command = this.decode(payload);
      version = command.version;
      this.verify(command);
      const decision = versionDecision(this.applied(), command);
      if (decision.do === 'refuse') throw new Refusal(decision.reason);
      if (decision.do === 'apply') await this.apply(command);
      this.answer({ version, status: 'applied' });
    } catch (error) {
      const message = (error as Error).message;
      this.opts.log.error({ version, err: message }, 'remote config refused');
      this.answer({ version, status: 'refused', error: message });
    }
  }

  private decode(payload: Buffer): ConfigCommand {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      throw new Refusal('the config command is not JSON');
    }
    const parsed = configCommandSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Refusal(
        `the config command is malformed: ${issue.path.join('.')}: ${issue.message}`,
      );
    }
    return parsed.data;
  }

  private verify(command: ConfigCommand): void {
    if (sha256Hex(command.yaml) !== command.sha256)
      throw new Refusal('the config text does not match its sha256');
    let key: string;
    try {
      key = readFileSync(this.opts.publicKeyFile, 'utf8');
    } catch {
      throw new Refusal(
        `no public key to check the signature: install the server's key as ${this.opts.publicKeyFile}`,
      );
    }
    if (!verifyConfigSignature(key, this.opts.site, this.opts.gatewayId, command))
      throw new Refusal('the config signature is not valid for this gateway and the installed key');
  }

  private async apply(command: ConfigCommand): Promise<void> {
    const { file, baseFile } = this.opts;
    const next = this.opts.parse(command.yaml); // a ConfigError lists file:line path: message
    const lastGood = `${file}.last-good`;
    const tmp = `${file}.tmp`;
    // The first applied config has no file of its own yet: the installed one is running.
    const existed = existsSync(file);
    copyFileSync(existed ? file : baseFile, lastGood);
    writeFileSync(tmp, command.yaml);
    renameSync(tmp, file); // atomic on one file system: a crash leaves the old or the new file
    try {
      await this.opts.reload(next);
    } catch (error) {
      if (existed) {
        copyFileSync(lastGood, tmp);
        renameSync(tmp, file);
      } else rmSync(file, { force: true });
      this.opts.log.warn({ version: command.version }, 'remote config rolled back to last good');
      throw error;
    }
    const applied: AppliedConfig = { version: command.version, sha256: command.sha256 };
    writeFileSync(`${this.versionFile}.tmp`, JSON.stringify(applied));
    renameSync(`${this.versionFile}.tmp`, this.versionFile);
    this.opts.log.info({ version: command.version }, 'remote config applied');
  }

  private answer(result: Omit<ConfigResult, 'v' | 'ts'>): void {
    const body: ConfigResult = { v: 1, ts: this.opts.now(), ...result };
    this.opts.publish(this.resultTopic, JSON.stringify(body));
  }
}
