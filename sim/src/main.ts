import { loadYamlConfig, scenarioSchema } from '@takt/protocol';
import { pino } from 'pino';
import { startSim } from './sim';

/** `tsx sim/src/main.ts [scenario.yaml]`: the virtual factory as its own process. */
const log = pino({ name: 'sim', level: process.env.LOG_LEVEL ?? 'info' });
const file = process.argv[2] ?? new URL('../scenarios/demo.yaml', import.meta.url).pathname;

startSim(loadYamlConfig(file, scenarioSchema), { log }).then(
  (sim) => {
    const shutdown = () => void sim.stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  },
  (error: Error) => {
    log.fatal(error.message);
    process.exit(1);
  },
);
