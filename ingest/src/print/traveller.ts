/**
 * A work order's traveller (docs/work-orders.md "Travellers and cards"): the paper that goes
 * with the parts from station to station. Each operation's row holds the Code 128 a station
 * scans to start it, and empty columns the operator fills in by hand. Pure: data in, PDF out.
 */
import { travellerCode } from './codes';
import {
  A4,
  MARGIN,
  code128,
  finish,
  newSheet,
  placeBarcode,
  plantTime,
  type Barcode,
  type PrintFont,
  type Sheet,
} from './pdf';

export interface TravellerData {
  order: {
    id: string;
    /** The product's id, and its name in the plant model (null: not in the model). */
    product: string | null;
    productName: string | null;
    quantity: number;
    customer: string | null;
    dueAt: number | null;
    priority: number;
  };
  /** In routing order, with the name of the machine or station each runs at. */
  operations: { id: string; machine: string; machineName: string }[];
  site: string;
  /** The plant's time zone: the due date and the print time as its clocks show them. */
  timeZone: string;
  printedAt: number;
}

const WIDTH = A4.width - 2 * MARGIN;
const BOTTOM = A4.height - MARGIN - 14; // the footer line sits below this
/** The operations table: [English, Chinese, width in points]; widths add up to WIDTH. */
const COLUMNS = [
  ['Op.', '工序', 44],
  ['Station', '工位', 84],
  ['Scan to start', '扫码开工', 187],
  ['Good', '良品', 44],
  ['Reject', '不良', 44],
  ['Signature', '签名', 70],
  ['Date', '日期', 50],
] as const;

function header(sheet: Sheet, data: TravellerData, orderCode: Barcode) {
  const { doc } = sheet;
  sheet.font(9);
  doc.fillColor('#555');
  sheet.text(
    `${sheet.bilingual('Work order traveller', '工单流转卡', ' · ')} — ${data.site}`,
    MARGIN,
    MARGIN,
    WIDTH,
  );
  doc.fillColor('black');
  // The id in one line, smaller for a long one; at 10 pt it may take two (ids run to 64 letters).
  sheet.font(22);
  const room = WIDTH / 2 - 10;
  sheet.font(Math.max(10, Math.min(22, (22 * room) / doc.widthOfString(data.order.id))));
  sheet.text(data.order.id, MARGIN, MARGIN + 16, room, 2);
  const codeWidth = Math.min(orderCode.width, WIDTH / 2);
  placeBarcode(doc, orderCode, MARGIN + WIDTH - codeWidth, MARGIN + 12, WIDTH / 2);
  return MARGIN + 12 + Math.max(orderCode.height, 30) + 10;
}

function details(sheet: Sheet, data: TravellerData, top: number): number {
  const { doc } = sheet;
  const { order } = data;
  const product = order.productName
    ? `${order.productName} (${order.product})`
    : (order.product ?? '—');
  const rows: [string, string, string][] = [
    ['Product', '产品', product],
    ['Quantity', '数量', String(order.quantity)],
    ['Customer', '客户', order.customer ?? '—'],
    [
      'Due',
      '交期',
      order.dueAt === null ? '—' : `${plantTime(order.dueAt, data.timeZone)} (${data.timeZone})`,
    ],
    ['Priority', '优先级', String(order.priority)],
  ];
  let y = top;
  for (const [en, zh, value] of rows) {
    sheet.font(9);
    doc.fillColor('#555').text(sheet.bilingual(en, zh), MARGIN, y + 2, { width: 110 });
    sheet.font(12);
    doc.fillColor('black');
    sheet.text(value, MARGIN + 115, y, WIDTH - 115);
    y += 20;
  }
  return y + 8;
}

function tableHead(sheet: Sheet, top: number): number {
  const { doc } = sheet;
  sheet.font(8);
  let x = MARGIN;
  for (const [en, zh, width] of COLUMNS) {
    doc.text(sheet.bilingual(en, zh, '\n'), x + 3, top + 3, { width: width - 6 });
    x += width;
  }
  doc.rect(MARGIN, top, WIDTH, 26).stroke();
  return top + 26;
}

const ROW_HEIGHT = 62;

async function operationRow(
  sheet: Sheet,
  data: TravellerData,
  op: TravellerData['operations'][number],
  top: number,
) {
  const { doc } = sheet;
  const code = travellerCode(data.order.id, op.id);
  sheet.font(op.id.length > 5 ? 8 : 12);
  sheet.text(op.id, MARGIN + 3, top + 6, COLUMNS[0][2] - 6, 5);
  sheet.font(10);
  const station = op.machineName === op.machine ? op.machine : `${op.machineName}\n${op.machine}`;
  sheet.text(station, MARGIN + COLUMNS[0][2] + 3, top + 6, COLUMNS[1][2] - 6, 4);
  const codeX = MARGIN + COLUMNS[0][2] + COLUMNS[1][2];
  const barcode = await code128(code, 10);
  const height = placeBarcode(doc, barcode, codeX + 3, top + 4, COLUMNS[2][2] - 6);
  sheet.font(8);
  sheet.text(code, codeX + 3, top + 6 + height, COLUMNS[2][2] - 6);
  let x = MARGIN;
  for (const [, , width] of COLUMNS) {
    doc.rect(x, top, width, ROW_HEIGHT).stroke();
    x += width;
  }
}

function footer(sheet: Sheet, data: TravellerData) {
  sheet.font(7);
  sheet.doc
    .fillColor('#555')
    .text(
      sheet.printable(
        `Printed ${plantTime(data.printedAt, data.timeZone)} (${data.timeZone}) by Takt`,
      ),
      MARGIN,
      BOTTOM + 4,
      { width: WIDTH, lineBreak: false },
    )
    .fillColor('black');
}

/** The traveller as a PDF: A4, as many pages as the operations need, the table head on each. */
export async function renderTraveller(data: TravellerData, font: PrintFont): Promise<Buffer> {
  const sheet = newSheet(font, `Traveller ${data.order.id}`);
  const orderCode = await code128(data.order.id, 12);
  sheet.doc.lineWidth(0.5);
  let y = tableHead(sheet, details(sheet, data, header(sheet, data, orderCode)));
  footer(sheet, data);
  for (const op of data.operations) {
    if (y + ROW_HEIGHT > BOTTOM) {
      sheet.doc.addPage();
      y = tableHead(sheet, header(sheet, data, orderCode));
      footer(sheet, data);
    }
    await operationRow(sheet, data, op, y);
    y += ROW_HEIGHT;
  }
  return finish(sheet.doc);
}
