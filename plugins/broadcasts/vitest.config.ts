import { obrolVitestConfig } from '@obrol/vitest-config';

export default obrolVitestConfig();
