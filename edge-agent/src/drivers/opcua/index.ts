import { opcuaDeviceSchema, type OpcuaDeviceConfig } from '@takt/protocol';
import type { OPCUACertificateManager } from 'node-opcua';
import type { DriverContext, DriverModule, PushDriver, ReadingSink, TagReading } from '../types';
import { EDGE_ERRORS, EdgeError } from '../../errors';
import { openLink, type Link } from './link';
import { initialLinkState, linkReducer, type LinkEffect, type LinkEvent } from './link-state';
import { openPki } from './pki';

/** Failed attempts in a row are logged at warn every tenth time, else at debug. */
const LOG_EVERY_FAILURES = 10;

/**
 * OPC UA client driver (push): one session and one subscription per device, one monitored
 * item per tag. The connection life cycle is `linkReducer`; this class carries out its
 * effects: open a link, tell the sink, close, schedule the next attempt.
 */
class OpcuaDriver implements PushDriver {
  readonly mode = 'push' as const;
  private state = initialLinkState;
  private sink: ReadingSink | undefined;
  private link: Link | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pki: Promise<OPCUACertificateManager> | undefined;
  private readonly abort = new AbortController();
  /** Work stop() waits for: the attempt in progress and links being closed. */
  private readonly pending = new Map<Promise<unknown>, string>();
  private closeTimeoutMs = 2000;
  private readonly password: string | undefined;

  constructor(
    private readonly config: OpcuaDeviceConfig,
    private readonly ctx: DriverContext,
  ) {
    if (config.username && config.passwordEnv) {
      this.password = ctx.env[config.passwordEnv];
      if (this.password === undefined) {
        throw new EdgeError(
          'EDGE_ERR_OPCUA_NO_PASSWORD',
          EDGE_ERRORS.EDGE_ERR_OPCUA_NO_PASSWORD(config.id, config.passwordEnv),
        );
      }
    }
  }

  get connected(): boolean {
    return this.state.phase === 'up';
  }

  /** Returns once the first attempt has succeeded or failed; retries go on in the background. */
  async start(sink: ReadingSink): Promise<void> {
    if (this.sink) return;
    this.sink = sink;
    await this.dispatch({ type: 'start' });
  }

  async stop(timeoutMs = 2000): Promise<void> {
    // links get most of the budget; the rest is for the attempt in progress to give up
    this.closeTimeoutMs = Math.max(100, timeoutMs * 0.8);
    clearTimeout(this.retryTimer);
    this.abort.abort();
    await this.dispatch({ type: 'stop' });
    const all = Promise.allSettled([...this.pending.keys()]);
    const done = await Promise.race([
      all.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
    ]);
    if (!done) {
      this.ctx.log.warn(
        { device: this.config.id, timeoutMs, unfinished: [...this.pending.values()] },
        'OPC UA driver did not stop in time',
      );
    }
    const pki = this.pki;
    this.pki = undefined;
    await pki?.then((manager) => manager.dispose()).catch(() => undefined);
  }

  private async dispatch(event: LinkEvent): Promise<void> {
    const [next, effects] = linkReducer(this.state, event);
    this.state = next;
    for (const effect of effects) await this.run(effect);
  }

  private async run(effect: LinkEffect): Promise<void> {
    switch (effect.type) {
      case 'open':
        return this.track(this.open(), 'connection attempt');
      case 'report-up':
        this.ctx.log.info(
          {
            device: this.config.id,
            endpointUrl: this.config.endpointUrl,
            security: this.link?.security,
          },
          'OPC UA device connected',
        );
        this.sink?.connection(true);
        return;
      case 'report-down':
        this.reportDown(effect.detail);
        return;
      case 'close':
        this.closeLink();
        return;
      case 'retry-in':
        this.retryTimer = setTimeout(() => void this.dispatch({ type: 'retry' }), effect.delayMs);
        return;
    }
  }

  /** Connection down: say so, and send every tag once with bad quality (docs/architecture.md "Conventions" 6). */
  private reportDown(detail: string): void {
    this.ctx.log.warn(
      { device: this.config.id, endpointUrl: this.config.endpointUrl, err: detail },
      'OPC UA device down: its tags read bad quality until it is back',
    );
    this.sink?.connection(false, detail);
    const ts = this.ctx.now();
    const bad: TagReading[] = this.config.tags.map((tag) => ({
      tag: tag.name,
      value: null,
      quality: 'bad',
      ts,
    }));
    this.sink?.readings(bad);
  }

  private async open(): Promise<void> {
    try {
      const link = await openLink({
        config: this.config,
        ctx: this.ctx,
        pki: await this.certificates(),
        password: this.password,
        signal: this.abort.signal,
        readings: (readings) => this.sink?.readings(readings),
        lost: (detail) => void this.dispatch({ type: 'lost', detail }),
      });
      if (this.state.phase === 'stopped') {
        void this.track(this.closeQuietly(link), 'session opened while stopping');
        return;
      }
      this.link = link;
      await this.dispatch({ type: 'opened' });
    } catch (error) {
      this.logFailure(error as Error);
      await this.dispatch({ type: 'failed', detail: (error as Error).message });
    }
  }

  /** The certificate store, opened once; a failure (state dir not writable) is retried. */
  private async certificates(): Promise<OPCUACertificateManager> {
    this.pki ??= openPki(this.ctx.stateDir);
    try {
      return await this.pki;
    } catch (error) {
      this.pki = undefined;
      throw error;
    }
  }

  private logFailure(error: Error): void {
    if (this.state.phase === 'stopped') return;
    // the first failure is told by 'device down'; then every tenth, to show it still tries
    const failures = this.state.failures + 1;
    const level = failures % LOG_EVERY_FAILURES === 0 ? 'warn' : 'debug';
    this.ctx.log[level](
      {
        device: this.config.id,
        endpointUrl: this.config.endpointUrl,
        failures,
        err: error.message,
      },
      'OPC UA connection attempt failed',
    );
  }

  private closeLink(): void {
    const link = this.link;
    this.link = undefined;
    if (link) void this.track(this.closeQuietly(link), 'session');
  }

  /** Bounded close (docs/architecture.md "Conventions" 9) that logs what it could not close. */
  private async closeQuietly(link: Link): Promise<void> {
    const unclosed = await link.close(this.closeTimeoutMs);
    if (unclosed.length > 0) {
      this.ctx.log.warn(
        { device: this.config.id, unclosed, timeoutMs: this.closeTimeoutMs },
        'OPC UA link not closed in time',
      );
    }
  }

  private async track(work: Promise<void>, what: string): Promise<void> {
    this.pending.set(work, what);
    try {
      await work;
    } finally {
      this.pending.delete(work);
    }
  }
}

export const opcuaDriver: DriverModule<OpcuaDeviceConfig> = {
  kind: 'opcua',
  configSchema: opcuaDeviceSchema,
  create: (config, ctx) => new OpcuaDriver(config, ctx),
};
