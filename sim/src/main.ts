import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { envPort, loadYamlConfig, scenarioSchema } from '@takt/protocol';
import { pino } from 'pino';
import { startScannerFeed, type ScannerFeed } from './scanner-feed';
import { startSim } from './sim';

/**
 * `tsx sim/src/main.ts [scenario.yaml]`: the virtual factory as its own process. Every
 * machine is a Modbus TCP PLC (scenario ports) and a node on one OPC UA server
 * (TAKT_SIM_OPCUA_PORT, default 4841; 0 turns it off); each scenario scanner is a socat
 * pty pair under TAKT_SIM_TTY_DIR (default .takt/tty).
 */
const log = pino({ name: 'sim', level: process.env.LOG_LEVEL ?? 'info' });
const file = process.argv[2] ?? new URL('../scenarios/demo.yaml', import.meta.url).pathname;

async function main(): Promise<void> {
  const scenario = loadYamlConfig(file, scenarioSchema);
  const opcuaPort = envPort('TAKT_SIM_OPCUA_PORT', 4841)!;
  const stateDir = resolve(process.env.TAKT_SIM_STATE_DIR ?? '.takt');
  const sim = await startSim(scenario, {
    log,
    ...(opcuaPort > 0
      ? { opcua: { port: opcuaPort, pkiDir: resolve(stateDir, 'sim-opcua-pki') } }
      : {}),
  });
  const feeds: ScannerFeed[] = [];
  const ttyDir = resolve(process.env.TAKT_SIM_TTY_DIR ?? resolve(stateDir, 'tty'));
  mkdirSync(ttyDir, { recursive: true });
  for (const scanner of scenario.scanners) {
    try {
      feeds.push(await startScannerFeed(scanner, ttyDir, log));
    } catch (error) {
      // socat is a Debian package (apt-get install socat); without it there is no virtual scanner.
      log.warn(
        { scanner: scanner.id, err: (error as Error).message },
        'virtual scanner not started (is socat installed?)',
      );
    }
  }
  const shutdown = () =>
    void Promise.all([...feeds.map((f) => f.stop()), sim.stop()]).then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
  log.fatal(error.message);
  process.exit(1);
});
