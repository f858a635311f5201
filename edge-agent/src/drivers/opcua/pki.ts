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
 * Unknown server certificates are trusted on first use and recorded in `trusted/certs`;
 * an engineer who moves one to `rejected/certs` blocks that server. The config has no
 * switch for strict trust yet.
 */
export async function openPki(stateDir: string): Promise<OPCUACertificateManager> {
  const manager = new OPCUACertificateManager({
    rootFolder: pkiFolder(stateDir),
    automaticallyAcceptUnknownCertificate: true,
    keySize: 2048,
  });
  await manager.initialize();
  return manager;
}
