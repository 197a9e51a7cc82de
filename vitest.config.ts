import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30000,
    // Test files share worker threads and their module graph: importing the machine, the monitor
    // and the CLI once per worker instead of once per file takes about a third off the suite on
    // two cores. A test may therefore not rely on module state another file left behind (a cache
    // that gave a stale answer across files was a bug: src/engine/jit/region-cache.ts).
    pool: 'threads',
    isolate: false,
  },
});
