// Decoder limits: an sFlow datagram fits one UDP payload, so these only bound work on hostile input.

/** Largest UDP payload (IPv4 65535 - 20 - 8); also the collector's receive buffer per datagram. */
export const MAX_DATAGRAM_BYTES = 65_507;
/** Samples per datagram: each takes at least 8 bytes (tag + length). */
export const MAX_SAMPLES = 8_192;
/** Records per sample: each takes at least 8 bytes (tag + length). */
export const MAX_RECORDS = 8_192;
/** Sampled header bytes (header<>); agents send 128 by default. */
export const MAX_HEADER_BYTES = 65_535;
/** sflow_host.txt: hostname<64>, os_release<32>; port names are interface names. */
export const MAX_HOSTNAME = 64;
export const MAX_OS_RELEASE = 32;
export const MAX_PORT_NAME = 255;
export const MAX_ADAPTERS = 4_096;
export const MAX_ADAPTER_MACS = 256;
