/**
 * A deliberately thin WebSocket client for the load generator: it does the
 * handshake, sends prebuilt frames, and only counts the frames it receives
 * (it never looks inside them; it answers pings). The generator shares two cores with Node-RED;
 * with `ws` clients it became the bottleneck before the servers did, and the
 * ratios it measured said more about it than about them.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

/**
 * A client frame: FIN, the opcode, masked with an all-zero key (RFC 6455
 * requires a key, not a random-looking one; with zeros the payload goes as is).
 */
function clientFrame(opcode: number, data: Buffer): Buffer {
  if (data.length > 65535) {
    throw new Error("bench frames are small");
  }
  const header =
    data.length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | data.length, 0, 0, 0, 0])
      : Buffer.from([0x80 | opcode, 0x80 | 126, data.length >> 8, data.length & 0xff, 0, 0, 0, 0]);
  return Buffer.concat([header, data]);
}

/** A client text frame (see clientFrame). */
export function textFrame(payload: string): Buffer {
  return clientFrame(OPCODE_TEXT, Buffer.from(payload));
}

export class RawClient {
  /** Called with how many whole frames each chunk of data completed. */
  onFrames: (count: number) => void = () => {};
  /** Bytes still to skip of the frame being received. */
  private remaining = 0;
  /** Whether the frame being received is one to count. */
  private counting = false;
  /** The payload of a ping being received, to send back in the pong; undefined for other frames. */
  private ping: Buffer[] | undefined;
  /** A frame header split across chunks. */
  private partial: Buffer | undefined;

  private constructor(readonly socket: Socket) {}

  /**
   * Connects, from `localAddress` when given, and completes the handshake
   * with `headers` added to the request; rejects on anything but 101.
   */
  static open(url: string, localAddress?: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const target = new URL(url);
    const extra = Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    return new Promise((resolve, reject) => {
      const socket = connect({ port: Number(target.port), host: target.hostname, ...(localAddress ? { localAddress } : {}) });
      socket.setNoDelay(true);
      let response = Buffer.alloc(0);
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.write(
          `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\n` +
            `Sec-WebSocket-Version: 13\r\n${extra}\r\n`,
        );
      });
      const onHandshake = (chunk: Buffer): void => {
        response = Buffer.concat([response, chunk]);
        const end = response.indexOf("\r\n\r\n");
        if (end === -1) {
          return;
        }
        socket.off("data", onHandshake);
        socket.off("error", reject);
        if (!response.subarray(0, end).toString("latin1").startsWith("HTTP/1.1 101")) {
          socket.destroy();
          reject(new Error(`handshake refused: ${response.subarray(0, end).toString("latin1").split("\r\n")[0]}`));
          return;
        }
        const client = new RawClient(socket);
        socket.on("data", (data: Buffer) => client.receive(data));
        socket.on("error", () => socket.destroy());
        resolve(client);
        const rest = response.subarray(end + 4);
        if (rest.length > 0) {
          client.receive(rest);
        }
      };
      socket.on("data", onHandshake);
    });
  }

  send(frames: Buffer): void {
    this.socket.write(frames);
  }

  /**
   * Closes as a browser does: a close frame (1000), then the server ends the
   * TCP connection, first, as RFC 6455 has it, so that the TIME_WAIT falls on
   * its side. A client port left in TIME_WAIT slowed every later handshake
   * from its source address several times over. A server that does not
   * answer within 10 s is cut off.
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) {
        resolve();
        return;
      }
      const timer = setTimeout(() => this.socket.destroy(), 10000);
      this.socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.write(clientFrame(OPCODE_CLOSE, Buffer.from([0x03, 0xe8])));
    });
  }

  /**
   * Counts whole frames in a chunk: headers are read, payloads skipped. A
   * ping is answered with a pong, as a browser does: a server heartbeat
   * ends sessions that do not answer.
   */
  private receive(chunk: Buffer): void {
    const data = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = undefined;
    let offset = 0;
    let frames = 0;
    while (offset < data.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, data.length - offset);
        this.ping?.push(data.subarray(offset, offset + skip));
        this.remaining -= skip;
        offset += skip;
        if (this.remaining === 0) {
          frames += this.frameDone();
        }
        continue;
      }
      // A new frame: server frames are unmasked, so the header is 2, 4 or 10 bytes.
      if (data.length - offset < 2) {
        break;
      }
      const short = data[offset + 1]! & 0x7f;
      const headerLength = short === 126 ? 4 : short === 127 ? 10 : 2;
      if (data.length - offset < headerLength) {
        break;
      }
      const length =
        short === 126 ? data.readUInt16BE(offset + 2) : short === 127 ? Number(data.readBigUInt64BE(offset + 2)) : short;
      // Only text and binary frames are deliveries; a close or a ping is not.
      const opcode = data[offset]! & 0x0f;
      this.counting = opcode === OPCODE_TEXT || opcode === OPCODE_BINARY;
      this.ping = opcode === OPCODE_PING ? [] : undefined;
      offset += headerLength;
      if (length === 0) {
        frames += this.frameDone();
      } else {
        this.remaining = length;
      }
    }
    if (offset < data.length) {
      this.partial = Buffer.from(data.subarray(offset));
    }
    if (frames > 0) {
      this.onFrames(frames);
    }
  }

  /** The frame just received is whole: answers it if it was a ping; returns 1 if it counts as a delivery. */
  private frameDone(): number {
    if (this.ping) {
      this.socket.write(clientFrame(OPCODE_PONG, Buffer.concat(this.ping)));
      this.ping = undefined;
    }
    return this.counting ? 1 : 0;
  }
}
