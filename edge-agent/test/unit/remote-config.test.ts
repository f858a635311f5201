import { generateKeyPairSync, sign } from 'node:crypto';
import { configSigningText } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { sha256Hex, verifyConfigSignature, versionDecision } from '../../src/remote-config';

const pair = () => generateKeyPairSync('ed25519');
const pem = (key: ReturnType<typeof pair>['publicKey']) =>
  key.export({ type: 'spki', format: 'pem' }).toString();

function signed(privateKey: ReturnType<typeof pair>['privateKey'], gw: string, version: number) {
  const sha256 = sha256Hex('devices: []\n');
  const text = configSigningText('s', gw, version, sha256);
  return {
    version,
    sha256,
    signature: sign(null, Buffer.from(text), privateKey).toString('base64'),
  };
}

describe('config signatures', () => {
  const { publicKey, privateKey } = pair();

  it('accepts a command signed with the server key for this gateway', () => {
    expect(verifyConfigSignature(pem(publicKey), 's', 'gw1', signed(privateKey, 'gw1', 3))).toBe(
      true,
    );
  });

  it('refuses another key, another gateway, a changed version and garbage', () => {
    const other = pair();
    expect(
      verifyConfigSignature(pem(publicKey), 's', 'gw1', signed(other.privateKey, 'gw1', 3)),
    ).toBe(false);
    expect(verifyConfigSignature(pem(publicKey), 's', 'gw2', signed(privateKey, 'gw1', 3))).toBe(
      false,
    );
    expect(
      verifyConfigSignature(pem(publicKey), 's', 'gw1', {
        ...signed(privateKey, 'gw1', 3),
        version: 4,
      }),
    ).toBe(false);
    expect(verifyConfigSignature('not a key', 's', 'gw1', signed(privateKey, 'gw1', 3))).toBe(
      false,
    );
    expect(
      verifyConfigSignature(pem(publicKey), 's', 'gw1', {
        ...signed(privateKey, 'gw1', 3),
        signature: 'AAAA',
      }),
    ).toBe(false);
  });
});

describe('config version rules', () => {
  const a = { version: 5, sha256: 'a'.repeat(64) };

  it('applies the first config and any newer one', () => {
    expect(versionDecision(undefined, a)).toEqual({ do: 'apply' });
    expect(versionDecision(a, { version: 6, sha256: 'b'.repeat(64) })).toEqual({ do: 'apply' });
  });

  it('answers the applied version again without applying it (the retained command)', () => {
    expect(versionDecision(a, { ...a })).toEqual({ do: 'already' });
  });

  it('refuses an older version and the same version with other text', () => {
    expect(versionDecision(a, { version: 4, sha256: a.sha256 })).toEqual({
      do: 'refuse',
      reason: 'config version 4 is not newer than the applied version 5',
    });
    expect(versionDecision(a, { version: 5, sha256: 'c'.repeat(64) }).do).toBe('refuse');
  });
});
