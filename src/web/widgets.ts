// Small pieces shared by the pages.

import { h, type ComponentChildren } from 'preact';
import type { OperatingStatus } from './api.js';

export function Bar({ value, max }: { value: number; max: number }) {
  const pct = Math.max(0, Math.min(100, (value / max) * 100));
  const tone = pct >= 90 ? 'bad' : pct >= 70 ? 'warn' : 'ok';
  return h(
    'span',
    {
      class: `bar ${tone}`,
      role: 'meter',
      'aria-valuenow': Math.round(pct),
      'aria-valuemin': 0,
      'aria-valuemax': 100,
    },
    h('span', { style: { width: `${pct}%` } }),
  );
}

export function Badge({
  tone,
  title,
  children,
}: {
  tone: 'ok' | 'warn' | 'bad' | 'muted' | 'info';
  title?: string;
  children?: ComponentChildren;
}) {
  return h('span', { class: `badge ${tone}`, title }, children);
}

const STATUS_TONE: Record<OperatingStatus, 'ok' | 'warn' | 'bad' | 'muted' | 'info'> = {
  ONLINE: 'ok',
  DEGRADED: 'warn',
  DRAINING: 'warn',
  ERROR: 'bad',
  OFFLINE: 'muted',
  NO_MONITOR: 'info',
};

export function Status({ status }: { status: OperatingStatus }) {
  return h(Badge, { tone: STATUS_TONE[status] ?? 'muted' }, status);
}

export function Empty({ children }: { children?: ComponentChildren }) {
  return h('div', { class: 'empty' }, children);
}

export function Problem({ message }: { message: string }) {
  return h('div', { class: 'problem', role: 'alert' }, message);
}
