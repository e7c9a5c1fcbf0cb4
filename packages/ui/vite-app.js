import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/** vue-i18n's build flags, the same for an app's build and its component tests. */
export const vueI18nFlags = { __VUE_I18N_FULL_INSTALL__: true, __VUE_I18N_LEGACY_API__: false, __INTLIFY_PROD_DEVTOOLS__: false };

/**
 * The Vite config of an Obrol app (`apps/inbox`, `apps/broadcast`): relative asset paths (the
 * server mounts each app under its own path), vue-i18n's flags, and, for `vite dev` only, the API
 * and the realtime socket forwarded to a running server (production is same-origin).
 * @param {{ apiTarget?: string }} [options]
 */
export function obrolAppConfig(options = {}) {
  const apiTarget = options.apiTarget ?? process.env.OBROL_DEV_API_URL ?? 'http://127.0.0.1:3000';
  return defineConfig({
    base: './',
    plugins: [vue()],
    define: vueI18nFlags,
    server: {
      proxy: {
        '/api/v1/realtime': { target: apiTarget, ws: true },
        '/api': { target: apiTarget },
      },
    },
    build: { outDir: 'dist', emptyOutDir: true },
  });
}
