import { SIM_STATE_CODES } from '@takt/protocol';
import { join } from 'node:path';
import type { Namespace, OPCUAServer, UAObject } from 'node-opcua';
import { pino, type Logger } from 'pino';
import { freePort } from './free-port';
import type { SimValues } from './machine-model';

/** The variables every sim machine exposes, as `ns=1;s=<machineId>.<variable>`. */
export const SIM_OPCUA_VARIABLES = ['GoodCount', 'RejectCount', 'State', 'Temperature'] as const;
/** Besides those, each machine's gauge: the last piece's diameter (0 without a scenario `gauge`). */
export const SIM_OPCUA_GAUGE_VARIABLE = 'Diameter';
const ALL_VARIABLES = [...SIM_OPCUA_VARIABLES, SIM_OPCUA_GAUGE_VARIABLE] as const;
export type SimOpcuaVariable = (typeof ALL_VARIABLES)[number];

/** The node id of a sim machine's variable (the server's own namespace is index 1). */
export function simOpcuaNodeId(machineId: string, variable: SimOpcuaVariable): string {
  return `ns=1;s=${machineId}.${variable}`;
}

export interface OpcuaServerOptions {
  /** Absent or 0: a free port. The same port again restarts a server where clients expect it. */
  port?: number;
  /** Where the server's PKI (own certificate, trusted/rejected clients) lives. Never $HOME. */
  pkiDir: string;
  machines: ReadonlyArray<{ id: string; values: () => SimValues }>;
  /** Accounts for username login, besides anonymous access. */
  users?: ReadonlyArray<{ username: string; password: string }>;
  allowAnonymous?: boolean;
  /**
   * Trust every client certificate on first sight (a server in commissioning mode). When
   * false, a Sign/SignAndEncrypt client is refused until its certificate is moved from
   * `<pkiDir>/server/rejected` to `trusted`.
   */
  autoAcceptCertificates?: boolean;
  log?: Logger;
}

export interface SimOpcuaServer {
  readonly port: number;
  readonly endpointUrl: string;
  /** Pin one variable to an exact value (tests); it stays until `release()`. */
  setValue(machineId: string, variable: SimOpcuaVariable, value: number): void;
  /** Back to the machine's own values (one variable, or all of the machine's). */
  release(machineId: string, variable?: SimOpcuaVariable): void;
  stop(timeoutMs?: number): Promise<void>;
}

const HOST = '127.0.0.1';

/** Raw values of one machine as the OPC UA server exposes them. */
function variableValues(values: SimValues): Record<SimOpcuaVariable, number> {
  return {
    GoodCount: values.good >>> 0,
    RejectCount: values.reject >>> 0,
    State: SIM_STATE_CODES[values.state],
    Temperature: values.temperatureC,
    // A machine without a gauge reads 0 (scenario `gauge`).
    Diameter: values.diameterMm ?? 0,
  };
}

type Ua = typeof import('node-opcua');

function addMachine(
  ua: Ua,
  ns: Namespace,
  objects: UAObject,
  id: string,
  read: (variable: SimOpcuaVariable) => number,
): void {
  const dataTypes: Record<SimOpcuaVariable, number> = {
    GoodCount: ua.DataType.UInt32,
    RejectCount: ua.DataType.UInt32,
    State: ua.DataType.UInt16,
    Temperature: ua.DataType.Double,
    Diameter: ua.DataType.Double,
  };
  const machine = ns.addObject({ organizedBy: objects, browseName: id, nodeId: `s=${id}` });
  for (const variable of ALL_VARIABLES) {
    const dataType = dataTypes[variable];
    const options = {
      componentOf: machine,
      browseName: variable,
      nodeId: `s=${id}.${variable}`,
      dataType: ua.DataType[dataType],
      minimumSamplingInterval: 50,
      value: { get: () => new ua.Variant({ dataType, value: read(variable) }) },
    };
    if (variable === 'Temperature') {
      // An AnalogItem (OPC UA Part 8) with an EURange, so that percent deadbands are allowed
      ns.addAnalogDataItem({
        ...options,
        engineeringUnitsRange: { low: -50, high: 250 },
        engineeringUnits: ua.standardUnits.degree_celsius,
      });
    } else {
      ns.addVariable(options);
    }
  }
}

function certificateManagers(ua: Ua, pkiDir: string, autoAccept: boolean) {
  return {
    serverCertificateManager: new ua.OPCUACertificateManager({
      rootFolder: join(pkiDir, 'server'),
      automaticallyAcceptUnknownCertificate: autoAccept,
    }),
    userCertificateManager: new ua.OPCUACertificateManager({
      rootFolder: join(pkiDir, 'user'),
      automaticallyAcceptUnknownCertificate: false,
    }),
  };
}

/** Security None and Basic256Sha256 Sign / SignAndEncrypt; anonymous and username logins. */
function buildServer(ua: Ua, options: OpcuaServerOptions, port: number): OPCUAServer {
  const users = options.users ?? [];
  return new ua.OPCUAServer({
    port,
    host: HOST,
    hostname: HOST,
    nodeset_filename: [ua.nodesets.standard],
    allowAnonymous: options.allowAnonymous ?? true,
    securityModes: [
      ua.MessageSecurityMode.None,
      ua.MessageSecurityMode.Sign,
      ua.MessageSecurityMode.SignAndEncrypt,
    ],
    securityPolicies: [ua.SecurityPolicy.None, ua.SecurityPolicy.Basic256Sha256],
    userManager: {
      isValidUser: (username: string, password: string) =>
        users.some((u) => u.username === username && u.password === password),
    },
    serverInfo: { applicationName: { text: 'Takt sim PLCs', locale: 'en' } },
    ...certificateManagers(ua, options.pkiDir, options.autoAcceptCertificates ?? true),
  });
}

/**
 * A real OPC UA server (node-opcua) exposing the sim machines' values, which it reads
 * from `values()` whenever a client reads or a monitored item samples.
 */
export async function startOpcuaServer(options: OpcuaServerOptions): Promise<SimOpcuaServer> {
  // loaded here, not with @takt/sim: node-opcua takes ~0.5 s and ~90 MB, Modbus-only runs skip it
  const ua = await import('node-opcua');
  const log = options.log ?? pino({ name: 'sim-opcua' });
  const port = options.port ? options.port : await freePort(HOST);
  const pins = new Map<string, number>();
  const server = buildServer(ua, options, port);
  try {
    await server.initialize();
    const addressSpace = server.engine.addressSpace!;
    const ns = addressSpace.getOwnNamespace();
    for (const machine of options.machines) {
      const read = (variable: SimOpcuaVariable) =>
        pins.get(`${machine.id}.${variable}`) ?? variableValues(machine.values())[variable];
      addMachine(ua, ns, addressSpace.rootFolder.objects, machine.id, read);
    }
    await server.start();
  } catch (error) {
    await server.shutdown(0).catch(() => undefined);
    const e = error as NodeJS.ErrnoException;
    throw new Error(
      e.code === 'EADDRINUSE' || /EADDRINUSE/.test(e.message)
        ? `SIM_ERR_PORT_IN_USE: OPC UA port ${port} on ${HOST} is already in use`
        : `SIM_ERR_LISTEN: OPC UA server on ${HOST}:${port}: ${e.message}`,
    );
  }
  const endpointUrl = `opc.tcp://${HOST}:${port}`;
  log.info({ endpointUrl, machines: options.machines.length }, 'sim OPC UA server listening');
  return {
    port,
    endpointUrl,
    setValue: (machineId, variable, value) => void pins.set(`${machineId}.${variable}`, value),
    release: (machineId, variable) => {
      for (const v of variable ? [variable] : ALL_VARIABLES) pins.delete(`${machineId}.${v}`);
    },
    stop: (timeoutMs = 2000) => stopServer(server, endpointUrl, timeoutMs, log),
  };
}

/** Bounded shutdown (docs/architecture.md "Conventions" 9): closes sessions and sockets, or says it could not. */
async function stopServer(
  server: OPCUAServer,
  endpointUrl: string,
  timeoutMs: number,
  log: Logger,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    // shutdown(0): no grace period announced to clients, the sim goes away at once
    const outcome = await Promise.race([server.shutdown(0).then(() => 'done' as const), expired]);
    if (outcome === 'timeout') {
      log.warn({ endpointUrl, timeoutMs }, 'sim OPC UA server did not shut down in time');
    }
  } catch (error) {
    log.warn({ endpointUrl, err: (error as Error).message }, 'sim OPC UA server shutdown failed');
  } finally {
    clearTimeout(timer);
  }
}
