/**
 * A picture for chromium's fake camera (`--use-file-for-fake-video-capture=<file>.y4m`): a
 * barcode rendered with bwip-js as PNG, decoded here (8-bit PNG, non-interlaced: what bwip-js
 * writes) and written as YUV4MPEG2 4:2:0 frames, which chromium loops. Pure Node, no ffmpeg.
 */
import { writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import bwipjs from 'bwip-js/node';

interface Gray {
  width: number;
  height: number;
  /** 8-bit luma, row by row. */
  luma: Uint8Array;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** PNG (8-bit gray, gray+alpha, RGB or RGBA; no palette, no interlace) -> luma. */
export function pngToGray(png: Buffer): Gray {
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit non-interlaced PNG');
      colorType = data[9]!;
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const bpp = CHANNELS[colorType];
  if (!bpp) throw new Error(`PNG colour type ${colorType} not handled`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? pixels[out + x - bpp]! : 0;
      const b = y > 0 ? pixels[out - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? pixels[out - stride + x - bpp]! : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[out + x] = (line[x]! + predictor) & 0xff;
    }
  }
  const luma = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const p = i * bpp;
    const gray =
      bpp >= 3
        ? (pixels[p]! * 299 + pixels[p + 1]! * 587 + pixels[p + 2]! * 114) / 1000
        : pixels[p]!;
    const alpha = bpp === 2 ? pixels[p + 1]! : bpp === 4 ? pixels[p + 3]! : 255;
    // Transparent pixels are the white paper behind the code.
    luma[i] = Math.round((gray * alpha + 255 * (255 - alpha)) / 255);
  }
  return { width, height, luma };
}

/** The picture centred on a white `width`×`height` frame (even sizes, nearest-neighbour). */
export function grayToY4m(picture: Gray, width = 640, height = 480, frames = 2): Buffer {
  const scale = Math.min((width * 0.8) / picture.width, (height * 0.8) / picture.height);
  const w = Math.floor(picture.width * scale);
  const h = Math.floor(picture.height * scale);
  const left = Math.floor((width - w) / 2);
  const top = Math.floor((height - h) / 2);
  const y = new Uint8Array(width * height).fill(255);
  for (let row = 0; row < h; row++)
    for (let col = 0; col < w; col++)
      y[(top + row) * width + left + col] =
        picture.luma[Math.floor(row / scale) * picture.width + Math.floor(col / scale)]!;
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  return Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]);
}

/** Writes `file` (.y4m) showing `text` as a QR code, or Code 128 / DataMatrix. */
export async function writeBarcodeVideo(
  file: string,
  text: string,
  bcid: 'qrcode' | 'code128' | 'datamatrix' = 'qrcode',
): Promise<void> {
  const png = await bwipjs.toBuffer({ bcid, text, scale: 4, paddingwidth: 4, paddingheight: 4 });
  writeFileSync(file, grayToY4m(pngToGray(png)));
}
