#!/usr/bin/python3
"""A Modbus RTU slave on a serial port (a socat pty in tests), with a fixed register map.

Run with Debian's interpreter, which has python3-pymodbus 3.0:

    /usr/bin/python3 modbus_rtu_server.py PORT UNIT_ID [BAUD]

It prints "ready" on stdout once the port is open and it is serving. It exits on SIGTERM
or when its stdin closes (so a crashed test run leaves no orphan behind).

Register map of unit UNIT_ID (zero-based addresses, as on the wire; register 40001 = 0):

  Holding registers (FC03), addresses 0-19:
    0-1    0x0001 0x1170   uint32 70000 (high word first)
    2      0xFFF6          int16 -10
    3-4    0x42F6 0xE666   float32 123.45 (big word order)
    5-6    0xE666 0x42F6   float32 123.45 (little word order, word-swapped)
    7-10   0x3FF8 0 0 0    float64 1.5
    11-12  0x4142 0x3132   string "AB12"
    13     0x0024          bits 2 and 5 set
    14     0x3412          0x1234 byte-swapped
    15-19  0
  Input registers (FC04), addresses 0-9:
    0      1234            uint16 1234
    1      0xFF85          int16 -123
    2-3    0xC020 0x0000   float32 -2.5
    4-9    0
  Coils (FC01), addresses 0-9:       1 0 1 1 0 0 0 0 0 1
  Discrete inputs (FC02), 0-9:       0 1 0 0 0 0 0 0 0 0

Any address past those ranges answers exception 02 (Illegal Data Address). Requests for
another unit id get no answer at all, as on an RS-485 bus.
"""

import argparse
import asyncio
import logging
import sys

from pymodbus.datastore import (
    ModbusSequentialDataBlock,
    ModbusServerContext,
    ModbusSlaveContext,
)
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer

HOLDING = [
    0x0001, 0x1170,  # uint32 70000
    0xFFF6,  # int16 -10
    0x42F6, 0xE666,  # float32 123.45
    0xE666, 0x42F6,  # float32 123.45, word-swapped
    0x3FF8, 0x0000, 0x0000, 0x0000,  # float64 1.5
    0x4142, 0x3132,  # "AB12"
    0x0024,  # bits 2 and 5
    0x3412,  # 0x1234 byte-swapped
    0, 0, 0, 0, 0,
]
INPUT = [1234, 0xFF85, 0xC020, 0x0000, 0, 0, 0, 0, 0, 0]
COILS = [1, 0, 1, 1, 0, 0, 0, 0, 0, 1]
DISCRETE = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0]


def context(unit_id):
    # zero_mode: address N is item N; pymodbus otherwise shifts every address by one.
    slave = ModbusSlaveContext(
        hr=ModbusSequentialDataBlock(0, HOLDING),
        ir=ModbusSequentialDataBlock(0, INPUT),
        co=ModbusSequentialDataBlock(0, COILS),
        di=ModbusSequentialDataBlock(0, DISCRETE),
        zero_mode=True,
    )
    return ModbusServerContext(slaves={unit_id: slave}, single=False)


def exit_when_stdin_closes(loop, stop):
    def on_readable():
        if not sys.stdin.buffer.read1(1024):
            loop.remove_reader(sys.stdin.fileno())
            stop.set()

    loop.add_reader(sys.stdin.fileno(), on_readable)


async def main(args):
    server = await StartAsyncSerialServer(
        context=context(args.unit),
        framer=ModbusRtuFramer,
        port=args.port,
        baudrate=args.baud,
        bytesize=8,
        parity="N",
        stopbits=1,
        defer_start=True,
    )
    await server.start()
    if server.transport is None:  # pymodbus logs open failures at debug and carries on
        print(f"cannot open {args.port}", file=sys.stderr, flush=True)
        return 1
    stop = asyncio.Event()
    exit_when_stdin_closes(asyncio.get_running_loop(), stop)
    print("ready", flush=True)
    await stop.wait()
    await server.shutdown()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", help="serial device, e.g. a socat pty link")
    parser.add_argument("unit", type=int, help="Modbus unit (slave) id, 1-247")
    parser.add_argument("baud", type=int, nargs="?", default=9600)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    sys.exit(asyncio.run(main(parser.parse_args())))
