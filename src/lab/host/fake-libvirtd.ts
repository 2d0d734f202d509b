// A scriptable stand-in for libvirtd on a unix socket (or TCP, or TLS): it speaks the real framing so
// tests can make it answer late, answer garbage, split replies or stall, and benchmarks can serve a
// recorded reply at no cost of their own.

import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import {
  KEEPALIVE_PROGRAM,
  MessageStatus,
  MessageType,
  Procedure,
  REMOTE_PROGRAM,
} from '../../libvirt/constants.js';
import { FrameDecoder } from '../../libvirt/frame-decoder.js';
import { decodeMessage, encodeMessage, type MessageHeader } from '../../libvirt/message.js';
import { writeRemoteError } from '../../libvirt/remote-error.js';
import type { XdrWriter } from '../../xdr/writer.js';

export interface Received {
  header: MessageHeader;
  body: Buffer;
}

export class FakeConnection {
  readonly received: Received[] = [];
  constructor(readonly socket: net.Socket) {}

  reply(to: MessageHeader, body?: (w: XdrWriter) => void): void {
    this.write({ ...to, type: MessageType.REPLY, status: MessageStatus.OK }, body);
  }

  replyError(to: MessageHeader, code: number, message: string): void {
    this.write({ ...to, type: MessageType.REPLY, status: MessageStatus.ERROR }, (w) =>
      writeRemoteError(w, { code, domain: 10, message, level: 2, str1: '%s', str2: message }),
    );
  }

  event(procedure: number, body: (w: XdrWriter) => void): void {
    this.write(
      { program: REMOTE_PROGRAM, version: 1, procedure, type: MessageType.MESSAGE, serial: 0, status: 0 },
      body,
    );
  }

  keepalive(procedure: number): void {
    this.write({
      program: KEEPALIVE_PROGRAM,
      version: 1,
      procedure,
      type: MessageType.MESSAGE,
      serial: 0,
      status: 0,
    });
  }

  write(header: MessageHeader, body?: (w: XdrWriter) => void): void {
    this.socket.write(encodeMessage(header, body));
  }

  raw(bytes: Buffer): void {
    this.socket.write(bytes);
  }
}

export type Handler = (msg: Received, conn: FakeConnection) => void;

/** Answers the handshake (AUTH_LIST none, keepalive supported, CONNECT_OPEN, CONNECT_CLOSE) and passes on the rest. */
export function withHandshake(next: Handler, opts: { auth?: number[]; keepalive?: boolean } = {}): Handler {
  return (msg, conn) => {
    const h = msg.header;
    if (h.program !== REMOTE_PROGRAM || h.type !== MessageType.CALL) return next(msg, conn);
    switch (h.procedure) {
      case Procedure.AUTH_LIST:
        return conn.reply(h, (w) => {
          const auth = opts.auth ?? [0];
          w.uint32(auth.length);
          for (const a of auth) w.int32(a);
        });
      case Procedure.CONNECT_SUPPORTS_FEATURE:
        return conn.reply(h, (w) => w.int32(opts.keepalive === false ? 0 : 1));
      case Procedure.CONNECT_OPEN:
      case Procedure.CONNECT_CLOSE:
        return conn.reply(h);
      default:
        return next(msg, conn);
    }
  };
}

export class FakeDaemon {
  private constructor(
    private readonly server: net.Server,
    readonly address: { path?: string; port?: number },
    private readonly dir: string | null,
    readonly connections: FakeConnection[],
  ) {}

  static async start(
    handler: Handler,
    opts: { transport?: 'unix' | 'tcp' | 'tls'; tls?: tls.TlsOptions; tlsConfirmation?: number | null } = {},
  ): Promise<FakeDaemon> {
    const transport = opts.transport ?? 'unix';
    const connections: FakeConnection[] = [];
    const onSocket = (socket: net.Socket): void => {
      const conn = new FakeConnection(socket);
      connections.push(conn);
      const frames = new FrameDecoder();
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        frames.push(chunk, (frame) => {
          const m = decodeMessage(frame);
          if (!m.ok) return;
          const msg = { header: m.value.header, body: Buffer.from(m.value.body) };
          conn.received.push(msg);
          handler(msg, conn);
        });
      });
    };
    let server: net.Server;
    if (transport === 'tls') {
      server = tls.createServer(opts.tls ?? {}, (socket) => {
        if (opts.tlsConfirmation !== null) socket.write(Buffer.from([opts.tlsConfirmation ?? 1]));
        onSocket(socket);
      });
    } else {
      server = net.createServer(onSocket);
    }
    let dir: string | null = null;
    let address: { path?: string; port?: number };
    if (transport === 'unix') {
      dir = mkdtempSync(join(tmpdir(), 'vmon-'));
      const path = join(dir, 'libvirt-sock');
      await new Promise<void>((resolve) => server.listen(path, resolve));
      address = { path };
    } else {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      address = { port: (server.address() as net.AddressInfo).port };
    }
    return new FakeDaemon(server, address, dir, connections);
  }

  get path(): string {
    return this.address.path ?? '';
  }

  /** Drops every client connection, as a daemon restart does. */
  dropClients(): void {
    for (const c of this.connections) c.socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropClients();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
