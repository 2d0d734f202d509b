// Records real libvirtd replies as fixtures for the decoder tests:
//   npx tsx test/libvirt/support/record-fixtures.ts
// Speaks to the daemon over a raw socket (no client logic in the way) and stores each reply frame,
// length word included, as test/libvirt/fixtures/<name>.bin, next to what virsh said at the same time.

import { execFileSync } from 'node:child_process';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONNECT_RO,
  DOMAIN_EVENT_ID_LIFECYCLE,
  DomainStatsFlag,
  FEATURE_PROGRAM_KEEPALIVE,
  MessageStatus,
  MessageType,
  Procedure,
  REMOTE_PROGRAM,
} from '../../../src/libvirt/constants.js';
import { FrameDecoder } from '../../../src/libvirt/frame-decoder.js';
import { decodeMessage, encodeMessage } from '../../../src/libvirt/message.js';
import * as proc from '../../../src/libvirt/procedures.js';
import type { XdrWriter } from '../../../src/xdr/writer.js';
import { SOCKET_READ_ONLY } from '../../../src/libvirt/uri.js';
import { writeManyDomainsFile } from '../../../src/lab/host/test-driver-domains.js';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'fixtures');
mkdirSync(out, { recursive: true });

class Recorder {
  private serial = 1;
  private frames: Buffer[] = [];
  private waiters: (() => void)[] = [];
  private readonly decoder = new FrameDecoder();
  constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk, (m) => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(m.length + 4);
        this.frames.push(Buffer.concat([len, m]));
        this.waiters.shift()?.();
      });
    });
  }
  static open(path: string): Promise<Recorder> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection({ path }, () => resolve(new Recorder(s)));
      s.once('error', reject);
    });
  }
  async next(): Promise<Buffer> {
    while (this.frames.length === 0) await new Promise<void>((r) => this.waiters.push(r));
    return this.frames.shift()!;
  }
  async call(procedure: number, args?: (w: XdrWriter) => void): Promise<Buffer> {
    const serial = this.serial++;
    this.socket.write(
      encodeMessage(
        {
          program: REMOTE_PROGRAM,
          version: 1,
          procedure,
          type: MessageType.CALL,
          serial,
          status: MessageStatus.OK,
        },
        args,
      ),
    );
    for (;;) {
      const f = await this.next();
      const m = decodeMessage(f.subarray(4));
      if (m.ok && m.value.header.type === MessageType.REPLY && m.value.header.serial === serial) return f;
    }
  }
  async open(name: string): Promise<void> {
    await this.call(Procedure.AUTH_LIST);
    await this.call(Procedure.CONNECT_SUPPORTS_FEATURE, (w) =>
      proc.writeSupportsFeatureArgs(w, FEATURE_PROGRAM_KEEPALIVE),
    );
    await this.call(Procedure.CONNECT_OPEN, (w) => proc.writeOpenArgs(w, name, CONNECT_RO));
  }
  close(): void {
    this.socket.destroy();
  }
}

function save(name: string, data: Buffer | string): void {
  writeFileSync(join(out, name), data);
  console.log(`${name}: ${data.length} bytes`);
}

const RO = SOCKET_READ_ONLY;

// Test driver, default instance.
{
  const r = await Recorder.open(RO);
  save('auth-list.bin', await r.call(Procedure.AUTH_LIST));
  save(
    'supports-keepalive.bin',
    await r.call(Procedure.CONNECT_SUPPORTS_FEATURE, (w) =>
      proc.writeSupportsFeatureArgs(w, FEATURE_PROGRAM_KEEPALIVE),
    ),
  );
  save(
    'open.bin',
    await r.call(Procedure.CONNECT_OPEN, (w) => proc.writeOpenArgs(w, 'test:///default', CONNECT_RO)),
  );
  save('lib-version.bin', await r.call(Procedure.CONNECT_GET_LIB_VERSION));
  save('lib-version.virsh.txt', execFileSync('virsh', ['-c', 'test+unix:///default', 'version']));
  save('hostname.bin', await r.call(Procedure.CONNECT_GET_HOSTNAME));
  save('hostname.virsh.txt', execFileSync('virsh', ['-c', 'test+unix:///default', 'hostname']));
  save('node-info.bin', await r.call(Procedure.NODE_GET_INFO));
  save('node-info.virsh.txt', execFileSync('virsh', ['-c', 'test+unix:///default', 'nodeinfo']));
  const test = { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 };
  save(
    'xml-desc.bin',
    await r.call(Procedure.DOMAIN_GET_XML_DESC, (w) => proc.writeGetXmlDescArgs(w, test, 0)),
  );
  save('xml-desc.virsh.txt', execFileSync('virsh', ['-c', 'test+unix:///default', 'dumpxml', 'test']));
  save(
    'error-no-domain.bin',
    await r.call(Procedure.DOMAIN_GET_XML_DESC, (w) =>
      proc.writeGetXmlDescArgs(
        w,
        { name: 'vmon-absent', uuid: '7a6d6f6e-dead-4000-8000-000000000000', id: -1 },
        0,
      ),
    ),
  );
  save(
    'register-lifecycle.bin',
    await r.call(Procedure.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, (w) =>
      proc.writeCallbackRegisterAnyArgs(w, DOMAIN_EVENT_ID_LIFECYCLE, null),
    ),
  );
  // Lifecycle events of a transient domain started and destroyed through a read-write connection.
  const xml =
    "<domain type='test'><name>vmon-fixture</name><uuid>7a6d6f6e-f1c5-4000-8000-000000000001</uuid><memory>65536</memory><os><type>hvm</type></os></domain>";
  const xmlFile = join(tmpdir(), 'vmon-fixture.xml');
  writeFileSync(xmlFile, xml);
  execFileSync('virsh', ['-c', 'test+unix:///default', 'create', xmlFile]);
  save('event-lifecycle-started.bin', await r.next());
  execFileSync('virsh', ['-c', 'test+unix:///default', 'destroy', 'vmon-fixture']);
  save('event-lifecycle-stopped.bin', await r.next());
  unlinkSync(xmlFile);
  r.close();
}

// Test driver, a file of many domains.
{
  const file = join(tmpdir(), 'vmon-fixture-domains.xml');
  await writeManyDomainsFile(file, 40);
  const r = await Recorder.open(RO);
  await r.open(`test://${file}`);
  save(
    'list-all-domains-40.bin',
    await r.call(Procedure.CONNECT_LIST_ALL_DOMAINS, (w) => proc.writeListAllDomainsArgs(w, 0)),
  );
  save(
    'all-domain-stats-40.bin',
    await r.call(Procedure.CONNECT_GET_ALL_DOMAIN_STATS, (w) =>
      proc.writeGetAllDomainStatsArgs(w, [], 0, DomainStatsFlag.NOWAIT),
    ),
  );
  r.close();
  unlinkSync(file);
}

// Real QEMU domains, when there are any: every stats group, with virsh's view of the same moment.
{
  const r = await Recorder.open(RO);
  await r.open('qemu:///system');
  const reply = await r.call(Procedure.CONNECT_GET_ALL_DOMAIN_STATS, (w) =>
    proc.writeGetAllDomainStatsArgs(w, [], 0, DomainStatsFlag.NOWAIT),
  );
  const virsh = execFileSync('virsh', ['-c', 'qemu:///system', 'domstats', '--raw', '--nowait']);
  const m = decodeMessage(reply.subarray(4));
  const records = m.ok ? proc.decodeGetAllDomainStats(m.value.body) : null;
  if (records?.ok && records.value.length > 0) {
    save('all-domain-stats-qemu.bin', reply);
    save('all-domain-stats-qemu.virsh.txt', virsh);
  } else {
    console.log('no running QEMU domain: all-domain-stats-qemu.* kept as they were');
  }
  r.close();
}
