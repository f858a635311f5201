import type { ModbusTagConfig } from '@takt/protocol';
import { REGISTER_WIDTH } from './codec';

/** Modbus FC03/FC04 return at most 125 registers per request (spec 6.3, 6.4). */
export const MAX_REGISTERS_PER_READ = 125;

export interface ReadBlock {
  area: ModbusTagConfig['area'];
  start: number;
  length: number;
  tags: ModbusTagConfig[];
}

/**
 * Merge tags into few block reads: tags of one area whose registers lie within `maxGap`
 * of each other share a request, up to the 125-register limit.
 */
export function planReads(tags: readonly ModbusTagConfig[], maxGap = 8): ReadBlock[] {
  const blocks: ReadBlock[] = [];
  for (const area of ['holding', 'input'] as const) {
    const sorted = tags.filter((t) => t.area === area).sort((a, b) => a.address - b.address);
    let current: ReadBlock | undefined;
    for (const tag of sorted) {
      const end = tag.address + REGISTER_WIDTH[tag.type];
      const fits =
        current &&
        tag.address <= current.start + current.length + maxGap &&
        end - current.start <= MAX_REGISTERS_PER_READ;
      if (current && fits) {
        current.length = Math.max(current.length, end - current.start);
        current.tags.push(tag);
      } else {
        current = { area, start: tag.address, length: end - tag.address, tags: [tag] };
        blocks.push(current);
      }
    }
  }
  return blocks;
}
