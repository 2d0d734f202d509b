// libvirt connection URIs: driver[+transport]://[user@][host][:port]/path[?params].
// As libvirt's remote driver does, the name sent in CONNECT_OPEN is the URI without its transport part
// (no "+transport", no host, port or user) and without the parameters that only the client reads.

export type Transport = 'unix' | 'tcp' | 'tls';

export interface LibvirtUri {
  /** The URI as given. */
  uri: string;
  /** Hypervisor driver: qemu, test, lxc, ... */
  driver: string;
  transport: Transport;
  /** Remote host (tcp/tls), null for the local socket. */
  host: string | null;
  port: number | null;
  /** Path part, e.g. "/system", "/default", "/abs/path/domains.xml". */
  path: string;
  /** Query parameters. */
  params: Record<string, string>;
  /** The `socket=` parameter: a unix socket path to use instead of the default. */
  socket: string | null;
  /** The name sent in CONNECT_OPEN, e.g. "qemu:///system", "test:///default". */
  name: string;
  /** `no_verify=1`: do not verify the server's certificate (tls). */
  noVerify: boolean;
  /** `pkipath=`: folder holding cacert.pem, clientcert.pem and clientkey.pem (tls). */
  pkiPath: string | null;
}

export const DEFAULT_TCP_PORT = 16509;
export const DEFAULT_TLS_PORT = 16514;
export const SOCKET_READ_ONLY = '/var/run/libvirt/libvirt-sock-ro';
export const SOCKET_READ_WRITE = '/var/run/libvirt/libvirt-sock';

export class LibvirtUriError extends Error {
  constructor(
    readonly uri: string,
    reason: string,
  ) {
    super(`bad libvirt URI ${JSON.stringify(uri)}: ${reason}`);
    this.name = 'LibvirtUriError';
  }
}

// libvirt's remote driver consumes these itself and never forwards them to the daemon.
const CLIENT_PARAMS = new Set([
  'name',
  'command',
  'socket',
  'auth',
  'netcat',
  'keyfile',
  'sshauth',
  'no_verify',
  'no_tty',
  'pkipath',
  'known_hosts',
  'known_hosts_verify',
  'tls_priority',
  'mode',
  'proxy',
]);

const SCHEME_RE = /^([a-z][a-z0-9-]*)(?:\+([a-z0-9]+))?:\/\//i;

export function parseLibvirtUri(uri: string): LibvirtUri {
  const m = SCHEME_RE.exec(uri);
  if (!m) throw new LibvirtUriError(uri, 'expected driver[+transport]://...');
  const driver = (m[1] ?? '').toLowerCase();
  const given = m[2]?.toLowerCase();
  let url: URL;
  try {
    // Parse with a neutral scheme so that the WHATWG parser treats every driver alike.
    url = new URL(`vigil${uri.slice(m[0].length - 3)}`);
  } catch {
    throw new LibvirtUriError(uri, 'not a URI');
  }
  if (url.username || url.password) {
    // A user only matters to ssh, which is not supported; refuse rather than ignore.
    throw new LibvirtUriError(uri, 'a user name is only meaningful for ssh transports');
  }
  const host = url.hostname === '' ? null : url.hostname.replace(/^\[(.*)\]$/, '$1');
  let transport: Transport;
  // Without a transport: a host means TLS (libvirt's default); no host means the local daemon's socket,
  // since this client has no in-process drivers (libvirt itself would run `test:///` in-process).
  if (given === undefined) transport = host === null ? 'unix' : 'tls';
  else if (given === 'unix' || given === 'tcp' || given === 'tls') transport = given;
  else throw new LibvirtUriError(uri, `transport "${given}" is not supported (unix, tcp, tls)`);
  if (transport === 'unix' && host !== null) {
    throw new LibvirtUriError(uri, 'the unix transport takes no host');
  }
  if (transport !== 'unix' && host === null) {
    throw new LibvirtUriError(uri, `the ${transport} transport needs a host`);
  }
  let port: number | null = null;
  if (url.port !== '') port = Number(url.port);
  else if (transport === 'tcp') port = DEFAULT_TCP_PORT;
  else if (transport === 'tls') port = DEFAULT_TLS_PORT;

  const params: Record<string, string> = {};
  const forwarded = new URLSearchParams();
  for (const [k, v] of url.searchParams) {
    params[k] = v;
    if (!CLIENT_PARAMS.has(k)) forwarded.append(k, v);
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    throw new LibvirtUriError(uri, 'bad percent-encoding in the path');
  }
  const query = forwarded.toString();
  const name = params.name ?? `${driver}://${path}${query ? `?${query}` : ''}`;
  return {
    uri,
    driver,
    transport,
    host,
    port,
    path,
    params,
    socket: params.socket ?? null,
    name,
    noVerify: params.no_verify === '1',
    pkiPath: params.pkipath ?? null,
  };
}
