// How numbers read on the dashboard.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function bytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '–';
  let i = 0;
  let v = Math.abs(n);
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = v >= 100 || (i === 0 && Number.isInteger(v)) ? 0 : 1;
  return `${n < 0 ? '-' : ''}${v.toFixed(digits)} ${UNITS[i]}`;
}

export const rate = (n: number | undefined | null): string =>
  n === undefined || n === null ? '–' : `${bytes(n)}/s`;

export function percent(n: number | undefined | null): string {
  return n === undefined || n === null || !Number.isFinite(n) ? '–' : `${n.toFixed(n < 10 ? 1 : 0)} %`;
}

export function count(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '–';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

export function ago(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export const clock = (ms: number): string => new Date(ms).toLocaleTimeString([], { hour12: false });

/** The host part of a libvirt URI: qemu+tcp://compute-1/system -> compute-1. */
export function hostLabel(uri: string): string {
  const m = /^[a-z+]+:\/\/([^/]*)\//.exec(uri);
  return m && m[1] ? m[1] : uri === '' ? 'local' : uri.replace(/^[a-z+]+:\/\/\//, 'local ');
}
