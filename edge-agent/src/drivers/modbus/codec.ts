import type { ModbusTagConfig } from '@takt/protocol';

type Type = ModbusTagConfig['type'];

/** Registers (16 bits each) a value of each type spans; strings span `length`. */
export function registerWidth(tag: Pick<ModbusTagConfig, 'type' | 'length'>): number {
  switch (tag.type) {
    case 'bool':
    case 'uint16':
    case 'int16':
      return 1;
    case 'uint32':
    case 'int32':
    case 'float32':
      return 2;
    case 'float64':
      return 4;
    case 'string':
      return tag.length ?? 1;
  }
}

/** Wrap modulus of unsigned counter types. */
export const ROLLOVER: Partial<Record<Type, number>> = { uint16: 2 ** 16, uint32: 2 ** 32 };

/**
 * Registers -> bytes in the order the value is read. Modbus sends each register big-endian
 * (Modbus Application Protocol 4.2); `byteOrder: little` swaps the bytes inside registers,
 * `wordOrder: little` the order of the registers ("word-swapped" PLCs).
 */
export function registersToBytes(
  regs: readonly number[],
  wordOrder: ModbusTagConfig['wordOrder'],
  byteOrder: ModbusTagConfig['byteOrder'],
): Buffer {
  const words = wordOrder === 'big' ? [...regs] : [...regs].reverse();
  const buf = Buffer.alloc(words.length * 2);
  words.forEach((word, i) => {
    const w = word & 0xffff;
    buf.writeUInt16BE(byteOrder === 'big' ? w : ((w & 0xff) << 8) | (w >> 8), i * 2);
  });
  return buf;
}

/** Decode one value from its registers (FC03/FC04 data). */
export function decodeRegisters(
  regs: readonly number[],
  tag: Pick<ModbusTagConfig, 'type' | 'length' | 'wordOrder' | 'byteOrder' | 'bit'>,
): number | boolean | string {
  const width = registerWidth(tag);
  if (regs.length < width)
    throw new Error(`${tag.type} needs ${width} registers, got ${regs.length}`);
  if (tag.type === 'bool') return ((regs[0]! >> (tag.bit ?? 0)) & 1) === 1;
  // Strings are byte sequences: word order does not apply to them.
  const buf = registersToBytes(
    regs.slice(0, width),
    tag.type === 'string' ? 'big' : tag.wordOrder,
    tag.byteOrder,
  );
  switch (tag.type) {
    case 'uint16':
      return buf.readUInt16BE(0);
    case 'int16':
      return buf.readInt16BE(0);
    case 'uint32':
      return buf.readUInt32BE(0);
    case 'int32':
      return buf.readInt32BE(0);
    case 'float32':
      return buf.readFloatBE(0);
    case 'float64':
      return buf.readDoubleBE(0);
    case 'string':
      return buf.toString('latin1').replace(/\0+$/, '').trimEnd();
  }
}

/** Engineering value = raw × scale + offset, rounded off float noise (0.1 × 431 = 43.1). */
export function scaleValue(raw: number, scale: number, offset: number): number {
  if (scale === 1 && offset === 0) return raw;
  return Number((raw * scale + offset).toPrecision(12));
}
