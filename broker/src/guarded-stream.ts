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
    // Done as soon as the socket has taken it (or, when its buffer is full, once it drains):
    // waiting for the socket's own callback would send one packet per event-loop turn.
    if (this.inner.write(chunk, encoding)) callback();
    else this.inner.once('drain', () => callback());
  }

  /** mqtt-packet corks the stream around each packet's pieces: keep them in one write. */
  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (e?: Error | null) => void,
  ): void {
    this.inner.cork();
    let ok = true;
    for (const { chunk, encoding } of chunks) ok = this.inner.write(chunk, encoding);
    this.inner.uncork();
    if (ok) callback();
    else this.inner.once('drain', () => callback());
  }

  override _final(callback: (e?: Error | null) => void): void {
    this.inner.end(callback);
  }

  override _destroy(error: Error | null, callback: (e?: Error | null) => void): void {
    this.inner.destroy();
    callback(error);
  }
}
