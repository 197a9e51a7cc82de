// The bare machine's network: the NIC on the machine's own PCI bus, cabled
// straight to the wire (no switch, no monitor): the baseline every mode's
// figures are compared with.

import { pciBoardDevice } from '../devices/pci/bus.js';
import type { DeviceFactory } from '../machine/device.js';
import { relayTo } from '../net/observe.js';
import { Wire } from '../net/wire.js';
import type { FrameObserver } from '../net/types.js';
import { nicSlot, type Nic } from './nic.js';
import type { NetOptions } from './options.js';
import { WireDevice } from './wire-device.js';

export interface NativeNet {
  /** Board devices to add to the machine's (after the standard ones). */
  readonly devices: DeviceFactory[];
  /** The NIC and the wire, once the machine is built. */
  nic(): Nic;
  wire(): Wire;
  /** Where frame events go (trace records); may be set after the machine is built. */
  observer: FrameObserver | undefined;
}

export function nativeNet(options: NetOptions): NativeNet {
  let nic: Nic | undefined, wire: Wire | undefined;
  const net: NativeNet = {
    devices: [
      pciBoardDevice([nicSlot(options.nic, (n) => {
        nic = n;
        n.observer = relayTo(() => net.observer);
      })]),
      (ctx) => {
        wire = new Wire({
          ...(options.peer ?? { mode: 'echo' }), clock: () => ctx.clock(),
          ...(options.pcap ? { pcap: options.pcap } : {}), observer: relayTo(() => net.observer),
        });
        if (!nic) throw new Error('native network: the NIC must be built before the wire');
        wire.connect(nic);
        nic.connect(wire);
        return new WireDevice(wire);
      },
    ],
    nic: () => nic!,
    wire: () => wire!,
    observer: options.observer,
  };
  return net;
}
