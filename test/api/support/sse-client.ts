// A minimal server-sent events reader over node:http for tests: parses "event:", "data:", "id:" fields.

import { request, type IncomingMessage } from 'node:http';

export interface SseEvent {
  id?: string;
  event: string;
  data: unknown;
}

export interface SseClient {
  status: number;
  headers: IncomingMessage['headers'];
  events: SseEvent[];
  /** Resolves when `n` events have arrived (rejects after timeoutMs). */
  waitFor(n: number, timeoutMs?: number): Promise<SseEvent[]>;
  close(): void;
  /** Stops reading: the server's writes pile up in its socket buffers. */
  pause(): void;
  closed: Promise<void>;
}

export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const waiters: Array<() => void> = [];
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const ev: Partial<SseEvent> & { dataLines: string[] } = { dataLines: [] };
          for (const line of block.split('\n')) {
            if (line.startsWith(':') || line === '') continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') ev.event = value;
            else if (field === 'data') ev.dataLines.push(value);
            else if (field === 'id') ev.id = value;
          }
          if (ev.dataLines.length === 0) continue;
          events.push({
            ...(ev.id !== undefined ? { id: ev.id } : {}),
            event: ev.event ?? 'message',
            data: JSON.parse(ev.dataLines.join('\n')),
          });
          for (const w of waiters.splice(0)) w();
        }
      });
      const closed = new Promise<void>((r) => res.on('close', () => r()));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        closed,
        close: () => req.destroy(),
        pause: () => res.pause(),
        waitFor(n, timeoutMs = 5000) {
          return new Promise((ok, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`only ${events.length} of ${n} events in ${timeoutMs} ms`)),
              timeoutMs,
            );
            const check = () => {
              if (events.length >= n) {
                clearTimeout(timer);
                ok(events.slice(0, n));
              } else waiters.push(check);
            };
            check();
          });
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}
