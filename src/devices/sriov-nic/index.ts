// The SR-IOV NIC (docs/nics.md "The SR-IOV NIC"): the PF (pf.ts) with its
// embedded switch (veb.ts), VFs (vf.ts) and mailboxes (mailbox.ts).

export * from './registers.js';
export * from './types.js';
export { SriovNic, sriovNicFunction, type SriovNicOptions, type SriovNicState, type VfHost } from './pf.js';
export { VirtualFunction } from './vf.js';
export { PfMailbox, Mailbox } from './mailbox.js';
export { Veb, type VebCounters, type PortCount } from './veb.js';
export { multicastHash, type VfAdmin } from './vf-admin.js';
export { VfConfigSpace, CAP_PCIE, PCIE, DEVCTL_FLR, DEVCAP_FLR } from './vf-config.js';
