// The network plumbing of src/net, for the monitor, the host and the CLI to wire in.

export * from './types.js';
export { NetError } from './errors.js';
export * from './mac.js';
export * from './frame.js';
export * from './pcap.js';
export { PcapFile } from './pcap-file.js';
export * from './wire-options.js';
export * from './wire.js';
export * from './switch.js';
export { observing, relayTo } from './observe.js';
