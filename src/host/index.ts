export { Host, HostError, DEFAULT_SLICE, type HostOptions, type HostVmConfig, type HostRunResult, type HostCounters } from './host.js';
export { HostVm, type HostMode, type VmHostCounters } from './host-vm.js';
export { allocateLayouts } from './layout.js';
