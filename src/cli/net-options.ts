// The network options of the commands that run a guest (run, trace, debug):
// `--nic emulated|virtio` gives the guest a NIC (natively on the machine's PCI
// bus, under a monitor a virtual one behind its switch), `--peer` the wire's
// link partner, `--mac` the NIC's address, `--pcap FILE` a capture of every
// frame crossing the wire.

import { InvalidArgumentError, Option, type Command } from 'commander';
import { NetError } from '../net/errors.js';
import { isMulticast, parseMac } from '../net/mac.js';
import { PcapFile } from '../net/pcap-file.js';
import { parseWireSpec } from '../net/wire-options.js';
import type { WireConfig } from '../net/wire-options.js';
import { DEFAULT_NIC_MAC, NIC_KINDS, type NicKind } from '../network/nic.js';
import type { NetOptions } from '../network/options.js';
import { UsageError } from './context.js';
import { openOutput } from './files.js';

export interface NetOptionValues {
  nic?: NicKind;
  peer?: WireConfig;
  mac?: string;
  pcap?: string;
}

function parsed<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (e) {
      if (e instanceof NetError) throw new InvalidArgumentError(e.message);
      throw e;
    }
  };
}

export function addNetOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--nic <kind>', 'give the guest a network card: emulated (e1000-like) or virtio (docs/nics.md)').choices(NIC_KINDS))
    .option('--peer <spec>', 'the link partner on the wire: echo, gen[,size=N,every=TICKS,count=N,dst=MAC,vlan=ID] or sink (default echo)',
      parsed(parseWireSpec))
    .option('--mac <mac>', `the NIC's MAC address, unicast (default ${DEFAULT_NIC_MAC})`, parsed((t) => {
      if (isMulticast(parseMac(t))) throw new NetError(`MAC ${t} is a multicast address (the first byte's bit 0 is set): a NIC's own address is unicast`);
      return t.toLowerCase();
    }))
    .option('--pcap <file>', 'write every frame crossing the wire to FILE in pcap format (tcpdump -r FILE)');
}

/** What a run needs for its network, and the capture to close when it ends. */
export interface NetSetup {
  net: NetOptions;
  /** Flush and close the capture; throws a one-line NetError if it could not be written. */
  close(): void;
}

export function netFromOptions(cwd: string, opts: NetOptionValues): NetSetup | undefined {
  if (!opts.nic) {
    const stray = (['peer', 'mac', 'pcap'] as const).find((k) => opts[k] !== undefined);
    if (stray) throw new UsageError(`--${stray} needs a network card: add --nic emulated or --nic virtio`);
    return undefined;
  }
  const pcap = opts.pcap === undefined ? undefined : new PcapFile(openOutput(cwd, opts.pcap), opts.pcap);
  return {
    net: {
      nic: { kind: opts.nic, ...(opts.mac ? { mac: opts.mac } : {}) },
      ...(opts.peer ? { peer: opts.peer } : {}),
      ...(pcap ? { pcap: pcap.writer } : {}),
    },
    close: () => pcap?.close(),
  };
}
