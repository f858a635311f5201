import { pbkdf2Sync } from 'node:crypto';
import { COMMAND_KINDS, MACHINE_MESSAGE_KINDS } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { canPublish, canReceive } from '../../src/acl';
import {
  exportMosquitto,
  mosquittoAclFile,
  mosquittoAclLines,
  mosquittoPasswordHash,
  mosquittoUsernameCheck,
  parseHandedPasswords,
} from '../../src/export/mosquitto';
import type { Account, BrokerUser } from '../../src/users';

const gateway: Account = { username: 'gw-7', role: 'gateway', site: 'plant-1', gatewayId: 'gw-7' };
const node: Account = {
  username: 'ign-1',
  role: 'sparkplug-node',
  group: 'Hall 2',
  node: 'edge-1',
};
const ingest: Account = { username: 'ingest', role: 'ingest' };

/**
 * Mosquitto 2's acl_file decision for one account, as its source decides it: `deny` lines
 * first (they refuse reading and writing alike), then the first line that matches and grants
 * the access; a `$` topic matches only a line that starts with `$`.
 */
function mosquittoAllows(lines: readonly string[], topic: string, access: 'read' | 'write') {
  const rules = lines
    .filter((l) => l.startsWith('topic '))
    .map((l) => {
      const [, kind, ...rest] = l.split(' ');
      return { kind: kind!, filter: rest.join(' ') };
    });
  const ordered = [
    ...rules.filter((r) => r.kind === 'deny'),
    ...rules.filter((r) => r.kind !== 'deny'),
  ];
  for (const r of ordered) {
    if (topic.startsWith('$') && !r.filter.startsWith('$')) continue;
    if (!matches(r.filter, topic)) continue;
    if (r.kind === 'deny') return false;
    if (r.kind === 'readwrite' || r.kind === access) return true;
  }
  return false;
}

/** MQTT topic filter matching [MQTT-4.7.1]. */
function matches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Topics a gateway, a node or ingest might try, valid and not. */
const TOPICS = [
  'takt/v1/plant-1/gw-7/status',
  'takt/v1/plant-1/gw-7/press-1/metrics',
  'takt/v1/plant-1/gw-7/press-1/state',
  'takt/v1/plant-1/gw-7/press-1/count',
  'takt/v1/plant-1/gw-7/press-1/scan',
  'takt/v1/plant-1/gw-7/cmd-result/config',
  'takt/v1/plant-1/gw-7/ack',
  'takt/v1/plant-1/gw-7/cmd',
  'takt/v1/plant-1/gw-7/cmd/config',
  'takt/v1/plant-1/gw-8/press-1/metrics',
  'takt/v1/plant-1/gw-8/ack',
  'takt/v1/plant-1/gw-8/cmd/config',
  'takt/v1/plant-2/gw-7/press-1/metrics',
  'spBv1.0/Hall 2/NBIRTH/edge-1',
  'spBv1.0/Hall 2/NDATA/edge-1',
  'spBv1.0/Hall 2/DDATA/edge-1/dev-1',
  'spBv1.0/Hall 2/NCMD/edge-1',
  'spBv1.0/Hall 2/DCMD/edge-1/dev-1',
  'spBv1.0/Hall 2/NDATA/edge-2',
  'spBv1.0/Hall 2/NCMD/edge-2',
  'spBv1.0/Hall 3/NDATA/edge-1',
  'spBv1.0/STATE/scada-1',
  'other/topic',
  '$SYS/broker/uptime',
];

/** Topics in a gateway's subtree that are none of the wire's: acl.ts passes them to dead letters. */
const JUNK_IN_OWN_SUBTREE = ['takt/v1/plant-1/gw-7/press-1/bogus', 'takt/v1/plant-1/gw-7/x'];

describe('accounts export mosquitto: ACL lines', () => {
  it('gives a gateway its wire topics out and its own ack and cmd in', () => {
    expect(mosquittoAclLines(gateway)).toEqual([
      'user gw-7',
      'topic deny takt/v1/plant-1/gw-7/cmd/metrics',
      'topic deny takt/v1/plant-1/gw-7/cmd/state',
      'topic deny takt/v1/plant-1/gw-7/cmd/count',
      'topic deny takt/v1/plant-1/gw-7/cmd/scan',
      'topic write takt/v1/plant-1/gw-7/status',
      'topic write takt/v1/plant-1/gw-7/+/metrics',
      'topic write takt/v1/plant-1/gw-7/+/state',
      'topic write takt/v1/plant-1/gw-7/+/count',
      'topic write takt/v1/plant-1/gw-7/+/scan',
      'topic write takt/v1/plant-1/gw-7/cmd-result/+',
      'topic read takt/v1/plant-1/gw-7/ack',
      'topic read takt/v1/plant-1/gw-7/cmd/#',
    ]);
  });

  it('gives a Sparkplug node its own births, deaths and data out and its commands and host STATE in', () => {
    expect(mosquittoAclLines(node)).toEqual([
      'user ign-1',
      'topic write spBv1.0/Hall 2/NBIRTH/edge-1',
      'topic write spBv1.0/Hall 2/NDEATH/edge-1',
      'topic write spBv1.0/Hall 2/NDATA/edge-1',
      'topic write spBv1.0/Hall 2/DBIRTH/edge-1/+',
      'topic write spBv1.0/Hall 2/DDEATH/edge-1/+',
      'topic write spBv1.0/Hall 2/DDATA/edge-1/+',
      'topic read spBv1.0/Hall 2/NCMD/edge-1',
      'topic read spBv1.0/Hall 2/DCMD/edge-1/+',
      'topic read spBv1.0/STATE/+',
    ]);
    // A gateway with a Sparkplug option gets both blocks under one user line.
    const both = mosquittoAclLines({ ...gateway, sparkplug: { group: 'Hall 2', node: 'gw-7' } });
    expect(both.filter((l) => l.startsWith('user '))).toEqual(['user gw-7']);
    expect(both).toContain('topic write spBv1.0/Hall 2/NBIRTH/gw-7');
    expect(both).toContain('topic read takt/v1/plant-1/gw-7/cmd/#');
  });

  it('decides as broker/src/acl.ts does, but for junk in a gateway’s own subtree and cmd/<machine kind>', () => {
    const accounts: Account[] = [
      gateway,
      node,
      ingest,
      { username: 'root', role: 'admin' },
      { ...gateway, username: 'gw-sp', sparkplug: { group: 'Hall 2', node: 'edge-1' } },
    ];
    for (const account of accounts) {
      const lines = mosquittoAclLines(account);
      for (const topic of TOPICS) {
        expect([account.username, topic, 'write', mosquittoAllows(lines, topic, 'write')]).toEqual([
          account.username,
          topic,
          'write',
          canPublish(account, topic).ok,
        ]);
        expect([account.username, topic, 'read', mosquittoAllows(lines, topic, 'read')]).toEqual([
          account.username,
          topic,
          'read',
          canReceive(account, topic) && !(account.role === 'ingest' && topic.startsWith('$')),
        ]);
      }
    }
    // The differences, written down in docs/decisions.md: junk is refused at the broker
    // instead of becoming a dead letter; `cmd/<machine kind>`, a command no one sends, is
    // denied both ways.
    const lines = mosquittoAclLines(gateway);
    for (const topic of JUNK_IN_OWN_SUBTREE) {
      expect(canPublish(gateway, topic).ok).toBe(true);
      expect(mosquittoAllows(lines, topic, 'write')).toBe(false);
    }
    const cmdMetrics = 'takt/v1/plant-1/gw-7/cmd/metrics';
    expect([canPublish(gateway, cmdMetrics).ok, canReceive(gateway, cmdMetrics)]).toEqual([
      false,
      true,
    ]);
    expect([
      mosquittoAllows(lines, cmdMetrics, 'write'),
      mosquittoAllows(lines, cmdMetrics, 'read'),
    ]).toEqual([false, false]);
  });

  it('relies on no command kind being named like a machine message kind', () => {
    // The `deny …/cmd/<kind>` lines would otherwise keep a gateway from reading that command.
    for (const kind of COMMAND_KINDS)
      expect(MACHINE_MESSAGE_KINDS as readonly string[]).not.toContain(kind);
  });

  it('refuses an account name that cannot be written safely into Mosquitto’s files', () => {
    expect(mosquittoUsernameCheck('gw-7')).toEqual({ ok: true });
    for (const bad of ['#gw-7', 'gw+7', 'gw:7', 'gw 7', 'gw\n7', 'gw\u00007', ''])
      expect(mosquittoUsernameCheck(bad).ok).toBe(false);
    expect(() => mosquittoAclLines({ ...gateway, username: '#gw-7' })).toThrow(
      /account "#gw-7": username "#gw-7" contains "#" or "\+"/,
    );
    expect(() => mosquittoAclLines({ ...node, group: ' Hall 2' })).toThrow(
      /Sparkplug group " Hall 2" starts or ends with white space/,
    );
    expect(() => mosquittoAclFile([gateway, { ...node, node: 'edge\r1' }])).toThrow(
      /Sparkplug edge node "edge\\r1" contains a control character/,
    );
  });
});

describe('accounts export mosquitto: passwords', () => {
  it('hashes in the $7$ format Mosquitto reads (a mosquitto_passwd line reproduced)', async () => {
    // Written by Debian's mosquitto_passwd 2.0.11 for alice / s3cret.
    const line =
      '$7$101$zg8G8hQlkZpkcJNU$B/Sdk+nDzPh/a4L18c2syM/AbNOQrMfiFxAnPsbFdD8iafJOXVj9YmxIKxnGBGWPnmdSMoEpfGdIEmJqTMTWnw==';
    const salt = Buffer.from('zg8G8hQlkZpkcJNU', 'base64');
    expect(await mosquittoPasswordHash('s3cret', { salt, iterations: 101 })).toBe(line);
    const hash = await mosquittoPasswordHash('s3cret');
    const [, seven, iterations, salt64, key] = hash.split('$');
    expect([seven, iterations, Buffer.from(salt64!, 'base64').length]).toEqual(['7', '10000', 12]);
    const again = pbkdf2Sync('s3cret', Buffer.from(salt64!, 'base64'), 10_000, 64, 'sha512');
    expect(key).toBe(again.toString('base64'));
  });

  it('reads the username=/password= pairs the add commands print, never echoing a line', () => {
    expect(
      parseHandedPasswords(
        '# gw\nusername=gw-7\npassword=abc=def\n\nusername=ingest\npassword=x\n',
      ),
    ).toEqual(
      new Map([
        ['gw-7', 'abc=def'],
        ['ingest', 'x'],
      ]),
    );
    expect(() => parseHandedPasswords('gw-7:hunter2\n')).toThrow(/line 1 is not/);
    expect(() => parseHandedPasswords('gw-7:hunter2\n')).not.toThrow(/hunter2/);
    expect(() => parseHandedPasswords('username=gw-7\n')).toThrow(/gw-7 has no password line/);
  });

  const users: BrokerUser[] = [
    {
      username: 'gw-7',
      passwordHash: 'scrypt$gw',
      role: 'gateway',
      site: 'plant-1',
      gatewayId: 'gw-7',
    },
    { username: 'ingest', passwordHash: 'scrypt$ingest', role: 'ingest' },
  ];
  const inputs = {
    users,
    verify: async (password: string, hash: string) => hash === `scrypt$${password}`,
    scryptHash: async (password: string) => `scrypt$new-${password}`,
    newPassword: () => 'fresh',
  };

  it('refuses accounts without a password unless told to issue one, and wrong passwords', async () => {
    await expect(
      exportMosquitto({ ...inputs, passwords: new Map([['gw-7', 'gw']]), issueMissing: false }),
    ).rejects.toThrow(/no password handed in for ingest/);
    await expect(
      exportMosquitto({
        ...inputs,
        passwords: new Map([
          ['gw-7', 'typo'],
          ['ingest', 'ingest'],
        ]),
        issueMissing: false,
      }),
    ).rejects.toThrow(/handed in for gw-7 are not the ones the users file holds/);
    await expect(
      exportMosquitto({ ...inputs, passwords: new Map([['gw-9', 'x']]), issueMissing: true }),
    ).rejects.toThrow(/unknown accounts: gw-9/);
  });

  it('issues new passwords for the rest, replacing their stored hashes', async () => {
    const out = await exportMosquitto({
      ...inputs,
      passwords: new Map([['gw-7', 'gw']]),
      issueMissing: true,
    });
    expect(out.issued).toEqual([{ username: 'ingest', password: 'fresh' }]);
    expect(out.users.map((u) => u.passwordHash)).toEqual(['scrypt$gw', 'scrypt$new-fresh']);
    expect(out.passwordFile).toMatch(
      /^gw-7:\$7\$10000\$[^$]+\$[^$\n]+\ningest:\$7\$10000\$[^$]+\$[^$\n]+\n$/,
    );
    expect(out.passwordFile).not.toContain('fresh');
    expect(out.aclFile).toContain('user gw-7\ntopic deny');
    expect(out.aclFile).toContain('user ingest\ntopic read #\n');
  });
});
