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
  ] as const)('%j as %s (%s word order) is %d', (regs, type, order, expected) => {
    expect(decodeRegisters(regs, type, order)).toBe(expected);
  });

  it('refuses too few registers', () => {
    expect(() => decodeRegisters([1], 'uint32', 'big')).toThrow(/needs 2 registers/);
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
) =>
  ({
    name,
    address,
    type,
    area,
    channel: 'metric',
    wordOrder: 'big',
    scale: 1,
    offset: 0,
  }) as ModbusTagConfig;

describe('planReads', () => {
  it('merges near registers of one area into one block', () => {
    const blocks = planReads([tag('a', 0, 'uint32'), tag('b', 4), tag('c', 5)]);
    expect(blocks.map((b) => [b.area, b.start, b.length, b.tags.map((t) => t.name)])).toEqual([
      ['holding', 0, 6, ['a', 'b', 'c']],
    ]);
  });

  it('splits areas and far addresses', () => {
    const blocks = planReads([tag('a', 0), tag('b', 100), tag('c', 0, 'uint16', 'input')]);
    expect(blocks.map((b) => [b.area, b.start, b.length])).toEqual([
      ['holding', 0, 1],
      ['holding', 100, 1],
      ['input', 0, 1],
    ]);
  });

  it('never exceeds the 125-register limit of FC03', () => {
    const tags = Array.from({ length: 300 }, (_, i) => tag(`t${i}`, i));
    const blocks = planReads(tags);
    expect(blocks.every((b) => b.length <= MAX_REGISTERS_PER_READ)).toBe(true);
    expect(blocks.reduce((n, b) => n + b.tags.length, 0)).toBe(300);
    expect(blocks).toHaveLength(3);
  });
});
