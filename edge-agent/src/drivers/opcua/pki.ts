import { join } from 'node:path';
import { OPCUACertificateManager } from 'node-opcua';

/** Folder, under the gateway's state directory, of the client's certificate and trust lists. */
export function pkiFolder(stateDir: string): string {
  return join(stateDir, 'opcua-pki');
}

/**
 * The client's certificate store, kept under `<stateDir>/opcua-pki` (never $HOME): the
 * application instance certificate (`own/certs/client_certificate.pem`) is created on the
 * first connection and reused from then on, so that a server that trusted it once keeps
 * trusting it.
 *
 * Server certificates are not judged here: `endpoint.ts` judges each device's by its own
 * `trust` setting (pins, a trusted folder, or trust on first use when the config says so)
 * and hands the trusted one to the client, so this store never accepts an unknown one.
 */
export async function openPki(stateDir: string): Promise<OPCUACertificateManager> {
  const manager = new OPCUACertificateManager({
    rootFolder: pkiFolder(stateDir),
    automaticallyAcceptUnknownCertificate: false,
    keySize: 2048,
  });
  await manager.initialize();
  return manager;
}
