import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * A virtual serial cable: socat joins two pseudo-terminals and links them as `a` and `b`.
 * The code under test opens `a`; the test plays the device on `b`. Stopped by its PID.
 */
export interface PtyPair {
  a: string;
  b: string;
  pid: number;
  /** Opens `b` for writing, as a scanner would send. */
  writer(): Promise<PtyWriter>;
  stop(): Promise<void>;
}

export interface PtyWriter {
  write(data: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts socat and resolves once both links exist and it is moving data. */
export async function startPtyPair(a: string, b: string, timeoutMs = 5000): Promise<PtyPair> {
  const child = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`socat not ready after ${timeoutMs} ms: ${log}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      // ENOENT: the program is not installed; say which package brings it.
      reject(new Error(`cannot start socat (Debian package socat): ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`socat exited with ${code}: ${log}`));
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      // socat -d -d logs this once both ptys and their links are in place.
      if (log.includes('starting data transfer loop')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.removeAllListeners('exit');
  return {
    a,
    b,
    pid: child.pid!,
    writer: () => openWriter(b),
    async stop() {
      // SIGTERM: socat removes its links on the way out, as a vanished USB device would.
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
      await exited(child);
    },
  };
}

async function openWriter(path: string): Promise<PtyWriter> {
  // O_NOCTTY: the test process must not take the pty as its controlling terminal.
  const handle: FileHandle = await open(path, constants.O_WRONLY | constants.O_NOCTTY);
  return {
    write: async (data) => {
      await handle.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    },
    close: () => handle.close(),
  };
}
