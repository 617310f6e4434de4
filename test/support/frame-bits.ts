import type { Duplex } from "node:stream";

/**
 * Reads the WebSocket frames that pass over a raw socket, beside whoever
 * else reads it (a `ws` socket on the same connection), and keeps whether
 * each data frame came compressed (RSV1, permessage-deflate's bit).
 */
export class FrameBits {
  /** One entry per data frame, in order: whether it was compressed. */
  readonly compressed: boolean[] = [];
  private pending = Buffer.alloc(0);

  /**
   * @param httpFirst the socket's first bytes are the handshake's HTTP
   *   response (a client's socket, set up before it connects); else the
   *   first byte starts a frame (a server's socket, after the handshake).
   */
  constructor(socket: Duplex, private httpFirst = false) {
    socket.on("data", (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      if (this.httpFirst) {
        const end = this.pending.indexOf("\r\n\r\n");
        if (end === -1) {
          return;
        }
        this.httpFirst = false;
        this.pending = this.pending.subarray(end + 4);
      }
      this.readFrames();
    });
  }

  private readFrames(): void {
    for (;;) {
      const frame = this.pending;
      if (frame.length < 2) {
        return;
      }
      const lengthByte = frame[1]! & 0x7f;
      const lengthBytes = lengthByte === 126 ? 2 : lengthByte === 127 ? 8 : 0;
      const maskBytes = frame[1]! & 0x80 ? 4 : 0;
      const headerBytes = 2 + lengthBytes + maskBytes;
      if (frame.length < headerBytes) {
        return;
      }
      const length = lengthBytes === 2 ? frame.readUInt16BE(2) : lengthBytes === 8 ? Number(frame.readBigUInt64BE(2)) : lengthByte;
      if (frame.length < headerBytes + length) {
        return;
      }
      const opcode = frame[0]! & 0x0f;
      if (opcode === 1 || opcode === 2) {
        this.compressed.push((frame[0]! & 0x40) !== 0);
      }
      this.pending = frame.subarray(headerBytes + length);
    }
  }
}
