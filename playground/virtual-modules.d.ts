// Modules the playground's build (playground/tools/build.ts) makes at build time.
declare module 'virtlab:guest-catalog' {
  /** Repository path of every shipped guest file (`guests/hello.s`) -> its text. */
  const files: Readonly<Record<string, string>>;
  export default files;
}
