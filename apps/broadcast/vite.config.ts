import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// Dev only: where `vite dev` forwards the API and the realtime socket (production is same-origin).
const apiTarget = process.env.OBROL_DEV_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  base: './',
  plugins: [vue()],
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    proxy: {
      '/api/v1/realtime': { target: apiTarget, ws: true },
      '/api': { target: apiTarget },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
