// The VT-d-like IOMMU (docs/iommu.md): the device model and the monitor's driver.

export * from './format.js';
export { FaultLog, type FaultRecord } from './faults.js';
export { Iotlb, DEFAULT_IOTLB_ENTRIES, type IotlbEntry } from './iotlb.js';
export {
  Iommu, iommuBoardDevice, createIommuCounters,
  type IommuCounters, type IommuEvent, type IommuObserver, type IommuOptions, type IommuProbe, type IommuState,
} from './iommu.js';
export { IommuDriver, type DomainInfo, type DomainMapping, type FrameAllocator, type IommuDriverState } from './driver.js';
