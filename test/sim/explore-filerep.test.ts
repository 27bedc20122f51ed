/**
 * The explorer's fixed seeds with Greenplum 5 file replication: the same invariants, on
 * clusters that mirror by file blocks (a file of its own, so CI runs it beside the WAL seeds).
 */
import { exploreSeeds } from './explore-seeds.ts';

exploreSeeds('filerep', Number(process.env.EXPLORE_FILEREP_SEEDS ?? 60));
