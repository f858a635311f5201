import { createPublicKey, verify } from 'node:crypto';
import { packageSignedText } from './agent-update-wire';

/**
 * Signed agent updates (docs/decisions.md "Issue 25 — signed agent updates (server)"): the
 * wire (schemas, the arch list, the signed text) is in agent-update-wire.ts, node-free for the
 * dashboard; the verifier is here, with node:crypto.
 */
export * from './agent-update-wire';

/** Ed25519 over packageSignedText with an SPKI PEM public key; false for any malformed input. */
export function verifyPackageSignature(
  publicKeyPem: string | Buffer,
  pkg: { version: string; arch: string; sha256: string; signature: string },
): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    const text = packageSignedText(pkg.version, pkg.arch, pkg.sha256);
    return verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(pkg.signature, 'base64'));
  } catch {
    return false;
  }
}
