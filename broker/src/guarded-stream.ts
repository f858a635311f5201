import { Duplex } from 'node:stream';
import { MqttFrameMeter } from './limits';

/**
 * The connection as aedes sees it: bytes pass through an MqttFrameMeter first, and a chunk
 * holding the header of an oversized packet is never handed on; the connection is closed
 * instead. (A listener beside aedes would be too late: aedes parses a chunk as soon as it
 * reads it.)
 */
export class GuardedStream extends Duplex {
  constructor(
    private readonly inner: Duplex,
    maxPacketBytes: number,
    onRefused: (reason: string) => void,
  ) {
    super({ allowHalfOpen: false });
    const meter = new MqttFrameMeter(maxPacketBytes);
    inner.on('data', (chunk: Buffer) => {
      const problem = meter.feed(chunk);
      if (problem) {
        onRefused(problem);
        this.destroy();
      } else if (!this.push(chunk)) inner.pause();
    });
    inner.once('end', () => this.push(null));
    inner.once('error', (error) => this.destroy(error));
    inner.once('close', () => this.destroy());
  }

  override _read(): void {
    this.inner.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (e?: Error | null) => void) {
    this.inner.write(chunk, encoding, callback);
  }

  override _final(callback: (e?: Error | null) => void): void {
    this.inner.end(callback);
  }

  override _destroy(error: Error | null, callback: (e?: Error | null) => void): void {
    this.inner.destroy();
    callback(error);
  }
}
