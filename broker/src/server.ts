import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';
import { pino, type Logger } from 'pino';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { createAuthorizer } from './auth';
import type { SharedState } from './cluster';
import { BROKER_ERRORS, BrokerError } from './errors';
import { GuardedStream } from './guarded-stream';
import { ConnectionLimiter, type ConnectionLimits } from './limits';
import type { BrokerUser } from './users';

export interface TlsListenerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to the broker's host. */
  host?: string | undefined;
  /** PEM certificate chain and private key (contents, not paths). */
  cert: string | Buffer;
  key: string | Buffer;
}

export interface BrokerLimits {
  /** Largest MQTT packet accepted (remaining length, bytes); larger ones close the connection. */
  maxPacketBytes: number;
  /** A connection that sends no CONNECT within this time is closed. */
  connectTimeoutMs: number;
  connections: ConnectionLimits;
}

export const DEFAULT_LIMITS: BrokerLimits = {
  maxPacketBytes: 256 * 1024,
  connectTimeoutMs: 10_000,
  connections: { perWindow: 30, windowMs: 10_000, concurrent: 200 },
};

export interface BrokerOptions {
  host: string;
  /** Plain MQTT over TCP; 0 picks a free port. */
  port: number;
  /** MQTT over WebSocket; undefined = off, 0 = a free port. */
  wsPort?: number | undefined;
  /** MQTT over TLS; undefined = off. */
  tls?: TlsListenerOptions | undefined;
  users: readonly BrokerUser[];
  /** Anonymous clients get the admin role: only for loopback tests or a closed bench. */
  allowAnonymous?: boolean;
  limits?: Partial<BrokerLimits>;
  /** State shared with other brokers (cluster.ts); closed by stop(). */
  shared?: SharedState | undefined;
  log?: Logger;
}

export interface RunningBroker {
  readonly aedes: Aedes;
  readonly port: number;
  readonly wsPort: number | undefined;
  readonly tlsPort: number | undefined;
  /** New accounts take effect for the next CONNECT. */
  setUsers(users: readonly BrokerUser[]): void;
  stop(timeoutMs?: number): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new BrokerError(
              'BROKER_ERR_PORT_IN_USE',
              BROKER_ERRORS.BROKER_ERR_PORT_IN_USE(host, port),
            )
          : new BrokerError(
              'BROKER_ERR_LISTEN',
              BROKER_ERRORS.BROKER_ERR_LISTEN(host, port, error.message),
            ),
      );
    });
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server?.listening ? server.close(() => resolve()) : resolve()));
}

export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const log = options.log ?? pino({ name: 'broker' });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const authorizer = createAuthorizer({
    users: options.users,
    allowAnonymous: options.allowAnonymous ?? false,
    log,
  });
  const aedes = await Aedes.createBroker({
    ...options.shared?.aedes,
    connectTimeout: limits.connectTimeoutMs,
    ...authorizer.handlers,
  });
  aedes.on('clientError', (client, error) =>
    log.debug({ clientId: client.id, err: error.message }, 'client error'),
  );
  aedes.on('connectionError', (_client, error) =>
    log.debug({ err: error.message }, 'connection error before CONNECT'),
  );

  const limiter = new ConnectionLimiter(limits.connections);
  /** Every accepted socket, so that stop() also ends those that never sent CONNECT. */
  const sockets = new Set<Socket>();
  /** Per-address limits on the raw TCP socket, before TLS, WebSocket or MQTT cost anything. */
  const admit = (listener: string) => (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const decision = limiter.accept(address);
    if (!decision.ok) {
      if (decision.firstRefusal)
        log.warn({ listener, address, reason: decision.reason }, 'connection refused: rate limit');
      socket.destroy();
      return false;
    }
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      limiter.release(address);
    });
    return true;
  };
  /** Hands an MQTT byte stream to aedes, closing it at the header of an oversized packet. */
  const handle = (stream: Duplex, address: string | undefined, req?: unknown) => {
    const guarded = new GuardedStream(stream, limits.maxPacketBytes, (reason) =>
      log.warn({ address, reason }, 'connection closed: bad packet'),
    );
    aedes.handle(guarded as never, req as never);
  };

  const servers: Server[] = [];
  let wss: WebSocketServer | undefined;
  const started = async <S extends Server>(server: S, host: string, port: number) => {
    servers.push(server);
    return listen(server, host, port);
  };
  try {
    // TCP_NODELAY: without it QoS 0 p99 on loopback is ~40 ms (docs/decisions.md "Measured on these machines").
    const tcp = createServer({ noDelay: true });
    tcp.on('connection', (socket) => admit('tcp')(socket) && handle(socket, socket.remoteAddress));
    const port = await started(tcp, options.host, options.port);

    let tlsPort: number | undefined;
    if (options.tls) {
      const tls: TlsServer = createTlsServer({
        cert: options.tls.cert,
        key: options.tls.key,
        minVersion: 'TLSv1.2',
        handshakeTimeout: limits.connectTimeoutMs,
      });
      tls.on('connection', admit('tls'));
      tls.on('secureConnection', (socket) => {
        socket.setNoDelay(true);
        handle(socket, socket.remoteAddress);
      });
      tls.on('tlsClientError', (error, socket) =>
        log.debug({ address: socket.remoteAddress, err: error.message }, 'TLS handshake failed'),
      );
      tlsPort = await started(tls, options.tls.host ?? options.host, options.tls.port);
    }

    let wsPort: number | undefined;
    if (options.wsPort !== undefined) {
      const http: HttpServer = createHttpServer();
      http.on('connection', admit('ws'));
      wsPort = await started(http, options.host, options.wsPort);
      // Frame payloads above the MQTT limit are refused by ws itself (close code 1009).
      wss = new WebSocketServer({ server: http, maxPayload: limits.maxPacketBytes + 8 });
      wss.on('connection', (socket, request) =>
        handle(createWebSocketStream(socket), request.socket.remoteAddress, request),
      );
    }
    log.info(
      { host: options.host, port, tlsPort, wsPort, accounts: options.users.length },
      'broker listening',
    );

    return {
      aedes,
      port,
      wsPort,
      tlsPort,
      setUsers: (users) => authorizer.setUsers(users),
      async stop(timeoutMs = 3000) {
        for (const client of wss?.clients ?? []) client.terminate();
        const closed = (async () => {
          const listenersClosed = Promise.all(servers.map(close)); // stop accepting now
          // Clients first, then the shared persistence (it unsubscribes through the
          // emitter), then aedes, which closes the emitter.
          const clients = Object.values(
            (aedes as unknown as { clients: Record<string, Client> }).clients,
          );
          await Promise.all(
            clients.map((c) => new Promise<void>((resolve) => c.close(() => resolve()))),
          );
          await options.shared?.close();
          await new Promise<void>((resolve) => aedes.close(() => resolve()));
          await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
          for (const socket of sockets) socket.destroy(); // half-open, never sent CONNECT
          await listenersClosed;
        })();
        const timedOut = await Promise.race([
          closed.then(() => false),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(true), timeoutMs).unref()),
        ]);
        if (timedOut) log.warn({ timeoutMs }, 'broker did not close all connections in time');
      },
    };
  } catch (error) {
    await Promise.all(servers.map(close));
    aedes.close();
    throw error;
  }
}
