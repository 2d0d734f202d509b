// The address range of the lab's and the tests' hosts and VMs: 10.213.0.0/16, assigned only inside
// network namespaces and VMs, with traffic only among them. The host itself has no route there: a
// blackhole route for the whole range, so that a packet the host sends to one of those addresses is
// dropped instead of leaving by the default route.

import { parseIpv4 } from '../../net/ipv4-address.js';
import { runIn } from './netns.js';
import { requireProgram, run } from './services.js';

export const LAB_RANGE = '10.213.0.0/16';
const LAB_NETWORK = 0x0ad50000;
const LAB_MASK = 0xffff0000;
/** An address in the range that no lab or test host uses: the kernel's routing decision for it is checked. */
const PROBE_ADDRESS = '10.213.255.254';

/** True when `address` (dotted quad, without prefix length) is in 10.213.0.0/16. */
export function inLabRange(address: string): boolean {
  const a = parseIpv4(address);
  return a !== undefined && (a & LAB_MASK) >>> 0 === LAB_NETWORK;
}

interface RouteLine {
  type?: string;
  dst?: string;
  dev?: string;
  table?: string;
}

/**
 * Installs the blackhole route for the range (`ip route replace`, so it is idempotent) in the host's
 * network namespace, or in `ns`, and checks that nothing there routes into the range: no other route
 * inside it in any table (an address of the range on an interface makes one), and the kernel refuses to
 * route to an address in it. Throws, naming what it found, if not.
 */
export async function ensureLabRoute(ns?: string): Promise<void> {
  await requireProgram('ip', 'iproute2');
  const ip = (...args: string[]) => (ns === undefined ? run('ip', args) : runIn(ns, ['ip', ...args]));
  await ip('route', 'replace', 'blackhole', LAB_RANGE);
  let routes: RouteLine[];
  try {
    routes = JSON.parse(
      (await ip('-j', 'route', 'show', 'table', 'all', 'root', LAB_RANGE)).stdout,
    ) as RouteLine[];
    if (!Array.isArray(routes)) throw new Error('not a list of routes');
  } catch (err) {
    throw new Error(`cannot read the routes into ${LAB_RANGE} of ${where(ns)}: ${(err as Error).message}`);
  }
  const others = routes.filter(
    (r) => !(r.type === 'blackhole' && r.dst === LAB_RANGE && (r.table ?? 'main') === 'main'),
  );
  if (others.length > 0 || routes.length === 0) {
    const found = others.map(
      (r) =>
        `${r.type ?? 'unicast'} ${r.dst ?? '?'}${r.dev ? ` dev ${r.dev}` : ''}${r.table ? ` table ${r.table}` : ''}`,
    );
    throw new Error(
      `${where(ns)} routes into ${LAB_RANGE} (${found.join(', ') || 'no blackhole route'}): lab and test ` +
        'traffic could leave through it; remove those routes or addresses',
    );
  }
  const routed = await ip('route', 'get', PROBE_ADDRESS).then(
    (r) => r.stdout.trim(),
    () => undefined,
  );
  if (routed !== undefined) {
    throw new Error(
      `${where(ns)} still routes ${PROBE_ADDRESS} (${routed}) with the blackhole route for ${LAB_RANGE} ` +
        'in place: a routing rule or another table sends it elsewhere',
    );
  }
}

function where(ns: string | undefined): string {
  return ns === undefined ? 'the host' : `network namespace ${ns}`;
}
