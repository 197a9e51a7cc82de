// The one error class of src/net: bad MACs, frames, options and pcap input.
// Messages are one line and name what was wrong; the CLI turns them into
// `virtlab: <message>` (a usage error when they come from an option).

export class NetError extends Error {
  override readonly name = 'NetError';
}
