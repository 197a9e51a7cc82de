// How a run is networked: the NIC of each VM and the link partner on the wire.

import type { PcapWriter } from '../net/pcap.js';
import type { FrameObserver } from '../net/types.js';
import type { WireConfig } from '../net/wire-options.js';
import type { NicSpec } from './nic.js';

export interface NetOptions {
  /** The VM's NIC (on a host, each VM's own: HostVmConfig.nic). */
  nic: NicSpec;
  /** The link partner (default echo). */
  peer?: WireConfig;
  /** Every frame crossing the wire, stamped with the machine clock. */
  pcap?: PcapWriter;
  /** Frame events of every device, port and the wire (trace records). */
  observer?: FrameObserver;
}
