// "HOST:PORT" or "[IPv6]:PORT", as every listener in the configuration is written.

export interface Endpoint {
  host: string;
  port: number;
}

export class EndpointError extends Error {
  constructor(readonly text: string) {
    super(
      `bad address ${JSON.stringify(text)}: expected HOST:PORT or [IPv6]:PORT with a port from 0 to 65535`,
    );
    this.name = 'EndpointError';
  }
}

export function parseEndpoint(text: string): Endpoint {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9_.-]+)):([0-9]{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65_535) throw new EndpointError(text);
  return { host: (m[1] ?? m[2])!, port };
}

/** The inverse of parseEndpoint. */
export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}
