import type { Catalog } from './catalog';

/** Wall boards: plant, line, orders, andon, rotation. */
export const boards = {
  'board.plant': ['Plant', '工厂'],
  'board.line': ['Line', '产线'],
  'board.orders': ['Orders', '工单'],
  'board.andon': ['Andon', '安灯'],
  'board.unknownLine': [
    'There is no line "{line}" in this plant. Lines: {lines}.',
    '本工厂没有产线 "{line}"。产线有：{lines}。',
  ],
  'board.waitingMachines': ['Waiting for machines…', '正在等待设备…'],
  'board.noMachines': ['No machines in the plant model.', '工厂模型中没有设备。'],
} as const satisfies Catalog;
