import { obrolAppConfig } from '@obrol/ui/vite';

export default obrolAppConfig();
