import type { ModbusTagConfig } from '@takt/protocol';
import { describe, expect, it } from 'vitest';
import { decodeRegisters, MAX_REGISTERS_PER_READ, planReads, scaleValue } from '../../src';

describe('decodeRegisters', () => {
  it.each([
    [[0x0001], 'uint16', 'big', 1],
    [[0xffff], 'uint16', 'big', 65535],
    [[0xffff], 'int16', 'big', -1],
    [[0x01ae], 'int16', 'big', 430],
    [[0x0001, 0x0002], 'uint32', 'big', 65538],
    [[0x0002, 0x0001], 'uint32', 'little', 65538],
    [[0xffff, 0xfffe], 'int32', 'big', -2],
    [[0x4228, 0x0000], 'float32', 'big', 42],
    [[0x0000, 0x4228], 'float32', 'little', 42],
  ] as const)('%j as %s (%s word order) is %d', (regs, type, wordOrder, expected) => {
    expect(decodeRegisters(regs, { type, wordOrder, byteOrder: 'big' })).toBe(expected);
  });

  it('decodes float64, strings, bits and byte-swapped registers', () => {
    expect(
      decodeRegisters([0x3ff8, 0, 0, 0], { type: 'float64', wordOrder: 'big', byteOrder: 'big' }),
    ).toBe(1.5);
    expect(
      decodeRegisters([0, 0, 0, 0x3ff8], {
        type: 'float64',
        wordOrder: 'little',
        byteOrder: 'big',
      }),
    ).toBe(1.5);
    expect(
      decodeRegisters([0x4142, 0x3100], {
        type: 'string',
        length: 2,
        wordOrder: 'big',
        byteOrder: 'big',
      }),
    ).toBe('AB1');
    expect(
      decodeRegisters([0x4241], {
        type: 'string',
        length: 1,
        wordOrder: 'big',
        byteOrder: 'little',
      }),
    ).toBe('AB');
    expect(
      decodeRegisters([0b1000], { type: 'bool', bit: 3, wordOrder: 'big', byteOrder: 'big' }),
    ).toBe(true);
    expect(
      decodeRegisters([0x3412], { type: 'uint16', wordOrder: 'big', byteOrder: 'little' }),
    ).toBe(0x1234);
  });

  it('refuses too few registers', () => {
    expect(() =>
      decodeRegisters([1], { type: 'uint32', wordOrder: 'big', byteOrder: 'big' }),
    ).toThrow(/needs 2 registers/);
  });

  it('scales without float noise', () => {
    expect(scaleValue(431, 0.1, 0)).toBe(43.1);
    expect(scaleValue(-5, 0.5, 10)).toBe(7.5);
  });
});

const tag = (
  name: string,
  address: number,
  type: ModbusTagConfig['type'] = 'uint16',
  area: ModbusTagConfig['area'] = 'holding',
  unitId?: number,
) =>
  ({
    name,
    address,
    type,
    area,
    unitId,
    channel: 'metric',
    wordOrder: 'big',
    byteOrder: 'big',
    scale: 1,
    offset: 0,
  }) as ModbusTagConfig;

describe('planReads', () => {
  it('merges near registers of one area into one block', () => {
    const blocks = planReads([tag('a', 0, 'uint32'), tag('b', 4), tag('c', 5)], 1);
    expect(blocks.map((b) => [b.area, b.start, b.length, b.tags.map((t) => t.name)])).toEqual([
      ['holding', 0, 6, ['a', 'b', 'c']],
    ]);
  });

  it('splits areas and far addresses', () => {
    const blocks = planReads([tag('a', 0), tag('b', 100), tag('c', 0, 'uint16', 'input')], 1);
    expect(blocks.map((b) => [b.area, b.start, b.length])).toEqual([
      ['holding', 0, 1],
      ['holding', 100, 1],
      ['input', 0, 1],
    ]);
  });

  it('splits by unit id and reads bits in their own areas', () => {
    const blocks = planReads(
      [
        tag('a', 0),
        tag('b', 1, 'uint16', 'holding', 3),
        tag('c', 0, 'bool', 'coil'),
        tag('d', 8, 'bool', 'coil'),
      ],
      1,
    );
    expect(blocks.map((b) => [b.unitId, b.area, b.start, b.length])).toEqual([
      [1, 'holding', 0, 1],
      [3, 'holding', 1, 1],
      [1, 'coil', 0, 9],
    ]);
  });

  it('never exceeds the 125-register limit of FC03', () => {
    const tags = Array.from({ length: 300 }, (_, i) => tag(`t${i}`, i));
    const blocks = planReads(tags, 1);
    expect(blocks.every((b) => b.length <= MAX_REGISTERS_PER_READ)).toBe(true);
    expect(blocks.reduce((n, b) => n + b.tags.length, 0)).toBe(300);
    expect(blocks).toHaveLength(3);
  });
});
