// Hash routes (#/vm/<uuid>), so the server serves one page and links survive reloads.

import { signal } from '@preact/signals';

export type Route =
  { page: 'overview' } | { page: 'vm'; uuid: string } | { page: 'balancers' } | { page: 'switches' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'vm' && parts[1]) return { page: 'vm', uuid: parts[1] };
  if (parts[0] === 'balancers') return { page: 'balancers' };
  if (parts[0] === 'switches') return { page: 'switches' };
  return { page: 'overview' };
}

export const route = signal<Route>(parseRoute(location.hash));
window.addEventListener('hashchange', () => {
  route.value = parseRoute(location.hash);
});

export const href = {
  overview: '#/',
  vm: (uuid: string) => `#/vm/${encodeURIComponent(uuid)}`,
  balancers: '#/balancers',
  switches: '#/switches',
};
