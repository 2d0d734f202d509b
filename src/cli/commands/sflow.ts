// `vigil sflow decode CAPTURE`: every UDP datagram of a pcap or pcapng file decoded as sFlow v5, one JSON
// object per datagram (agent, sequence, samples with their records and decoded packet headers).

import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { decodeCapture, toJson } from '../../sflow/capture-decode.js';
import { action, EXIT_FAILURE, UsageError } from '../context.js';

interface DecodeFlags {
  port?: string;
  pretty?: boolean;
}

/** Capture files are read whole; beyond this, split the capture first (editcap -c). */
const MAX_CAPTURE_BYTES = 2 * 1024 * 1024 * 1024 - 1;

export function register(program: Command): void {
  const sflow = program.command('sflow').description('sFlow v5 tools');
  sflow
    .command('decode')
    .argument('<capture>', 'pcap or pcapng file of UDP datagrams (tcpdump -w, tshark -w, dumpcap)')
    .description(
      'decode the sFlow datagrams in a capture: one JSON object per datagram on standard output ' +
        '(a datagram that is not valid sFlow becomes an object with an "error"); a summary on standard error',
    )
    .option('--port <port>', 'only datagrams to this UDP port (default: every UDP datagram)')
    .option('--pretty', 'indent the JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  tcpdump -i any -w sflow.pcap udp port 6343\n  vigil sflow decode sflow.pcap | jq .datagram.agent\n' +
        '  vigil sflow decode capture.pcapng --port 6343 --pretty',
    )
    .action(action((file: string, flags: DecodeFlags) => decode(file, flags)));
}

function decode(file: string, flags: DecodeFlags): void {
  let port: number | undefined;
  if (flags.port !== undefined) {
    port = Number(flags.port);
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      throw new UsageError(`--port: not a UDP port: ${flags.port}`);
  }
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (size > MAX_CAPTURE_BYTES)
    throw new UsageError(`${file} is larger than 2 GiB: split it first (editcap -c)`);
  const indent = flags.pretty ? 2 : undefined;
  const summary = decodeCapture(readFileSync(file), port === undefined ? {} : { port }, (d) => {
    process.stdout.write(`${toJson(d, indent)}\n`);
  });
  process.stderr.write(
    `${file}: ${summary.format}, ${summary.packets} packets, ${summary.datagrams} UDP datagrams` +
      `${port === undefined ? '' : ` to port ${port}`}, ${summary.datagrams - summary.rejected} sFlow, ${summary.rejected} rejected\n`,
  );
  if (summary.error) {
    process.stderr.write(`vigil: ${file}: ${summary.error}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
