import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';

/**
 * What systemd does for takt-edge in the agent-update tests: runs the agent from
 * `<root>/opt/takt-edge/current`, restarts it on request and answers as `systemctl show -p
 * ExecMainCode -p ExecMainStatus` would. The updater reaches it through `restartCmd` and
 * `statusCmd` (small node scripts calling this server).
 */
export class ServiceStandIn {
  private child: ChildProcess | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private server!: Server;
  output = '';
  restartCmd = '';
  statusCmd = '';

  constructor(
    private readonly bundle: string,
    private readonly config: string,
    private readonly env: Record<string, string>,
  ) {}

  async listen(dir: string): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url === '/restart') {
        void this.restart().then(() => res.end('restarted\n'));
      } else {
        const e = this.exit;
        const code = !e ? 0 : e.signal ? 2 : 1;
        const status = !e ? 0 : e.signal ? constants.signals[e.signal] : (e.code ?? 0);
        res.end(`ExecMainCode=${code}\nExecMainStatus=${status}\n`);
      }
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as AddressInfo).port;
    const ctl = join(dir, 'service-ctl.mjs');
    writeFileSync(
      ctl,
      'const r = await fetch(process.argv[2], { method: "POST" });\n' +
        'process.stdout.write(await r.text());\n',
    );
    const cmd = (path: string) => `"${process.execPath}" "${ctl}" http://127.0.0.1:${port}${path}`;
    this.restartCmd = cmd('/restart');
    this.statusCmd = cmd('/status');
  }

  start(): void {
    this.exit = undefined;
    const child = spawn(process.execPath, [this.bundle, this.config], {
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.exit = { code, signal };
    });
    this.child = child;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }

  async restart(): Promise<void> {
    await this.stop();
    this.start();
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise((r) => this.server.close(r));
  }
}
