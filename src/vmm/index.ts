// The virtual machine monitor: createVm() runs an image native or under a
// monitor mode; the rest is for tools that look inside (trace, debug, stats).
export { createVm, type Vm, type VmOptions, type VmCounters, type VmStats } from './vm.js';
export { MODE_NAMES, isModeName, type ModeName, type MonitorMode } from './modes/mode.js';
export { Monitor, MONITOR_TVEC, type MonitorOptions } from './monitor.js';
export { createMonitorCounters, emulationCounterName, type MonitorCounters } from './counters.js';
export type { MonitorEvent, MonitorListener, ShadowDropReason } from './events.js';
export { makeLayout, GUEST_BASE, DEFAULT_GUEST_MEMORY, DEFAULT_MONITOR_MEMORY, LayoutError, type VmLayout } from './layout.js';
export { COST_PRESETS, COST_PRESET_NAMES, costPreset, priceCounters, type CostPreset, type CostPresetName, type CostReport, type CostRow, type Price } from './cost-model.js';
export { VCpu, type VCpuState } from './vcpu.js';
export { formatCostReport } from './stats-format.js';
