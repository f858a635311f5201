import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { exitedFromShow, unameM, Updater } from './updater';

/**
 * `node /opt/takt-edge/current/edge-agent/dist/updater.mjs` as root, started by
 * takt-edge-update.path (firmware-configs/pi/). Tests run it with
 *   --root DIR           a directory standing for / (DIR/opt/takt-edge, DIR/etc/takt, ...)
 *   --state-dir DIR      the agent's state dir (default <root>/var/lib/takt, or $TAKT_STATE_DIR)
 *   --restart-cmd CMD    instead of `systemctl restart takt-edge.service` (run by sh -c)
 *   --status-cmd CMD     instead of `systemctl show takt-edge.service -p ExecMainCode -p ExecMainStatus`
 */
function parse(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]!;
    const value = argv[i + 1];
    if (
      !['--root', '--state-dir', '--restart-cmd', '--status-cmd'].includes(key) ||
      value === undefined
    )
      throw new Error(
        `usage: updater.mjs [--root DIR] [--state-dir DIR] [--restart-cmd CMD] [--status-cmd CMD] (bad: ${key})`,
      );
    out[key.slice(2)] = value;
  }
  return out;
}

const sh = (cmd: string) =>
  execFileSync('sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const root = args.root ?? '';
  const restartCmd = args['restart-cmd'] ?? 'systemctl restart takt-edge.service';
  const statusCmd =
    args['status-cmd'] ?? 'systemctl show takt-edge.service -p ExecMainCode -p ExecMainStatus';
  const updater = new Updater({
    root,
    stateDir: args['state-dir'] ?? process.env.TAKT_STATE_DIR ?? join(root, '/var/lib/takt'),
    restart: () => void sh(restartCmd),
    exited: () => {
      try {
        return exitedFromShow(sh(statusCmd));
      } catch {
        return undefined; // no answer is not a crash; the confirm time still bounds the wait
      }
    },
    machine: unameM(),
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    log: (line) => process.stdout.write(`takt-edge-update: ${line}\n`),
  });
  await updater.run();
}

main().catch((error: Error) => {
  console.error(`takt-edge-update: ${error.message}`);
  process.exit(1);
});
