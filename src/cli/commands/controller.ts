// `vigil controller`: the OpenFlow controller. Switches connect to it (OpenFlow 1.0 or 1.3); it learns
// MAC addresses per switch and installs forwarding flows, discovers links between switches with LLDP,
// answers ARP for configured addresses, and polls flow and port statistics.

import type { Command } from 'commander';
import { ArpResponderApp } from '../../apps/arp-responder.js';
import { L2LearningApp } from '../../apps/l2-learning.js';
import { Controller } from '../../controller/controller.js';
import { SESSION_DEFAULTS } from '../../controller/switch-session.js';
import { parseIpv4 } from '../../net/ipv4-address.js';
import { parseMac } from '../../net/mac-address.js';
import { parseEndpoint } from '../../config/endpoint.js';
import { action, commandConfig, commandLogger, untilStopSignal, UsageError } from '../context.js';

interface ControllerFlags {
  listen?: string;
  arp?: string[];
  discovery?: boolean;
}

export function register(program: Command): void {
  program
    .command('controller')
    .description(
      'run the OpenFlow controller (1.0 and 1.3): L2 learning across switches, LLDP link discovery, ' +
        'an ARP responder, and flow/port statistics polling',
    )
    .option('--listen <host:port>', 'address the switches connect to (default 0.0.0.0:6653)')
    .option('--arp <ip=mac...>', 'answer ARP requests for IP with MAC, e.g. 10.0.0.100=02:00:0a:00:00:64')
    .option('--no-discovery', 'do not send LLDP probes (single switch, or links managed elsewhere)')
    .addHelpText(
      'after',
      '\nExamples:\n  vigil controller\n  vigil controller --listen 127.0.0.1:6653\n' +
        '  vigil controller --arp 10.0.0.100=02:00:0a:00:00:64\n\n' +
        'Point a switch at it: ovs-vsctl set-controller br0 tcp:CONTROLLER:6653',
    )
    .action(action((flags: ControllerFlags, cmd: Command) => runController(flags, cmd)));
}

export function parseArpBinding(text: string): [number, number] {
  const [ipText, macText, ...rest] = text.split('=');
  // Operator text: the address parsers are strict, so spaces around "=" are trimmed here.
  const ip = ipText === undefined ? undefined : parseIpv4(ipText.trim());
  const mac = macText === undefined ? undefined : parseMac(macText.trim());
  if (ip === undefined || mac === undefined || rest.length > 0) {
    throw new UsageError(
      `bad --arp ${JSON.stringify(text)}: expected IP=MAC, e.g. 10.0.0.100=02:00:0a:00:00:64`,
    );
  }
  return [ip, mac];
}

async function runController(flags: ControllerFlags, cmd: Command): Promise<void> {
  const loaded = commandConfig(cmd, { listen: 'controller.listen' });
  const cfg = loaded.config.controller;
  const { host, port } = parseEndpoint(cfg.listen);
  const bindings = (flags.arp ?? []).map(parseArpBinding);
  const log = commandLogger(loaded);

  const controller = new Controller(
    {
      host,
      port,
      discoveryIntervalMs: flags.discovery === false ? 0 : Math.round(cfg.discoveryIntervalSeconds * 1000),
      statsIntervalMs: Math.round(cfg.statsIntervalSeconds * 1000),
      session: {
        ...SESSION_DEFAULTS,
        echoIntervalMs: Math.round(cfg.echoIntervalSeconds * 1000),
        echoTimeoutMs: Math.round(cfg.echoTimeoutSeconds * 1000),
        maxMessageBytes: cfg.maxMessageBytes,
      },
    },
    log,
  );
  controller.use(new ArpResponderApp(bindings));
  controller.use(new L2LearningApp({ idleTimeoutSeconds: cfg.flowIdleTimeoutSeconds }));
  await controller.listen();

  log.info({ signal: await untilStopSignal() }, 'controller stopping');
  await controller.close();
}
