// OpenFlow 1.0 and 1.3 from one description: every kind of message of the model with, side by side, the
// type code (OFPT_*) and codec each version gives it, and what each version's multipart (1.0: stats)
// messages are made of. Codecs of messages laid out alike in both versions are shared
// (common-messages.ts, multipart.ts); of10/ and of13/ hold only what differs on the wire.

import {
  barrierReply,
  barrierRequest,
  echoReply,
  echoRequest,
  errorMessage,
  experimenter,
  featuresRequest,
  getConfigReply,
  getConfigRequest,
  hello,
  portStatus,
  setConfig,
} from './common-messages.js';
import { MessageTable, type TableEntries } from './message-table.js';
import { OFP_VERSION_10, OFP_VERSION_13 } from './model.js';
import { multipartMessages, type MultipartWire } from './multipart.js';
import * as of10 from './of10/messages.js';
import { paddedPortNo10, phyPort } from './of10/port.js';
import * as of13 from './of13/messages.js';
import { paddedPortNo13, port13 } from './of13/port.js';

/** Rows of two columns, OpenFlow 1.0 then 1.3. */
type Versions<T> = { readonly [K in keyof T]: readonly [T[K], T[K]] };

function column<T>(rows: Versions<T>, i: 0 | 1): T {
  const out = {} as { [K in keyof T]: T[K] };
  for (const k of Object.keys(rows) as (keyof T)[]) out[k] = rows[k][i];
  return out;
}

// prettier-ignore
const MULTIPART: Versions<MultipartWire> = {
  //                    OpenFlow 1.0                  OpenFlow 1.3
  version:            [ OFP_VERSION_10,               OFP_VERSION_13 ],
  headerLength:       [ 12,                           16 ],
  word:               [ 'stats',                      'multipart' ],
  flowStatsRequest:   [ of10.flowStatsRequest,        of13.flowStatsRequest ],
  portStatsRequest:   [ paddedPortNo10,               paddedPortNo13 ],
  flowStats:          [ of10.flowStats,               of13.flowStats ],
  port:               [ phyPort,                      port13 ],
};
const multipart10 = multipartMessages(column(MULTIPART, 0));
const multipart13 = multipartMessages(column(MULTIPART, 1));

// prettier-ignore
const MESSAGES: Versions<TableEntries> = {
  //                    OpenFlow 1.0                                OpenFlow 1.3
  hello:              [ [0, hello],                                 [0, hello] ],
  error:              [ [1, errorMessage],                          [1, errorMessage] ],
  echoRequest:        [ [2, echoRequest],                           [2, echoRequest] ],
  echoReply:          [ [3, echoReply],                             [3, echoReply] ],
  experimenter:       [ [4, experimenter(OFP_VERSION_10)],          [4, experimenter(OFP_VERSION_13)] ],
  featuresRequest:    [ [5, featuresRequest],                       [5, featuresRequest] ],
  featuresReply:      [ [6, of10.featuresReply],                    [6, of13.featuresReply] ],
  getConfigRequest:   [ [7, getConfigRequest],                      [7, getConfigRequest] ],
  getConfigReply:     [ [8, getConfigReply],                        [8, getConfigReply] ],
  setConfig:          [ [9, setConfig],                             [9, setConfig] ],
  packetIn:           [ [10, of10.packetIn],                        [10, of13.packetIn] ],
  flowRemoved:        [ [11, of10.flowRemoved],                     [11, of13.flowRemoved] ],
  portStatus:         [ [12, portStatus(phyPort)],                  [12, portStatus(port13)] ],
  packetOut:          [ [13, of10.packetOut],                       [13, of13.packetOut] ],
  flowMod:            [ [14, of10.flowMod],                         [14, of13.flowMod] ],
  multipartRequest:   [ [16, multipart10.request],                  [18, multipart13.request] ],
  multipartReply:     [ [17, multipart10.reply],                    [19, multipart13.reply] ],
  barrierRequest:     [ [18, barrierRequest],                       [20, barrierRequest] ],
  barrierReply:       [ [19, barrierReply],                         [21, barrierReply] ],
  roleRequest:        [ 'role messages',                            [24, of13.roleRequest] ],
  roleReply:          [ 'role messages',                            [25, of13.roleReply] ],
};

export const OF10 = new MessageTable(OFP_VERSION_10, 'OpenFlow 1.0', column(MESSAGES, 0));
export const OF13 = new MessageTable(OFP_VERSION_13, 'OpenFlow 1.3', column(MESSAGES, 1));

const TABLES: (MessageTable | undefined)[] = [];
TABLES[OFP_VERSION_10] = OF10;
TABLES[OFP_VERSION_13] = OF13;

/** The table of wire version `version`; undefined for a version this codec does not speak. */
export function tableOf(version: number): MessageTable | undefined {
  return TABLES[version];
}
