import { ServerTCP } from 'modbus-serial';
import type { Logger } from 'pino';

/** Modbus exception 02: illegal data address (Modbus Application Protocol v1.1b3, 7). */
const ILLEGAL_DATA_ADDRESS = 0x02;

export interface PlcServer {
  readonly port: number;
  stop(timeoutMs?: number): Promise<void>;
}

/** A real Modbus TCP server whose holding registers are read from `registers()` at request time. */
export function startPlcServer(
  host: string,
  port: number,
  unitId: number,
  registers: () => readonly number[],
  log: Logger,
): Promise<PlcServer> {
  const read = (addr: number, length: number): number[] => {
    const regs = registers();
    if (addr < 0 || addr + length > regs.length) {
      throw {
        modbusErrorCode: ILLEGAL_DATA_ADDRESS,
        msg: `address ${addr}+${length} out of range`,
      };
    }
    return regs.slice(addr, addr + length);
  };
  const vector = {
    getHoldingRegister: (addr: number) => read(addr, 1)[0]!,
    getMultipleHoldingRegisters: (addr: number, length: number) => read(addr, length),
    getInputRegister: (addr: number) => read(addr, 1)[0]!,
    getMultipleInputRegisters: (addr: number, length: number) => read(addr, length),
  };
  const server = new ServerTCP(vector, { host, port, unitID: unitId });
  server.on('socketError', (error) => log.debug({ err: String(error) }, 'modbus socket error'));
  return new Promise((resolve, reject) => {
    server.once('serverError', (err) => {
      const error = err as NodeJS.ErrnoException;
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `SIM_ERR_PORT_IN_USE: Modbus port ${port} on ${host} is already in use`
            : `SIM_ERR_LISTEN: ${host}:${port}: ${error.message}`,
        ),
      );
    });
    server.once('initialized', () =>
      resolve({
        port,
        stop: (timeoutMs = 2000) =>
          new Promise<void>((done) => {
            for (const sock of server.socks.keys()) sock.destroy();
            const timer = setTimeout(() => {
              log.warn({ port }, 'modbus server did not close in time');
              done();
            }, timeoutMs);
            server.close(() => {
              clearTimeout(timer);
              done();
            });
          }),
      }),
    );
  });
}
