// node:fs in the page's bundle. The assembler's default file reader imports it, but in the browser every
// source comes from the guest catalog or the editor (src/playground/catalog.ts's reader), so nothing here
// should be called; if something is, it fails as a missing file would, with a reason, not a crash.
function noFileSystem(name: string): () => never {
  return () => {
    throw Object.assign(new Error(`no file system in the browser (fs.${name})`), { code: 'ENOENT' });
  };
}

const fs: Record<string, unknown> = new Proxy({}, { get: (_target, name) => noFileSystem(String(name)) });
export default fs;
