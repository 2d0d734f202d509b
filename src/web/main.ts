// The Vigil dashboard: one page, hash-routed, fed by the REST API and the event stream.

import { h, render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { clock } from './format.js';
import { connected, lastEventAt, loadError, startLive } from './live.js';
import { Balancers } from './pages/balancers.js';
import { Overview } from './pages/overview.js';
import { Switches } from './pages/switches.js';
import { VmPage } from './pages/vm.js';
import { href, route } from './router.js';
import { Problem } from './widgets.js';
import './styles.css';

function Nav() {
  const r = route.value;
  const item = (label: string, to: string, on: boolean) =>
    h('a', { href: to, class: on ? 'on' : '', 'aria-current': on ? 'page' : undefined }, label);
  return h(
    'nav',
    { class: 'tabs' },
    item('Overview', href.overview, r.page === 'overview' || r.page === 'vm'),
    item('Load balancing', href.balancers, r.page === 'balancers'),
    item('Switches', href.switches, r.page === 'switches'),
  );
}

function LiveIndicator() {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, []);
  const at = lastEventAt.value;
  return h(
    'span',
    {
      class: `live ${connected.value ? 'up' : 'down'}`,
      'data-live': connected.value ? 'up' : 'down',
      title: connected.value ? 'receiving live updates' : 'reconnecting to the event stream',
    },
    h('span', { class: 'dot' }),
    connected.value ? (at ? `live · ${clock(at)}` : 'live') : 'reconnecting…',
  );
}

function Page() {
  const r = route.value;
  switch (r.page) {
    case 'vm':
      return h(VmPage, { uuid: r.uuid, key: r.uuid });
    case 'balancers':
      return h(Balancers, null);
    case 'switches':
      return h(Switches, null);
    default:
      return h(Overview, null);
  }
}

function App() {
  return h(
    'div',
    { class: 'app' },
    h(
      'header',
      { class: 'top' },
      h('a', { class: 'brand', href: href.overview }, 'Vigil'),
      h(Nav, null),
      h(LiveIndicator, null),
    ),
    h(
      'main',
      null,
      loadError.value ? h(Problem, { message: `Cannot reach the Vigil API: ${loadError.value}` }) : null,
      h(Page, null),
    ),
  );
}

startLive();
render(h(App, null), document.getElementById('app')!);
