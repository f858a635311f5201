import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The real programs the tests talk to (the list in
 * README.md "The two commands"), each with the Debian package that brings it and a check
 * that it can actually start — not only that a file exists. `.ci/run` runs them all
 * (scripts/check-peers.ts) right after installing; a test that needs one calls
 * `requirePeer`, so a missing peer fails that test with the package's name instead of a
 * stack trace or a silent skip (issue 14).
 */
export interface Peer {
  /** Debian packages that bring it (apt-get install …). */
  packages: readonly string[];
  /** What the tests use it for. */
  usedFor: string;
  /** undefined when it can start, else what went wrong. */
  check(): string | undefined;
}

function runs(command: string, args: readonly string[]): string | undefined {
  const result = spawnSync(command, args, { stdio: 'pipe', timeout: 20_000 });
  if (result.error) return `${command}: ${result.error.message}`;
  if (result.status !== 0)
    return `${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr.toString().trim().split('\n').pop()}`;
  return undefined;
}

const exists = (path: string) => (existsSync(path) ? undefined : `${path} is missing`);

export const PEERS = {
  'mosquitto-clients': {
    packages: ['mosquitto-clients'],
    usedFor: 'mosquitto_pub / mosquitto_sub, MQTT clients Takt did not write',
    check: () => runs('sh', ['-c', 'command -v mosquitto_pub && command -v mosquitto_sub']),
  },
  mosquitto: {
    packages: ['mosquitto'],
    usedFor: 'a reference MQTT broker beside aedes',
    check: () => exists('/usr/sbin/mosquitto'),
  },
  socat: {
    packages: ['socat'],
    usedFor: 'virtual serial ports (a pty pair) for the scanner and Modbus RTU',
    check: () => runs('socat', ['-V']),
  },
  pymodbus: {
    packages: ['python3-pymodbus', 'python3-serial', 'python3-serial-asyncio'],
    usedFor: "a Modbus RTU slave (Debian's pymodbus on its own python3)",
    check: () => runs('/usr/bin/python3', ['-c', 'import pymodbus.server, serial, serial_asyncio']),
  },
  chromium: {
    packages: ['chromium', 'fonts-wqy-microhei'],
    usedFor: 'the dashboard in a real browser, Chinese labels included',
    check: () =>
      runs(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version']) ??
      exists('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'),
  },
  'systemd-analyze': {
    packages: ['systemd'],
    usedFor: "checking the Pi's systemd unit",
    check: () => runs('systemd-analyze', ['--version']),
  },
  'docker-compose': {
    packages: ['docker-compose'],
    usedFor: 'rendering docker-compose.yml as the engine would (no engine needed)',
    check: () => runs('docker-compose', ['version']),
  },
  openssl: {
    packages: ['openssl'],
    usedFor: 'a throwaway CA for the TLS tests',
    check: () => runs('openssl', ['version']),
  },
  'redis-server': {
    packages: ['redis-server'],
    usedFor: 'two brokers sharing state',
    check: () => runs('redis-server', ['--version']),
  },
} satisfies Record<string, Peer>;

export type PeerName = keyof typeof PEERS;

export function installHint(names: readonly PeerName[]): string {
  const packages = [...new Set(names.flatMap((n) => PEERS[n].packages))];
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** Throws, naming the Debian package, when a peer the calling test needs cannot start. */
export function requirePeer(name: PeerName): void {
  const problem = PEERS[name].check();
  if (problem)
    throw new Error(
      `test peer "${name}" (${PEERS[name].usedFor}) cannot start: ${problem}. Install it: ${installHint([name])}`,
    );
}
