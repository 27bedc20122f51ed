/** A session's settings: the GUC registry, layered over the cluster's configuration. */
import { Settings, type GucNotice, type SetInput } from './settings.ts';

export class SessionSettings {
  readonly gucs: Settings;

  /** `startup`: the connection's own options (PGOPTIONS), as `-c gp_role=utility`. */
  constructor(
    config: Record<string, string | number | boolean>,
    preset: Record<string, string | number | boolean> = {},
    startup: Record<string, string | number | boolean> = {},
  ) {
    this.gucs = new Settings({ config, preset, startup });
  }

  beginTransaction(): void {
    this.gucs.beginTransaction();
  }

  endTransaction(commit: boolean): void {
    if (commit) this.gucs.commitTransaction();
    else this.gucs.abortTransaction();
  }

  set(name: string, value: SetInput, local: boolean): GucNotice[] {
    return this.gucs.set(name, value, { local });
  }

  reset(name: string): GucNotice[] {
    return this.gucs.reset(name);
  }

  resetAll(): void {
    this.gucs.resetAll();
  }

  show(name: string): string {
    return this.gucs.show(name);
  }

  showAll() {
    return this.gucs.showAll();
  }
}
