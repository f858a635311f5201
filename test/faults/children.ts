import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');

/**
 * One of the stack's processes (broker, ingest, an edge agent), run as a real child so that
 * SIGKILL is real. It is started again when it exits unless told otherwise (ingest exits
 * when it cannot reach PostgreSQL at start, as under systemd's Restart=always).
 */
export class Child {
  private proc: ChildProcess | undefined;
  private readonly log: WriteStream;
  private wanted = false;
  restarts = 0;

  constructor(
    readonly name: string,
    private readonly script: string,
    private args: string[],
    private readonly env: Record<string, string>,
    logDir: string,
  ) {
    this.log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  }

  start(args?: string[]): void {
    if (args) this.args = args;
    this.wanted = true;
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, this.script), ...this.args],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'info', ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    proc.stdout!.pipe(this.log, { end: false });
    proc.stderr!.pipe(this.log, { end: false });
    proc.once('exit', (code, signal) => {
      this.log.write(`--- ${this.name} exited code=${code} signal=${signal}\n`);
      if (this.proc === proc) this.proc = undefined;
      if (this.wanted && signal !== 'SIGKILL') {
        setTimeout(() => {
          if (this.wanted && !this.proc) {
            this.restarts++;
            this.start();
          }
        }, 1000);
      }
    });
    this.proc = proc;
  }

  get running(): boolean {
    return this.proc !== undefined;
  }

  /** SIGKILL: no chance to flush, close or say goodbye. */
  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM and wait (bounded), for the end of the run. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.wanted = false;
    const proc = this.proc;
    if (!proc) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
