import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accountOf, addAccount, loadUsersFile, parseUsers } from '../../src';

const hash = 'scrypt$16384$8$1$c2FsdA$aGFzaA';

describe('Sparkplug accounts in the users file', () => {
  it('gives a gateway with a sparkplug option its edge node (default: the gateway id)', () => {
    const [gw, named] = parseUsers('users.json', [
      {
        username: 'gw-a',
        passwordHash: hash,
        role: 'gateway',
        site: 's',
        gatewayId: 'gw-a',
        sparkplug: { group: 'G' },
      },
      {
        username: 'gw-b',
        passwordHash: hash,
        role: 'gateway',
        site: 's',
        gatewayId: 'gw-b',
        sparkplug: { group: 'G', node: 'B' },
      },
    ]);
    expect(accountOf(gw!)).toMatchObject({
      role: 'gateway',
      sparkplug: { group: 'G', node: 'gw-a' },
    });
    expect(accountOf(named!)).toMatchObject({ sparkplug: { group: 'G', node: 'B' } });
  });

  it('refuses two accounts for one edge node, a sparkplug-node or a gateway option alike', () => {
    expect(() =>
      parseUsers('users.json', [
        { username: 'n1', passwordHash: hash, role: 'sparkplug-node', group: 'G', node: 'gw-a' },
        {
          username: 'gw-a',
          passwordHash: hash,
          role: 'gateway',
          site: 's',
          gatewayId: 'gw-a',
          sparkplug: { group: 'G' },
        },
      ]),
    ).toThrow(/Sparkplug edge node G\/gw-a already has an account/);
    expect(() =>
      parseUsers('users.json', [
        { username: 'n1', passwordHash: hash, role: 'sparkplug-node', group: 'G', node: 'a/b' },
      ]),
    ).toThrow(/node/);
  });

  it('adds a sparkplug-node account with a new password, and replaces it only with rotate', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'takt-users-')), 'users.json');
    const added = await addAccount(file, { role: 'sparkplug-node', group: 'Plant', node: 'Edge1' });
    expect(added).toMatchObject({ username: 'Edge1', replaced: false });
    expect(loadUsersFile(file)).toMatchObject([
      { role: 'sparkplug-node', group: 'Plant', node: 'Edge1' },
    ]);
    await expect(
      addAccount(file, {
        role: 'sparkplug-node',
        group: 'Plant',
        node: 'Edge1',
        username: 'other',
      }),
    ).rejects.toThrow(/--rotate/);
    const rotated = await addAccount(
      file,
      { role: 'sparkplug-node', group: 'Plant', node: 'Edge1' },
      { rotate: true },
    );
    expect(rotated.replaced).toBe(true);
    expect(rotated.password).not.toBe(added.password);
  });
});
