import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  agentArchOf,
  commandTopics,
  packageSignedText,
  parseCommandResultTopic,
  updateCommandSchema,
  updateResultSchema,
  verifyPackageSignature,
} from '../../src';

const SHA = 'a'.repeat(64);

function signed(version: string, arch: string, sha256: string) {
  const pair = generateKeyPairSync('ed25519');
  const signature = sign(
    null,
    Buffer.from(packageSignedText(version, arch, sha256)),
    pair.privateKey,
  );
  return {
    pub: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    signature: signature.toString('base64'),
  };
}

describe('agent update wire contract (issue 25)', () => {
  it('signs exactly the documented text', () => {
    expect(packageSignedText('0.1.1', 'x64', SHA)).toBe(`takt-edge-package/v1\n0.1.1\nx64\n${SHA}`);
  });

  it('verifies a good signature and refuses another arch, version, hash or key', () => {
    const { pub, signature } = signed('0.1.1', 'x64', SHA);
    expect(
      verifyPackageSignature(pub, { version: '0.1.1', arch: 'x64', sha256: SHA, signature }),
    ).toBe(true);
    expect(
      verifyPackageSignature(pub, { version: '0.1.1', arch: 'arm64', sha256: SHA, signature }),
    ).toBe(false);
    expect(
      verifyPackageSignature(pub, { version: '0.1.2', arch: 'x64', sha256: SHA, signature }),
    ).toBe(false);
    expect(
      verifyPackageSignature(pub, {
        version: '0.1.1',
        arch: 'x64',
        sha256: 'b'.repeat(64),
        signature,
      }),
    ).toBe(false);
    const other = signed('0.1.1', 'x64', SHA);
    expect(
      verifyPackageSignature(other.pub, { version: '0.1.1', arch: 'x64', sha256: SHA, signature }),
    ).toBe(false);
    expect(
      verifyPackageSignature('not a key', {
        version: '0.1.1',
        arch: 'x64',
        sha256: SHA,
        signature,
      }),
    ).toBe(false);
    expect(
      verifyPackageSignature(pub, { version: '0.1.1', arch: 'x64', sha256: SHA, signature: '!!' }),
    ).toBe(false);
  });

  it('maps Node arch names and parses the update topics, command and result', () => {
    expect([
      agentArchOf('arm64'),
      agentArchOf('arm'),
      agentArchOf('x64'),
      agentArchOf('ia32'),
    ]).toEqual(['arm64', 'armv7', 'x64', undefined]);
    expect(commandTopics.command('s', 'gw-1', 'update')).toBe('takt/v1/s/gw-1/cmd/update');
    expect(parseCommandResultTopic('takt/v1/s/gw-1/cmd-result/update')).toEqual({
      site: 's',
      gatewayId: 'gw-1',
      kind: 'update',
    });
    const { signature } = signed('0.1.1', 'x64', SHA);
    const command = updateCommandSchema.parse({
      v: 1,
      ts: 1,
      id: 42,
      version: '0.1.1',
      arch: 'x64',
      sha256: SHA,
      size: 10,
      signature,
      url: `http://h/api/agent-packages/${SHA}/download?token=x`,
    });
    expect(command.confirmWithinS).toBe(120);
    expect(updateCommandSchema.safeParse({ ...command, arch: 'armhf' }).success).toBe(false);
    expect(updateCommandSchema.safeParse({ ...command, confirmWithinS: 10 }).success).toBe(false);
    expect(
      updateResultSchema.safeParse({
        v: 1,
        ts: 1,
        id: 42,
        version: '0.1.1',
        step: 'staged',
        ok: true,
        agentVersion: '0.1.0',
      }).success,
    ).toBe(true);
    expect(
      updateResultSchema.safeParse({
        v: 1,
        ts: 1,
        id: 42,
        version: '0.1.1',
        step: 'done',
        ok: true,
        agentVersion: '0.1.0',
      }).success,
    ).toBe(false);
  });
});
