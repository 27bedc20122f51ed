/**
 * The explorer's fixed seeds, run in CI with WAL replication: random workloads and faults on
 * simulated clusters (2 hosts × 2 segments group-mirrored, or 3 × 2 spread, with a standby).
 * `npm run explore -- --seeds N --from S [--filerep]` runs more; explore-filerep.test.ts runs
 * seeds 1..60 with Greenplum 5 file replication.
 */
import { exploreSeeds } from './explore-seeds.ts';

exploreSeeds('wal', Number(process.env.EXPLORE_SEEDS ?? 120));
