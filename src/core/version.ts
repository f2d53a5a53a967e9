// The studio's version, written into every export (kept equal to package.json by a test).
export const STUDIO_VERSION = '0.2.0';
