/**
 * What the printed sheets share (docs/work-orders.md "Travellers and cards"): an A4 pdfkit
 * document with the CJK font when there is one, Code 128 images from bwip-js, and the
 * finished file as one Buffer. No I/O but reading the font file once (printFont).
 */
import { readFileSync } from 'node:fs';
import bwipjs from 'bwip-js/node';
import PDFDocument from 'pdfkit';
import type { Logger } from 'pino';

/** Debian's fonts-wqy-microhei (in .ci/run's apt line): Chinese and Latin in one face. */
export const CJK_FONT_PATH = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
/** The face of that collection to embed (the other one is its monospaced twin). */
const CJK_FONT_FACE = 'WenQuanYiMicroHei';

/** The font the sheets are set in: a TrueType collection's face, or pdfkit's Helvetica. */
export interface PrintFont {
  /** The .ttc/.ttf file, read once; undefined: Helvetica, which has no CJK letters. */
  file: Buffer | undefined;
}

/**
 * The font to print with, read once when the routes start (every sheet would otherwise read
 * 5 MB again). Without it every sheet is still printed, in Helvetica with its non-ASCII
 * letters as `?`, and that is logged.
 */
export function printFont(log: Pick<Logger, 'warn'>, path = CJK_FONT_PATH): PrintFont {
  try {
    return { file: readFileSync(path) };
  } catch (error) {
    log.warn(
      { font: path, err: (error as Error).message },
      'no CJK font for printed travellers and cards: install fonts-wqy-microhei; printing Latin letters only',
    );
    return { file: undefined };
  }
}

/** A4 in PDF points (1/72 in). */
export const A4 = { width: 595.28, height: 841.89 } as const;
export const MARGIN = 36;

/** A document being drawn, with the text function that respects the font's reach. */
export interface Sheet {
  doc: PDFKit.PDFDocument;
  /** The text as this font can print it (non-ASCII letters as `?` in Helvetica). */
  printable: (text: string) => string;
  /** English, then Chinese after `between` when the font has the letters (else English only). */
  bilingual: (en: string, zh: string | undefined, between?: string) => string;
  /** Sets the regular face at a size. */
  font: (size: number) => void;
  /**
   * Text in the current font, in `lines` lines at most within `width`: a longer name (they run
   * to 128 letters) ends in `…` instead of running into the next box.
   */
  text: (text: string, x: number, y: number, width: number, lines?: number) => void;
}

export function newSheet(font: PrintFont, title: string): Sheet {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: title, Creator: 'Takt' },
  });
  if (font.file) doc.registerFont('body', font.file, CJK_FONT_FACE);
  const face = font.file ? 'body' : 'Helvetica';
  const printable = font.file
    ? (text: string) => text
    : (text: string) => text.replace(/[^\x20-\x7e]/g, '?');
  return {
    doc,
    printable,
    bilingual: (en, zh, between = ' ') => (font.file && zh ? `${en}${between}${zh}` : en),
    font: (size) => void doc.font(face).fontSize(size),
    text: (text, x, y, width, lines = 1) =>
      void doc.text(printable(text), x, y, {
        width,
        height: doc.currentLineHeight(true) * lines,
        ellipsis: true,
      }),
  };
}

/** Ends the document and resolves with the whole file. */
export function finish(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

/** bwip-js draws 1 module per point at scale 1; this many pixels per module keeps bars crisp. */
const PX_PER_MODULE = 3;

export interface Barcode {
  png: Buffer;
  /** Its natural size in points: one module = 1 pt (0.35 mm), which any scanner reads. */
  width: number;
  height: number;
}

/**
 * A Code 128 of `text`: white background and quiet zones drawn in (a card cut at its edge
 * still scans), no human-readable line (the sheets print the code as text themselves).
 */
export async function code128(text: string, heightMm: number): Promise<Barcode> {
  const png = await bwipjs.toBuffer({
    bcid: 'code128',
    text,
    scale: PX_PER_MODULE,
    height: heightMm,
    includetext: false,
    backgroundcolor: 'FFFFFF',
    paddingwidth: 10,
    paddingheight: 2,
  });
  // PNG IHDR: width and height are the big-endian words at bytes 16 and 20.
  return {
    png,
    width: png.readUInt32BE(16) / PX_PER_MODULE,
    height: png.readUInt32BE(20) / PX_PER_MODULE,
  };
}

/**
 * Places a barcode at (x, y) at its natural size, or narrower to fit `maxWidth` (bars keep
 * their proportions; the height stays, a 1D code reads along its width). Returns its height.
 */
export function placeBarcode(
  doc: PDFKit.PDFDocument,
  code: Barcode,
  x: number,
  y: number,
  maxWidth: number,
): number {
  doc.image(code.png, x, y, { width: Math.min(code.width, maxWidth), height: code.height });
  return code.height;
}

/** A time as the plant's clocks show it: `2026-12-31 23:59` (24 h). */
export function plantTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
