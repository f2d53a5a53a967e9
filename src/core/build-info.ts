// When this build of the studio was made (vite.config.ts defines it at build time; "development"
// elsewhere): the header
// carries it, and the offline badge's tooltip names it, so a person — and the update test — can
// tell which version runs after "New version: reload".
declare const __STUDIO_BUILD__: string | undefined;

export const STUDIO_BUILD: string = typeof __STUDIO_BUILD__ === 'string' ? __STUDIO_BUILD__ : 'development';
