import { join } from 'node:path';
import type { ScenarioScanner } from '@takt/protocol';
import type { Logger } from 'pino';
import { startPtyPair, type PtyPair, type PtyWriter } from './pty-pair';

export interface ScannerFeed {
  /** The pty the gateway's serial-scanner device opens. */
  readonly edgePath: string;
  stop(): Promise<void>;
}

/**
 * A virtual scanner on a real pseudo-terminal pair (socat): the sim writes `codes` in turn,
 * CR LF terminated like a scanner in its factory setting, every `everyS` seconds.
 */
export async function startScannerFeed(
  spec: ScenarioScanner,
  ttyDir: string,
  log: Logger,
): Promise<ScannerFeed> {
  const edgePath = join(ttyDir, `${spec.id}-edge`);
  const pair: PtyPair = await startPtyPair(edgePath, join(ttyDir, `${spec.id}-sim`));
  const writer: PtyWriter = await pair.writer();
  let next = 0;
  const timer = setInterval(() => {
    const code = spec.codes[next++ % spec.codes.length]!;
    writer
      .write(`${code}\r\n`)
      .catch((error: Error) =>
        log.warn({ scanner: spec.id, err: error.message }, 'scan write failed'),
      );
  }, spec.everyS * 1000);
  log.info({ scanner: spec.id, path: edgePath }, 'virtual scanner ready');
  return {
    edgePath,
    async stop() {
      clearInterval(timer);
      await writer.close().catch(() => undefined);
      await pair.stop();
    },
  };
}
