/**
 * Reading codes from the camera: the browser's BarcodeDetector where it has one (Chrome on
 * Android, macOS, ChromeOS), else ZXing in plain JavaScript (`@zxing/library`, loaded only
 * when the camera opens, so it needs no network and no wasm). QR, Code 128 and DataMatrix:
 * what travellers, cards and badges carry (docs/dashboard.md "Station").
 */

/** Why the camera cannot be offered, before anyone asks for it. */
export type CameraBlock = 'insecure' | 'policy' | 'no-camera' | undefined;

/** Browsers give `getUserMedia` only to secure pages (https, or http on localhost). */
export function cameraBlock(env: {
  isSecureContext: boolean;
  hasMediaDevices: boolean;
  /** The server's Permissions-Policy allows the camera (true where the browser cannot tell). */
  policyAllows?: boolean;
}): CameraBlock {
  if (!env.isSecureContext) return 'insecure';
  if (env.policyAllows === false) return 'policy';
  if (!env.hasMediaDevices) return 'no-camera';
  return undefined;
}

/** Whether the page's Permissions-Policy lets it open the camera (Chromium tells; others: true). */
export function policyAllowsCamera(doc: Document): boolean {
  const policy = (doc as { featurePolicy?: { allowsFeature(name: string): boolean } })
    .featurePolicy;
  return policy ? policy.allowsFeature('camera') : true;
}

/** One frame in, the code it shows (or undefined). */
export type FrameDecoder = (frame: ImageData) => Promise<string | undefined>;

/** 8-bit luminance of RGBA pixels (ITU-R BT.601 weights, integer). Pure. */
export function luminance(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height);
  for (let i = 0, p = 0; i < out.length; i++, p += 4)
    out[i] = (rgba[p]! * 299 + rgba[p + 1]! * 587 + rgba[p + 2]! * 114) / 1000;
  return out;
}

interface NativeDetector {
  detect(source: ImageData): Promise<{ rawValue: string }[]>;
}
interface NativeDetectorClass {
  new (options: { formats: string[] }): NativeDetector;
  getSupportedFormats(): Promise<string[]>;
}

const NATIVE_FORMATS = ['qr_code', 'code_128', 'data_matrix'];

async function nativeDecoder(): Promise<FrameDecoder | undefined> {
  const Detector = (globalThis as { BarcodeDetector?: NativeDetectorClass }).BarcodeDetector;
  if (!Detector) return undefined;
  const supported = await Detector.getSupportedFormats().catch(() => [] as string[]);
  const formats = NATIVE_FORMATS.filter((f) => supported.includes(f));
  if (formats.length < NATIVE_FORMATS.length) return undefined;
  const detector = new Detector({ formats });
  return async (frame) => (await detector.detect(frame))[0]?.rawValue;
}

async function zxingDecoder(): Promise<FrameDecoder> {
  const zx = await import('@zxing/library');
  const hints = new Map<unknown, unknown>([
    [
      zx.DecodeHintType.POSSIBLE_FORMATS,
      [zx.BarcodeFormat.QR_CODE, zx.BarcodeFormat.CODE_128, zx.BarcodeFormat.DATA_MATRIX],
    ],
    [zx.DecodeHintType.TRY_HARDER, true],
  ]);
  const reader = new zx.MultiFormatReader();
  reader.setHints(hints as Map<never, never>);
  return (frame) => {
    const source = new zx.RGBLuminanceSource(
      luminance(frame.data, frame.width, frame.height),
      frame.width,
      frame.height,
    );
    try {
      return Promise.resolve(
        reader.decode(new zx.BinaryBitmap(new zx.HybridBinarizer(source))).getText(),
      );
    } catch {
      return Promise.resolve(undefined); // no code in this frame (NotFoundException)
    }
  };
}

/** Which decoder this browser uses, and its name for the page (tests read it). */
export async function makeDecoder(): Promise<{ kind: 'native' | 'zxing'; decode: FrameDecoder }> {
  const native = await nativeDecoder();
  if (native) return { kind: 'native', decode: native };
  return { kind: 'zxing', decode: await zxingDecoder() };
}
