import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { requirePeer } from '@takt/sim';

/**
 * Debian's own interpreter: python3-pymodbus is installed for it, not for a pyenv or venv
 * python that may come first on PATH.
 */
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./modbus_rtu_server.py', import.meta.url));

export interface ModbusRtuPeer {
  pid: number;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts the pymodbus RTU slave on `port` (see the register map in the script). */
export async function startModbusRtuServer(
  port: string,
  unitId: number,
  timeoutMs = 10_000,
): Promise<ModbusRtuPeer> {
  requirePeer('pymodbus');
  // stdin stays a pipe: the server exits when it closes, so it never outlives this process.
  const child = spawn(PYTHON, [SCRIPT, port, String(unitId)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`modbus RTU server not ready after ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`modbus RTU server exited with ${code}: ${err}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split('\n').includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.removeAllListeners('exit');
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGTERM');
      await exited(child);
    },
  };
}
