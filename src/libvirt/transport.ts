// The byte streams libvirt's RPC runs over: the daemon's unix socket (read-only by default), plain TCP,
// and TLS. Over TLS the daemon checks the client's certificate after the handshake and then sends one
// byte, 1 when it accepts the client (virnetclient.c, "server verification ... failed" otherwise).

import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { LibvirtConnectionError, LibvirtProtocolError } from './errors.js';
import { DEFAULT_TCP_PORT, SOCKET_READ_ONLY, SOCKET_READ_WRITE, type LibvirtUri } from './uri.js';

export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Name to check the server certificate against (default: the URI's host). */
  servername?: string;
  rejectUnauthorized?: boolean;
}

export interface TransportOptions {
  readOnly: boolean;
  /** Overrides the socket path (unix); the URI's `socket=` parameter wins over the default too. */
  socketPath?: string;
  connectTimeoutMs: number;
  tls?: TlsOptions;
}

/** libvirt's default PKI layout, used when neither options nor `pkipath=` give the files. */
const PKI_DEFAULT = {
  ca: '/etc/pki/CA/cacert.pem',
  cert: '/etc/pki/libvirt/clientcert.pem',
  key: '/etc/pki/libvirt/private/clientkey.pem',
};

export function socketPathFor(
  uri: LibvirtUri,
  opts: Pick<TransportOptions, 'readOnly' | 'socketPath'>,
): string {
  return opts.socketPath ?? uri.socket ?? (opts.readOnly ? SOCKET_READ_ONLY : SOCKET_READ_WRITE);
}

function loadPki(uri: LibvirtUri, given: TlsOptions | undefined): tls.ConnectionOptions {
  const dir = uri.pkiPath;
  const file = (name: string, fallback: string): Buffer | undefined => {
    try {
      return readFileSync(dir ? join(dir, name) : fallback);
    } catch {
      return undefined;
    }
  };
  return {
    ca: given?.ca ?? file('cacert.pem', PKI_DEFAULT.ca),
    cert: given?.cert ?? file('clientcert.pem', PKI_DEFAULT.cert),
    key: given?.key ?? file('clientkey.pem', PKI_DEFAULT.key),
    servername: given?.servername ?? (net.isIP(uri.host ?? '') ? undefined : (uri.host ?? undefined)),
    rejectUnauthorized: given?.rejectUnauthorized ?? !uri.noVerify,
  };
}

/** Opens the stream for a URI; rejects with LibvirtConnectionError (or LibvirtProtocolError for TLS confirmation). */
export function openTransport(uri: LibvirtUri, opts: TransportOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    let settled = false;
    const where =
      uri.transport === 'unix' ? socketPathFor(uri, opts) : `${uri.transport}://${uri.host}:${uri.port}`;
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve(socket);
      }
    };
    const onError = (err: Error): void =>
      finish(
        new LibvirtConnectionError(`cannot connect to libvirt at ${where}: ${err.message}`, { cause: err }),
      );
    const onClose = (): void =>
      finish(new LibvirtConnectionError(`libvirt at ${where} closed the connection`));
    const timer = setTimeout(
      () =>
        finish(
          new LibvirtConnectionError(
            `connecting to libvirt at ${where} timed out after ${opts.connectTimeoutMs} ms`,
          ),
        ),
      opts.connectTimeoutMs,
    );

    if (uri.transport === 'unix') {
      socket = net.createConnection({ path: where }, () => finish(null));
    } else if (uri.transport === 'tcp') {
      socket = net.createConnection(
        { host: uri.host ?? undefined, port: uri.port ?? DEFAULT_TCP_PORT },
        () => {
          socket.setNoDelay(true);
          finish(null);
        },
      );
    } else {
      const tlsSocket = tls.connect({
        host: uri.host ?? undefined,
        port: uri.port ?? undefined,
        ...loadPki(uri, opts.tls),
      });
      socket = tlsSocket;
      tlsSocket.once('secureConnect', () => {
        tlsSocket.setNoDelay(true);
        const onData = (chunk: Buffer): void => {
          tlsSocket.pause();
          if (chunk[0] !== 1) {
            finish(
              new LibvirtProtocolError(
                'handshake',
                'server verification (of our certificate or IP address) failed',
              ),
            );
            return;
          }
          if (chunk.length > 1) tlsSocket.unshift(chunk.subarray(1));
          finish(null);
        };
        tlsSocket.once('data', onData);
      });
    }
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}
