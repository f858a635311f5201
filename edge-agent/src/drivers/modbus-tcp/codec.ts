import type { ModbusTagConfig } from '@takt/protocol';

/** Registers each data type spans (Modbus registers are 16 bits). */
export const REGISTER_WIDTH: Record<ModbusTagConfig['type'], number> = {
  uint16: 1,
  int16: 1,
  uint32: 2,
  int32: 2,
  float32: 2,
};

/** Wrap modulus of counter types (unsigned only). */
export const ROLLOVER: Partial<Record<ModbusTagConfig['type'], number>> = {
  uint16: 2 ** 16,
  uint32: 2 ** 32,
};

/**
 * Decode one value from its registers (Modbus FC03/FC04 data, big-endian bytes in each
 * register). `wordOrder: big` puts the high word first, the Modbus convention; `little`
 * is the "word-swapped" layout many PLCs use.
 */
export function decodeRegisters(
  regs: readonly number[],
  type: ModbusTagConfig['type'],
  wordOrder: ModbusTagConfig['wordOrder'],
): number {
  const width = REGISTER_WIDTH[type];
  if (regs.length < width) throw new Error(`${type} needs ${width} registers, got ${regs.length}`);
  const buf = Buffer.alloc(width * 2);
  const words = wordOrder === 'big' ? regs.slice(0, width) : regs.slice(0, width).reverse();
  words.forEach((word, i) => buf.writeUInt16BE(word & 0xffff, i * 2));
  switch (type) {
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
  }
}

/** Engineering value = raw × scale + offset, rounded off float noise (0.1 × 431 = 43.1). */
export function scaleValue(raw: number, scale: number, offset: number): number {
  if (scale === 1 && offset === 0) return raw;
  return Number((raw * scale + offset).toPrecision(12));
}
