import { pino } from 'pino';
/** Quiet logs in tests; LOG_LEVEL=debug npm test shows them. */
export declare const testLog: pino.Logger<never, boolean>;
