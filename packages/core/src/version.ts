/** The core's version; plugins declare the range they work with and are checked at boot. */
export const CORE_VERSION = '0.1.0';
