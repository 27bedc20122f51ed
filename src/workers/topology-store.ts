/**
 * Where a page keeps what it needs to resume its clusters after a reload: one small IndexedDB
 * database holding, per cluster name, the layout and every instance's last known catalog row
 * (the instances' own databases hold their data).
 *
 * The database is the lab's only if it has the lab's schema (version 1, one store `clusters`).
 * A page may own a database of that name for its own ends: then the lab leaves it alone, never
 * fails because of it, and works without resuming (`topologyStoreProblem` says why).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SavedTopology } from '../engine/cluster/process-cluster.ts';

export const TOPOLOGY_DB = 'mpp-ha-lab-topologies';
const VERSION = 1;

interface TopologyDb extends DBSchema {
  clusters: { key: string; value: SavedTopology };
}

/** Why the lab cannot use its topology database (undefined: it can). */
let problem: string | undefined;

export function topologyStoreProblem(): string | undefined {
  return problem;
}

async function open(): Promise<IDBPDatabase<TopologyDb> | undefined> {
  let db: IDBPDatabase<TopologyDb>;
  try {
    db = await openDB<TopologyDb>(TOPOLOGY_DB, VERSION, {
      upgrade: (d, oldVersion) => {
        if (oldVersion < 1) d.createObjectStore('clusters');
      },
      // Another connection (a page's own code) holds it at an older version: do not wait for it.
      blocked: () => undefined,
    });
  } catch (e) {
    problem = `the IndexedDB database "${TOPOLOGY_DB}" exists and is not the lab's (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)})`;
    return undefined;
  }
  if (!db.objectStoreNames.contains('clusters')) {
    db.close();
    problem = `the IndexedDB database "${TOPOLOGY_DB}" exists and is not the lab's (no "clusters" store)`;
    return undefined;
  }
  problem = undefined;
  return db;
}

/** Saves a cluster's topology; without a usable store the cluster runs on, not resumable. */
export async function saveTopology(name: string, t: SavedTopology): Promise<void> {
  const db = await open();
  if (!db) return;
  try {
    await db.put('clusters', t, name);
  } finally {
    db.close();
  }
}

export async function loadTopology(name: string): Promise<SavedTopology | undefined> {
  const db = await open();
  if (!db) return undefined;
  try {
    return await db.get('clusters', name);
  } finally {
    db.close();
  }
}

/** Every saved cluster, by name. */
export async function listTopologies(): Promise<Map<string, SavedTopology>> {
  const db = await open();
  const out = new Map<string, SavedTopology>();
  if (!db) return out;
  try {
    const tx = db.transaction('clusters');
    let cursor = await tx.store.openCursor();
    while (cursor) {
      out.set(String(cursor.key), cursor.value);
      cursor = await cursor.continue();
    }
    await tx.done;
  } finally {
    db.close();
  }
  return out;
}

export async function forgetTopology(name: string): Promise<void> {
  const db = await open();
  if (!db) return;
  try {
    await db.delete('clusters', name);
  } finally {
    db.close();
  }
}
