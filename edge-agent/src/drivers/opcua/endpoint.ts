import { X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpcuaDeviceConfig } from '@takt/protocol';
import { OPCUAClient, type OPCUACertificateManager } from 'node-opcua';
import { EDGE_ERRORS, EdgeError } from '../../errors';
import { chooseEndpoint, type Mode, type OfferedEndpoint, type Policy } from './choose-endpoint';
import type { DriverContext } from '../types';
import { pkiFolder } from './pki';
import { judgeServerCertificate } from './trust';

/** What the driver connects with: the mode, the policy and the certificate it trusted. */
export interface SecureEndpoint {
  securityMode: Mode;
  securityPolicy: Policy;
  /** The server certificate judged trusted; absent with security None. */
  serverCertificate?: Buffer | undefined;
}

/** GetEndpoints over an unsecured channel (OPC UA Part 4, 5.4.4): what the server offers. */
async function discover(
  config: OpcuaDeviceConfig,
  pki: OPCUACertificateManager,
): Promise<OfferedEndpoint[]> {
  const client = OPCUAClient.create({
    applicationName: 'TaktEdgeAgent',
    clientCertificateManager: pki, // else node-opcua makes one under $HOME
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    defaultTransactionTimeout: config.connectTimeoutMs,
  });
  try {
    await client.connect(config.endpointUrl);
    const endpoints = await client.getEndpoints();
    return endpoints.map((e) => ({
      securityMode: e.securityMode,
      securityPolicyUri: e.securityPolicyUri,
      serverCertificate: e.serverCertificate,
    }));
  } finally {
    await client.disconnect().catch(() => undefined);
  }
}

/** Certificates in the trusted folder: PEM (one or more) or DER files. */
async function readTrustedFolder(folder: string): Promise<X509Certificate[]> {
  try {
    const names = (await readdir(folder)).filter((n) => /\.(pem|crt|cer|der)$/i.test(n)).sort();
    const out: X509Certificate[] = [];
    for (const name of names) {
      const bytes = await readFile(join(folder, name));
      const text = bytes.toString('latin1');
      const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
      for (const one of pems ?? [bytes]) out.push(new X509Certificate(one));
    }
    return out;
  } catch (error) {
    throw new EdgeError(
      'EDGE_ERR_OPCUA_TRUSTED_FOLDER',
      EDGE_ERRORS.EDGE_ERR_OPCUA_TRUSTED_FOLDER(folder, (error as Error).message),
    );
  }
}

/** Where a device's certificate trusted on first use is recorded (its SHA-256). */
const firstUseFile = (stateDir: string, device: string) =>
  join(pkiFolder(stateDir), 'first-use', `${device}.json`);

async function readFirstUsePin(file: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(file, 'utf8')) as { sha256: string }).sha256;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Discovers the server's endpoints, chooses one and judges its certificate by the device's
 * trust setting; throws EDGE_ERR_OPCUA_UNTRUSTED naming the thumbprints when it is refused.
 * A certificate trusted on first use is recorded (write, rename) and logged with its
 * thumbprints; from then on only that one is accepted.
 */
export async function secureEndpoint(
  config: OpcuaDeviceConfig,
  ctx: DriverContext,
  pki: OPCUACertificateManager,
): Promise<SecureEndpoint> {
  if (config.securityMode === 'None' || config.securityPolicy === 'None')
    return { securityMode: 'None', securityPolicy: 'None' };
  const chosen = chooseEndpoint(config, await discover(config, pki));
  const trust = config.trust ?? { trustOnFirstUse: false };
  const file = firstUseFile(ctx.stateDir, config.id);
  const verdict = judgeServerCertificate(chosen.serverCertificate ?? Buffer.alloc(0), trust, {
    folder: trust.trustedFolder ? await readTrustedFolder(trust.trustedFolder) : [],
    firstUsePin: trust.trustOnFirstUse ? await readFirstUsePin(file) : undefined,
    nowMs: ctx.now(),
  });
  const endpoint = {
    securityMode: chosen.mode,
    securityPolicy: chosen.policy,
    serverCertificate: chosen.serverCertificate ?? undefined,
  };
  if (verdict.trusted) return endpoint;
  if (verdict.firstUse) {
    await mkdir(join(pkiFolder(ctx.stateDir), 'first-use'), { recursive: true });
    const record = { ...verdict.leaf, endpointUrl: config.endpointUrl, at: ctx.now() };
    await writeFile(`${file}.tmp`, JSON.stringify(record), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    ctx.log.warn(
      { device: config.id, endpointUrl: config.endpointUrl, ...verdict.leaf },
      'OPC UA server certificate trusted on first use: check the thumbprint on the machine and pin it under trust.thumbprints',
    );
    return endpoint;
  }
  throw new EdgeError(
    'EDGE_ERR_OPCUA_UNTRUSTED',
    EDGE_ERRORS.EDGE_ERR_OPCUA_UNTRUSTED(
      config.endpointUrl,
      verdict.leaf.sha256,
      verdict.leaf.sha1,
      verdict.why,
    ),
  );
}
