import type { OpcuaDeviceConfig, OpcuaTagConfig } from '@takt/protocol';
import {
  MessageSecurityMode,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type OPCUACertificateManager,
  type UserIdentityInfo,
} from 'node-opcua';
import type { DriverContext, TagReading } from '../types';
import { toReading } from './convert';
import { secureEndpoint, type SecureEndpoint } from './endpoint';
import { EDGE_ERRORS, EdgeError } from '../../errors';
import { monitorTags } from './monitored-items';

/**
 * One session with one server: client, secure channel, session, one subscription and its
 * monitored items. A link is never repaired: when it breaks it reports `lost` once and the
 * driver opens a new one, which also covers a restarted server that lost our session and
 * subscription.
 */
export interface Link {
  /** The security mode and policy in use, e.g. `SignAndEncrypt/Basic256Sha256`. */
  readonly security: string;
  /** Ends session and channel; resolves with the parts that did not close in time. */
  close(timeoutMs: number): Promise<string[]>;
}

export interface LinkOptions {
  config: OpcuaDeviceConfig;
  ctx: DriverContext;
  pki: OPCUACertificateManager;
  /** The password of `config.username`, from `ctx.env` (never logged). */
  password: string | undefined;
  /** Aborted by `stop()`: an attempt in progress gives up at once. */
  signal: AbortSignal;
  readings(readings: TagReading[]): void;
  lost(detail: string): void;
}

/** The server's keep-alive period we ask for (publishing interval × keep-alive count). */
const KEEPALIVE_TARGET_MS = 5000;
/** Keep-alive periods without any publish response after which the link is dead. */
const WATCHDOG_KEEPALIVES = 3;

function createClient(
  config: OpcuaDeviceConfig,
  pki: OPCUACertificateManager,
  endpoint: SecureEndpoint,
) {
  return OPCUAClient.create({
    applicationName: 'TaktEdgeAgent',
    clientName: `takt-${config.id}`,
    // a server behind NAT or named by another host name advertises other endpoint URLs
    endpointMustExist: false,
    securityMode: MessageSecurityMode[endpoint.securityMode],
    securityPolicy: SecurityPolicy[endpoint.securityPolicy],
    // The certificate secureEndpoint judged (endpoint.ts): node-opcua then encrypts to it and
    // fetches and checks none of its own, so only the server holding its key gets a channel.
    serverCertificate: endpoint.serverCertificate,
    clientCertificateManager: pki,
    // one attempt per call, no built-in reconnection: the driver reconnects with a new client
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    requestedSessionTimeout: Math.max(60_000, 3 * KEEPALIVE_TARGET_MS),
    defaultTransactionTimeout: config.connectTimeoutMs,
    // the subscription's publish requests keep the session alive (OPC UA Part 4 v1.04, 5.13.1)
    keepSessionAlive: false,
  });
}

function identity(options: LinkOptions): UserIdentityInfo {
  const { username } = options.config;
  return username
    ? { type: UserTokenType.UserName, userName: username, password: options.password ?? '' }
    : { type: UserTokenType.Anonymous };
}

/** CreateSubscription (OPC UA Part 4 v1.04, 5.13.2): lifetime count ≥ 3 × keep-alive count. */
async function subscribe(session: ClientSession, config: OpcuaDeviceConfig) {
  const keepAliveCount = Math.max(3, Math.ceil(KEEPALIVE_TARGET_MS / config.publishingIntervalMs));
  return session.createSubscription2({
    requestedPublishingInterval: config.publishingIntervalMs,
    requestedMaxKeepAliveCount: keepAliveCount,
    requestedLifetimeCount: keepAliveCount * 6,
    maxNotificationsPerPublish: 0, // no limit
    publishingEnabled: true,
    priority: 1,
  });
}

/** Readings are handed over once per turn of the event loop, not one call per data change. */
class Batch {
  private pending: TagReading[] = [];
  private scheduled = false;
  constructor(private readonly deliver: (readings: TagReading[]) => void) {}

  push(reading: TagReading): void {
    this.pending.push(reading);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const readings = this.pending;
    this.pending = [];
    this.deliver(readings);
  }
}

class OpenLink implements Link {
  private ended = false;
  private watchdog: NodeJS.Timeout | undefined;
  private lastHeard = Date.now();
  /** Tags whose values could not be readings, said once per link rather than per change. */
  private readonly warned = new Set<string>();
  readonly batch: Batch;

  /** Made once the endpoint is chosen and its certificate trusted. */
  client: OPCUAClient | undefined;
  security = 'unknown';

  get closed(): boolean {
    return this.ended;
  }

  constructor(private readonly options: LinkOptions) {
    this.batch = new Batch((readings) => {
      if (!this.ended) options.readings(readings);
    });
  }

  session: ClientSession | undefined;

  /** Data change of a monitored item -> reading; a value that cannot be one is said once. */
  change(tag: OpcuaTagConfig, dataValue: DataValue): void {
    if (this.ended) return;
    const { reading, problem } = toReading(tag, dataValue, this.options.ctx.now);
    if (problem && !this.warned.has(tag.name)) {
      this.warned.add(tag.name);
      this.options.ctx.log.warn(
        { device: this.options.config.id, tag: tag.name, nodeId: tag.nodeId, problem },
        'OPC UA value cannot be a reading: sent as bad quality',
      );
    }
    this.batch.push(reading);
  }

  /** Every way a link can die ends here, once. */
  lose(detail: string): void {
    if (this.ended) return;
    this.batch.flush();
    this.ended = true;
    clearInterval(this.watchdog);
    this.options.lost(detail);
  }

  watch(client: OPCUAClient, session: ClientSession, subscription: ClientSubscription): void {
    if (this.ended) return; // closed (timeout, stop) while it was being opened
    client.on('connection_lost', () => this.lose('connection to the server lost'));
    client.on('close', (err?: Error | null) =>
      this.lose(`connection closed${err ? `: ${err.message}` : ''}`),
    );
    session.on('session_closed', () => this.lose('the server closed the session'));
    subscription.on('terminated', () => this.lose('the server ended the subscription'));
    subscription.on('internal_error', (err: Error) => this.lose(`subscription: ${err.message}`));
    subscription.on('error', (err: Error) => this.lose(`subscription: ${err.message}`));
    // StatusChangeNotification, e.g. BadTimeout: the subscription expired (Part 4 v1.05, 7.25.4)
    subscription.on('status_changed', (status: { isGood(): boolean; name: string }) => {
      if (!status.isGood()) this.lose(`subscription status ${status.name}`);
    });
    const heard = () => (this.lastHeard = Date.now());
    subscription.on('keepalive', heard);
    subscription.on('received_notifications', heard);
    // A cable pulled without a TCP reset closes nothing: the missing keep-alives tell.
    const keepAliveMs = subscription.publishingInterval * subscription.maxKeepAliveCount;
    const deadMs = WATCHDOG_KEEPALIVES * (keepAliveMs > 0 ? keepAliveMs : KEEPALIVE_TARGET_MS);
    this.watchdog = setInterval(
      () => {
        if (Date.now() - this.lastHeard > deadMs) {
          this.lose(
            new EdgeError('EDGE_ERR_OPCUA_WATCHDOG', EDGE_ERRORS.EDGE_ERR_OPCUA_WATCHDOG(deadMs))
              .message,
          );
        }
      },
      Math.max(1000, deadMs / 3),
    );
    this.lastHeard = Date.now();
  }

  async close(timeoutMs: number): Promise<string[]> {
    const peerGone = this.ended; // lost: the server will not answer a CloseSession
    this.batch.flush();
    this.ended = true;
    clearInterval(this.watchdog);
    const deadline = Date.now() + timeoutMs;
    const unclosed: string[] = [];
    if (this.session && !peerGone) {
      // CloseSession with deleteSubscriptions (OPC UA Part 4 v1.04, 5.6.4)
      if (!(await within(this.session.close(true), timeoutMs / 2))) unclosed.push('session');
    }
    // Always called, even when the session did not answer: the client then gives up on its
    // requests after `connectTimeoutMs` and destroys the socket, in the background if need be.
    if (this.client && !(await within(this.client.disconnect(), deadline - Date.now()))) {
      unclosed.push('secure channel');
    }
    return unclosed;
  }
}

/** true when `promise` settled (even with an error: a dead peer cannot close cleanly) in time. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>(
    (resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))),
  );
  const settled = promise.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Connect, activate the session, subscribe and monitor every tag. */
async function establish(link: OpenLink, options: LinkOptions): Promise<void> {
  const { config, ctx } = options;
  const endpoint = await secureEndpoint(config, ctx, options.pki);
  if (link.closed || options.signal.aborted) throw new Error('stopped');
  const client = createClient(config, options.pki, endpoint);
  link.client = client;
  link.security = `${endpoint.securityMode}/${endpoint.securityPolicy}`;
  await client.connect(config.endpointUrl);
  const session = await client.createSession(identity(options));
  link.session = session;
  const subscription = await subscribe(session, config);
  const failures = await monitorTags(subscription, config.tags, (tag, dv) => link.change(tag, dv));
  for (const { tag, reason } of failures) {
    ctx.log.warn(
      { device: config.id, tag: tag.name, nodeId: tag.nodeId, status: reason },
      'OPC UA node cannot be monitored: the tag reads bad quality',
    );
    link.batch.push({ tag: tag.name, value: null, quality: 'bad', ts: ctx.now() });
  }
  link.watch(client, session, subscription);
}

/**
 * Opens a link within `config.connectTimeoutMs`, or throws (unreachable, refused login,
 * untrusted certificate, no secured endpoint, timeout, aborted); what was half opened is
 * closed again.
 */
export async function openLink(options: LinkOptions): Promise<Link> {
  const { config } = options;
  if (options.signal.aborted) throw new Error('stopped');
  const link = new OpenLink(options);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new EdgeError(
            'EDGE_ERR_OPCUA_CONNECT_TIMEOUT',
            EDGE_ERRORS.EDGE_ERR_OPCUA_CONNECT_TIMEOUT(config.endpointUrl, config.connectTimeoutMs),
          ),
        ),
      config.connectTimeoutMs,
    );
    onAbort = () => reject(new Error('stopped'));
    options.signal.addEventListener('abort', onAbort, { once: true });
  });
  const attempt = establish(link, options);
  attempt.catch(() => undefined); // when it loses the race, its late failure is expected
  try {
    await Promise.race([attempt, giveUp]);
    return link;
  } catch (error) {
    await link.close(1000);
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort!);
  }
}
