/**
 * Reads a PDF back as a reader would: its text (pdfjs-dist) and every barcode image decoded
 * (@zxing/library), offline and in page order, so a test checks what a scanner would read.
 */
import {
  BarcodeFormat,
  BinaryBitmap,
  DecodeHintType,
  HybridBinarizer,
  MultiFormatReader,
  RGBLuminanceSource,
} from '@zxing/library';
import { getDocument, ImageKind, OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface ReadPdf {
  pages: number;
  /** The text of each page, its items joined by spaces. */
  text: string[];
  /** Every image decoded as a barcode, in drawing order; an image that is none fails. */
  barcodes: string[];
}

interface PdfImage {
  width: number;
  height: number;
  kind: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** Grey levels of an image, its transparent parts as white paper. */
function luminance(image: PdfImage): Uint8ClampedArray {
  const { width, height, kind, data } = image;
  const out = new Uint8ClampedArray(width * height);
  if (kind === ImageKind.GRAYSCALE_1BPP) {
    const rowBytes = Math.ceil(width / 8);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        out[y * width + x] = (data[y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 255 : 0;
    return out;
  }
  const step = kind === ImageKind.RGBA_32BPP ? 4 : 3;
  for (let p = 0; p < width * height; p++) {
    const i = p * step;
    const grey = (data[i]! * 299 + data[i + 1]! * 587 + data[i + 2]! * 114) / 1000;
    const alpha = step === 4 ? data[i + 3]! / 255 : 1;
    out[p] = 255 - (255 - grey) * alpha;
  }
  return out;
}

function decode(image: PdfImage): string {
  const reader = new MultiFormatReader();
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128, BarcodeFormat.QR_CODE]],
    [DecodeHintType.TRY_HARDER, true],
  ]);
  reader.setHints(hints);
  const source = new RGBLuminanceSource(luminance(image), image.width, image.height);
  return reader.decode(new BinaryBitmap(new HybridBinarizer(source))).getText();
}

export async function readPdf(file: Uint8Array): Promise<ReadPdf> {
  const doc = await getDocument({ data: new Uint8Array(file), verbosity: 0 }).promise;
  const out: ReadPdf = { pages: doc.numPages, text: [], barcodes: [] };
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    out.text.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
    const ops = await page.getOperatorList();
    for (const [i, fn] of ops.fnArray.entries()) {
      const args = ops.argsArray[i] as unknown[];
      if (fn === OPS.paintInlineImageXObject) out.barcodes.push(decode(args[0] as PdfImage));
      else if (fn === OPS.paintImageXObject) {
        const name = args[0] as string;
        // Images shared by pages live in commonObjs (pdfjs names them `g_…`).
        const objs = name.startsWith('g_') ? page.commonObjs : page.objs;
        const image = await new Promise<PdfImage>((resolve) =>
          objs.get(name, (data: unknown) => resolve(data as PdfImage)),
        );
        out.barcodes.push(decode(image));
      }
    }
  }
  await doc.destroy();
  return out;
}
