import swc from 'unplugin-swc';

// Vitest 5's reporter calls Map.groupBy (Node 21+); Node 20 lacks it, which hides test errors.
if (typeof Map.groupBy !== 'function') {
  Map.groupBy = (items, key) => {
    const groups = new Map();
    let index = 0;
    for (const item of items) {
      const k = key(item, index++);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(item);
    }
    return groups;
  };
}
if (typeof Object.groupBy !== 'function') {
  Object.groupBy = (items, key) => Object.fromEntries(Map.groupBy(items, key));
}
import { defineConfig, mergeConfig } from 'vitest/config';

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
