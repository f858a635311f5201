import { pino } from 'pino';

/** Quiet logs in tests; LOG_LEVEL=debug npm test shows them. */
export const testLog = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
