import { createHash, X509Certificate } from 'node:crypto';
import type { OpcuaTrustConfig } from '@takt/protocol';

/** A certificate's thumbprints, lower-case hex: what a config pins and an error names. */
export interface Thumbprints {
  sha1: string;
  sha256: string;
}

export function thumbprintsOf(der: Buffer): Thumbprints {
  return {
    sha1: createHash('sha1').update(der).digest('hex'),
    sha256: createHash('sha256').update(der).digest('hex'),
  };
}

/**
 * The DER certificates of a chain sent as one byte string (OPC UA Part 6, 6.2.3: the sender's
 * certificate first, then its issuers), each a DER SEQUENCE (ITU-T X.690, 8.1.3 lengths).
 */
export function splitDerChain(chain: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at + 2 <= chain.length && chain[at] === 0x30) {
    const first = chain[at + 1]!;
    let length = first;
    let header = 2;
    if (first & 0x80) {
      const n = first & 0x7f;
      if (n === 0 || n > 4 || at + 2 + n > chain.length) break;
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + chain[at + 2 + i]!;
      header = 2 + n;
    }
    if (at + header + length > chain.length) break;
    out.push(chain.subarray(at, at + header + length));
    at += header + length;
  }
  return out;
}

export type TrustVerdict =
  | { trusted: true; by: 'pinned' | 'trusted-folder' | 'first-use-pin'; leaf: Thumbprints }
  | { trusted: false; firstUse: true; leaf: Thumbprints; der: Buffer }
  | { trusted: false; firstUse: false; leaf: Thumbprints; why: string };

/** At most this many issuers between the server's certificate and a trusted CA. */
const MAX_CHAIN = 4;

/** The issuer of `cert` among `candidates` whose key verifies its signature. */
function issuerOf(cert: X509Certificate, candidates: readonly X509Certificate[]) {
  return candidates.find((c) => cert.checkIssued(c) && cert.verify(c.publicKey));
}

/** Trusted through the folder: the certificate itself, or a chain up to a CA in it. */
function folderTrusts(
  leaf: X509Certificate,
  sent: readonly X509Certificate[],
  folder: readonly X509Certificate[],
): boolean {
  if (folder.some((c) => c.fingerprint256 === leaf.fingerprint256)) return true;
  let cert = leaf;
  for (let step = 0; step < MAX_CHAIN; step++) {
    const ca = issuerOf(cert, folder);
    if (ca) return ca.ca || ca.fingerprint256 === cert.fingerprint256;
    const next = issuerOf(cert, sent);
    if (!next || next.fingerprint256 === cert.fingerprint256) return false;
    cert = next;
  }
  return false;
}

/**
 * Whether a server's certificate (chain) is trusted by a device's `trust` setting: a pinned
 * thumbprint, the trusted folder (with the certificates read from it), or the pin recorded
 * when it was trusted on first use. With `trustOnFirstUse` and nothing recorded yet, the
 * verdict says so: the caller records and logs it. Expired or not yet valid: never trusted.
 * Pure: the folder's certificates and the recorded pin are passed in.
 */
export function judgeServerCertificate(
  chain: Buffer,
  trust: OpcuaTrustConfig,
  known: { folder: readonly X509Certificate[]; firstUsePin: string | undefined; nowMs: number },
): TrustVerdict {
  const [leafDer, ...rest] = splitDerChain(chain);
  if (!leafDer) {
    const leaf = thumbprintsOf(chain);
    return { trusted: false, firstUse: false, leaf, why: 'the server sent no certificate' };
  }
  const leaf = thumbprintsOf(leafDer);
  const refuse = (why: string): TrustVerdict => ({ trusted: false, firstUse: false, leaf, why });
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(leafDer);
  } catch (error) {
    return refuse(`its certificate cannot be read: ${(error as Error).message}`);
  }
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (known.nowMs < from || known.nowMs > to)
    return refuse(`it is valid only from ${cert.validFrom} to ${cert.validTo}`);
  const pins = trust.thumbprints ?? [];
  if (pins.includes(leaf.sha1) || pins.includes(leaf.sha256))
    return { trusted: true, by: 'pinned', leaf };
  if (known.folder.length > 0) {
    const sent = rest.flatMap((d) => {
      try {
        return [new X509Certificate(d)];
      } catch {
        return [];
      }
    });
    if (folderTrusts(cert, sent, known.folder))
      return { trusted: true, by: 'trusted-folder', leaf };
  }
  if (trust.trustOnFirstUse) {
    if (known.firstUsePin === undefined)
      return { trusted: false, firstUse: true, leaf, der: leafDer };
    if (known.firstUsePin === leaf.sha256) return { trusted: true, by: 'first-use-pin', leaf };
    return refuse(
      `it is not the certificate trusted on first use (SHA-256 ${known.firstUsePin}): the server's certificate changed, or something else answers in its place`,
    );
  }
  const asked = [
    pins.length > 0 ? 'matches no pinned thumbprint' : undefined,
    trust.trustedFolder
      ? `is not trusted by the certificates in ${trust.trustedFolder}`
      : undefined,
  ].filter((s) => s !== undefined);
  return refuse(`it ${asked.join(' and ') || 'is trusted by nothing in the device config'}`);
}
