import vue from '@vitejs/plugin-vue';
import '@obrol/vitest-config/node20-shims';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [vue()],
  test: { include: ['src/**/*.spec.ts'], environment: 'happy-dom' },
});
