// Configuration mechanism #1's two ports (docs/nics.md): the address of a
// function's register, then its dword.
export const PCI_CONFIG_ADDRESS = 0xcf8;
export const PCI_CONFIG_DATA = 0xcfc;
