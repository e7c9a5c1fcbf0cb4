import '@obrol/vitest-config/node20-shims';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['src/**/*.spec.ts'], environment: 'happy-dom' },
});
