import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, requirePeer } from '@takt/sim';
import { waitFor } from './wait';

/**
 * Debian's Mosquitto 2 on two loopback ports with the files `accounts export mosquitto`
 * wrote (docs/deployment.md "Past one server"): `gatewayPort` binds each client id to its
 * username (`use_username_as_clientid`), so no gateway can take over another's session;
 * `servicePort` is for ingest, whose instances share one account under their own client ids.
 * `per_listener_settings` makes each listener carry its own copy of the security settings.
 */
export interface RunningMosquitto {
  gatewayPort: number;
  servicePort: number;
  /** What Mosquitto logged so far (its denials among them). */
  log(): string;
  stop(): Promise<void>;
}

export async function startMosquitto(
  dir: string,
  files: { passwordFile: string; aclFile: string },
): Promise<RunningMosquitto> {
  requirePeer('mosquitto');
  const [gatewayPort, servicePort] = [await freePort(), await freePort()];
  const security = [
    'allow_anonymous false',
    `password_file ${files.passwordFile}`,
    `acl_file ${files.aclFile}`,
  ];
  const config = [
    'per_listener_settings true',
    'persistence false',
    // Run as whoever runs the test: as root, Mosquitto would otherwise switch to the user
    // `mosquitto`, who cannot read the test's files (mode 0600).
    `user ${userInfo().username}`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'log_type subscribe',
    'log_type debug', // where Mosquitto 2.0 logs a denied PUBLISH
    `listener ${gatewayPort} 127.0.0.1`,
    ...security,
    'use_username_as_clientid true',
    `listener ${servicePort} 127.0.0.1`,
    ...security,
  ];
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(configFile, `${config.join('\n')}\n`);
  const child: ChildProcess = spawn('/usr/sbin/mosquitto', ['-c', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor('mosquitto to start', () => {
    if (gone) throw new Error(`mosquitto exited:\n${log}`);
    return / running/.test(log);
  });
  return {
    gatewayPort,
    servicePort,
    log: () => log,
    async stop() {
      if (gone) return;
      child.kill('SIGTERM'); // by its own PID only
      await exited;
    },
  };
}
