import type { ModbusTagConfig } from '@takt/protocol';
import { registerWidth } from './codec';

/** Most registers (FC03/FC04) and bits (FC01/FC02) one request may read (spec 6.1-6.4). */
export const MAX_REGISTERS_PER_READ = 125;
export const MAX_BITS_PER_READ = 2000;

export interface ReadBlock {
  unitId: number;
  area: ModbusTagConfig['area'];
  start: number;
  length: number;
  tags: ModbusTagConfig[];
}

const isBitArea = (area: ModbusTagConfig['area']) => area === 'coil' || area === 'discrete';

/**
 * Merge tags into few block reads: tags of one unit and area whose addresses lie within
 * `maxGap` of each other share a request, up to the per-request limit of the area.
 */
export function planReads(
  tags: readonly ModbusTagConfig[],
  defaultUnitId: number,
  maxGap = 8,
): ReadBlock[] {
  const groups = new Map<string, ModbusTagConfig[]>();
  for (const tag of tags) {
    const key = `${tag.unitId ?? defaultUnitId}:${tag.area}`;
    groups.set(key, [...(groups.get(key) ?? []), tag]);
  }
  const blocks: ReadBlock[] = [];
  for (const [key, group] of groups) {
    const [unit, area] = key.split(':') as [string, ModbusTagConfig['area']];
    const limit = isBitArea(area) ? MAX_BITS_PER_READ : MAX_REGISTERS_PER_READ;
    let current: ReadBlock | undefined;
    for (const tag of [...group].sort((a, b) => a.address - b.address)) {
      const end = tag.address + (isBitArea(area) ? 1 : registerWidth(tag));
      const fits =
        current &&
        tag.address <= current.start + current.length + maxGap &&
        end - current.start <= limit;
      if (current && fits) {
        current.length = Math.max(current.length, end - current.start);
        current.tags.push(tag);
      } else {
        current = {
          unitId: Number(unit),
          area,
          start: tag.address,
          length: end - tag.address,
          tags: [tag],
        };
        blocks.push(current);
      }
    }
  }
  return blocks;
}
