/** The engine's own version, and the server version string a session's version() shows. */
export const ENGINE_VERSION = '0.1.0';

/** Shaped like Greenplum 7's version(): the Postgres base, then the Greenplum build. */
export const SERVER_VERSION_STRING =
  `PostgreSQL 12.12 (Greenplum Database 7.0.0 build mpp-ha-lab ${ENGINE_VERSION}) ` +
  'on wasm-free-browser, compiled by TypeScript 6.0';
