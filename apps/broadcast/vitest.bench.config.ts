import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/** `pnpm bench`: the app's benchmarks, which print figures beside their aims and assert nothing about time. */
export default defineConfig({ ...base, test: { ...base.test, include: ['bench/**/*.bench.ts'], testTimeout: 300_000 } });
