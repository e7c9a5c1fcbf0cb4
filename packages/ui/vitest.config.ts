import vue from '@vitejs/plugin-vue';
import '@obrol/vitest-config/node20-shims';
import { defineConfig } from 'vitest/config';
import { vueI18nFlags } from './vite-app.js';

export default defineConfig({
  plugins: [vue()],
  define: vueI18nFlags,
  test: { include: ['src/**/*.spec.ts'], environment: 'happy-dom' },
});
