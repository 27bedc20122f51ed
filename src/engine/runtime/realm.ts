/**
 * This JavaScript realm's token: one per thread the engine runs in (the page for the inline and
 * sim runtimes, each instance's worker for the worker runtime). Instances report it, so a test
 * can tell whether two instances' work ran on one thread or on two. Nothing decides by it, so
 * it stays out of the simulator's determinism; a seeded source would give every realm the same.
 */
// eslint-disable-next-line no-restricted-properties -- must differ between realms (see above)
export const REALM = `realm-${Math.random().toString(36).slice(2, 10)}`;
