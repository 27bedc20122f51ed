/**
 * Where a page keeps what it needs to resume its clusters after a reload: one small IndexedDB
 * database holding, per cluster name, the layout and every instance's last known catalog row
 * (the instances' own databases hold their data).
 */
import { openDB, type DBSchema } from 'idb';
import type { SavedTopology } from '../engine/cluster/process-cluster.ts';

const DB_NAME = 'mpp-ha-lab-topologies';

interface TopologyDb extends DBSchema {
  clusters: { key: string; value: SavedTopology };
}

function open() {
  return openDB<TopologyDb>(DB_NAME, 1, {
    upgrade: (db) => {
      db.createObjectStore('clusters');
    },
  });
}

export async function saveTopology(name: string, t: SavedTopology): Promise<void> {
  const db = await open();
  try {
    await db.put('clusters', t, name);
  } finally {
    db.close();
  }
}

export async function loadTopology(name: string): Promise<SavedTopology | undefined> {
  const db = await open();
  try {
    return await db.get('clusters', name);
  } finally {
    db.close();
  }
}

export async function forgetTopology(name: string): Promise<void> {
  const db = await open();
  try {
    await db.delete('clusters', name);
  } finally {
    db.close();
  }
}
