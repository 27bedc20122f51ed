/**
 * Every role's code linked in up front (role-modules.ts): the inline and sim runtimes, and the
 * worker runtime's processes when they run in the calling thread.
 */
import { Coordinator } from '../server/coordinator.ts';
import { DistributedTxManager } from '../server/dtm.ts';
import { SegmentExecutor } from '../server/segment.ts';
import { Session } from '../server/session.ts';
import { UtilitySession } from '../server/utility-session.ts';
import { ModuleLoader, type RoleModules } from './role-modules.ts';

export function linkedModules(): RoleModules {
  return {
    segment: new ModuleLoader(() => ({ SegmentExecutor })),
    coordinator: new ModuleLoader(() => ({ Coordinator, DistributedTxManager })),
    sessions: new ModuleLoader(() => ({ Session, UtilitySession })),
  };
}
