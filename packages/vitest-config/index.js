import swc from 'unplugin-swc';
import { defineConfig, mergeConfig } from 'vitest/config';
import './node20-shims.js';

/**
 * Vitest config for an Obrol package. esbuild cannot emit decorator metadata, which Nest's
 * dependency injection and MikroORM need, so TypeScript goes through SWC instead.
 * @param {import('vitest/config').UserConfig} [overrides]
 */
export function obrolVitestConfig(overrides = {}) {
  return mergeConfig(
    defineConfig({
      plugins: [
        swc.vite({
          jsc: {
            target: 'es2022',
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          },
        }),
      ],
      test: {
        include: ['src/**/*.spec.ts'],
        testTimeout: 30_000,
        hookTimeout: 60_000,
        pool: 'forks',
      },
    }),
    overrides,
  );
}
