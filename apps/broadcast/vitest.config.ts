import vue from '@vitejs/plugin-vue';
import '@obrol/vitest-config/node20-shims';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [vue()],
  define: { __VUE_I18N_FULL_INSTALL__: true, __VUE_I18N_LEGACY_API__: false, __INTLIFY_PROD_DEVTOOLS__: false },
  test: { include: ['src/**/*.spec.ts'], environment: 'happy-dom' },
});
