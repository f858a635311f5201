/**
 * A station's card sheet (docs/work-orders.md "Travellers and cards"): cards to cut out and
 * keep at the station, each a Code 128 of one code the station understands with its label.
 * Pure: data in, PDF out.
 */
import type { CardKind, CardSheet } from './codes';
import {
  A4,
  MARGIN,
  code128,
  finish,
  newSheet,
  placeBarcode,
  type PrintFont,
  type Sheet,
} from './pdf';

const WIDTH = A4.width - 2 * MARGIN;
const COLUMNS = 2;
const ROWS = 5;
const HEAD = 28;
const FOOT = 40;
const CARD_WIDTH = WIDTH / COLUMNS;
const CARD_HEIGHT = (A4.height - 2 * MARGIN - HEAD - FOOT) / ROWS;
const PAD = 10;
/** Cards print their bars twice the traveller's size where they fit: read from arm's length. */
const ZOOM = 2;

const KIND_LABELS: Record<CardKind, [string, string]> = {
  action: ['Action', '操作'],
  reason: ['Stop reason', '停机原因'],
  reject: ['Reject (1 piece)', '不良（1件）'],
  andon: ['Andon call', '安灯呼叫'],
};

function pageHead(sheet: Sheet, data: CardSheet) {
  sheet.font(11);
  const { station } = data;
  const title = `${sheet.bilingual('Station cards', '工位卡片', ' · ')} — ${station.name} (${station.id}) — ${data.site}`;
  sheet.text(title, MARGIN, MARGIN, WIDTH);
}

async function card(sheet: Sheet, item: CardSheet['cards'][number], x: number, y: number) {
  const { doc } = sheet;
  doc
    .dash(3, { space: 3 })
    .rect(x, y, CARD_WIDTH, CARD_HEIGHT)
    .strokeColor('#999')
    .stroke()
    .undash()
    .strokeColor('black');
  const inner = CARD_WIDTH - 2 * PAD;
  sheet.font(8);
  const [kindEn, kindZh] = KIND_LABELS[item.kind];
  doc.fillColor('#555').text(sheet.bilingual(kindEn, kindZh), x + PAD, y + PAD, { width: inner });
  doc.fillColor('black');
  sheet.font(15);
  sheet.text(item.label, x + PAD, y + PAD + 12, inner);
  if (item.labelZh && sheet.printable(item.labelZh) === item.labelZh)
    sheet.text(item.labelZh, x + PAD, y + PAD + 31, inner);
  const barcode = await code128(item.code, 14);
  const width = Math.min(barcode.width * ZOOM, inner);
  const height = placeBarcode(
    doc,
    { ...barcode, width, height: barcode.height },
    x + (CARD_WIDTH - width) / 2,
    y + PAD + 52,
    inner,
  );
  sheet.font(9);
  doc.text(sheet.printable(item.code), x + PAD, y + PAD + 54 + height, {
    width: inner,
    align: 'center',
    height: doc.currentLineHeight(true),
    ellipsis: true,
  });
}

/** Reasons the sheet has no card for, under the last cards. */
function withoutCardNote(sheet: Sheet, data: CardSheet, y: number) {
  if (data.withoutCard.length === 0) return;
  sheet.font(8);
  const list = data.withoutCard.map((w) => `${w.code} (${w.label})`).join(', ');
  sheet.doc
    .fillColor('#555')
    .text(
      sheet.printable(`No card for ${list}: the station's code patterns do not accept these ids.`),
      MARGIN,
      y + 6,
      { width: WIDTH, height: FOOT - 6 },
    )
    .fillColor('black');
}

/** The sheet as a PDF: A4, ten cards a page in the order given, cut lines dashed. */
export async function renderCards(data: CardSheet, font: PrintFont): Promise<Buffer> {
  const sheet = newSheet(font, `Station cards ${data.station.id}`);
  sheet.doc.lineWidth(0.5);
  const perPage = COLUMNS * ROWS;
  let bottom = MARGIN + HEAD;
  for (const [i, item] of data.cards.entries()) {
    const slot = i % perPage;
    if (slot === 0 && i > 0) sheet.doc.addPage();
    if (slot === 0) pageHead(sheet, data);
    const x = MARGIN + (slot % COLUMNS) * CARD_WIDTH;
    const y = MARGIN + HEAD + Math.floor(slot / COLUMNS) * CARD_HEIGHT;
    await card(sheet, item, x, y);
    bottom = y + CARD_HEIGHT;
  }
  withoutCardNote(sheet, data, bottom);
  return finish(sheet.doc);
}
