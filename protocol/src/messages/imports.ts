import { defineMessages } from './render';

/**
 * Import row and column errors (ingest/src/work-orders/read-import.ts): each names what is
 * wrong; the row and the column travel beside the message in the import's answer.
 */
export const IMPORT_MESSAGES = defineMessages({
  'import.encoding.unknown': [
    'The file is neither UTF-8 nor GBK/GB18030 (line {line} cannot be read); save it as UTF-8 CSV or choose its encoding',
    '文件既不是 UTF-8 也不是 GBK/GB18030（第 {line} 行无法读取）；请另存为 UTF-8 CSV 或选择其编码',
  ],
  'import.encoding.invalid': [
    'The file is not valid {encoding} (line {line}); choose another encoding',
    '文件不是有效的 {encoding} 编码（第 {line} 行）；请选择其他编码',
  ],
  'import.csv.unreadable': [
    'The CSV cannot be read at line {line}: {reason}',
    'CSV 第 {line} 行无法读取：{reason}',
  ],
  'import.file.empty': ['The file has no header row', '文件没有表头行'],
  'import.mapping.missing': [
    'No column for {field}: the mapping "{mapping}" looks for {headers}',
    '缺少“{field}”列：映射“{mapping}”查找的表头为 {headers}',
  ],
  'import.cell.required': ['{column} is empty', '“{column}”为空'],
  'import.cell.id': [
    '"{value}" is not an order id (1-64 letters, digits, _ . -)',
    '“{value}”不是有效的订单号（1-64 个字母、数字、_ . -）',
  ],
  'import.cell.product': [
    '"{value}" is not a product code (1-64 letters, digits, _ . -)',
    '“{value}”不是有效的物料编码（1-64 个字母、数字、_ . -）',
  ],
  'import.cell.quantity': [
    '"{value}" is not a quantity (a whole number from 1 to 10,000,000)',
    '“{value}”不是有效的数量（1 到 10,000,000 的整数）',
  ],
  'import.cell.priority': [
    '"{value}" is not a priority (0 to 9)',
    '“{value}”不是有效的优先级（0 到 9）',
  ],
  'import.cell.date': [
    '"{value}" is not a date this mapping reads ({formats})',
    '“{value}”不是此映射可读取的日期（{formats}）',
  ],
  'import.cell.text': ['{column} is longer than 128 characters', '“{column}”超过 128 个字符'],
  'import.cell.routing': [
    '"{value}" is not a routing (OP10@machine;OP20@station)',
    '“{value}”不是有效的工艺路线（OP10@设备;OP20@工位）',
  ],
  'import.row.duplicate': [
    'Order {id} is already on row {first}',
    '订单 {id} 已在第 {first} 行出现',
  ],
  'import.row.productUnknown': [
    'Product "{product}" is not in the plant',
    '物料“{product}”不在工厂中',
  ],
  'import.row.noRouting': [
    'Product "{product}" has no routing in the plant model and the row gives none',
    '物料“{product}”在工厂模型中没有工艺路线，且该行也未给出',
  ],
  'import.row.productChanged': [
    'Order {id} is for product "{before}"; an import cannot change it to "{after}"',
    '订单 {id} 的物料为“{before}”；导入不能将其改为“{after}”',
  ],
  'import.row.refused': ['The change is refused: {reason}', '修改被拒绝：{reason}'],
});
