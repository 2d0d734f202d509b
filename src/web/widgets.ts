// Small pieces shared by the pages.

import { h, type ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { OperatingStatus } from './api.js';

/**
 * A name on one line, whole in the page's text: cut with an ellipsis where it does not fit, and then
 * (only then) with a tooltip holding all of it.
 */
export function OneLine({ tag, text }: { tag: 'h3' | 'span'; text: string }) {
  const ref = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const fit = (): void => {
      if (el.scrollWidth > el.clientWidth) el.title = text;
      else el.removeAttribute('title');
    };
    fit();
    const resized = new ResizeObserver(fit);
    resized.observe(el);
    return () => resized.disconnect();
  }, [text]);
  return h(tag, { ref, class: 'one-line' }, text);
}

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
