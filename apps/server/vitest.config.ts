import { obrolVitestConfig } from '@obrol/vitest-config';

export default obrolVitestConfig({
  test: { include: ['src/**/*.spec.ts', 'e2e/**/*.e2e.ts'] },
});
