import { LitElement, html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { define } from '../define.ts';
import { emit } from '../events.ts';
import * as act from '../state/actions.ts';
import type { ClusterStore } from '../state/cluster-store.ts';
import { StoreWatcher } from '../state/store-watcher.ts';
import '../crash-demo/mpp-crash-demo.ts';
import { LESSONS, describeAction, type StepAction } from './lessons.ts';
import { styles } from './mpp-lessons.styles.ts';

/**
 * Guided lessons. Lessons that need a feature the engine lacks are listed with their steps,
 * actions disabled and a note, so the concepts are visible before the code lands.
 * @fires mpp-lesson-change - detail: { lesson }
 */
export class MppLessons extends LitElement {
  static override styles = styles;

  @property({ attribute: false }) store: ClusterStore | undefined;
  /** The id of the open lesson. */
  @property() lesson = 'segment-crash';

  constructor() {
    super();
    new StoreWatcher(this);
  }

  private _run(a: StepAction): void {
    const s = this.store;
    if (!s) return;
    switch (a.kind) {
      case 'crash':
        void act.crash(s, a.target);
        break;
      case 'restart':
        void act.restart(s, a.target);
        break;
      case 'sql':
        void act.sql(s, a.sql);
        break;
      case 'utility':
        void act.utility(s, a.command);
        break;
    }
  }

  override render() {
    const lesson = LESSONS.find((l) => l.id === this.lesson) ?? LESSONS[0]!;
    const available = !lesson.needs || (this.store?.features[lesson.needs] ?? false);
    return html`
      <label
        >Lesson
        <select
          @change=${(e: Event) => {
            this.lesson = (e.target as HTMLSelectElement).value;
            emit(this, 'mpp-lesson-change', { lesson: this.lesson });
          }}
        >
          ${LESSONS.map((l) => {
            const ok = !l.needs || (this.store?.features[l.needs] ?? false);
            return html`<option value=${l.id} ?selected=${l.id === lesson.id}>
              ${l.title}${ok ? '' : ' (coming)'}
            </option>`;
          })}
        </select>
      </label>
      <p>${lesson.summary}</p>
      ${available ? nothing : html`<p class="note">This lesson needs ${lesson.needs}, which is coming: its steps are shown, not yet runnable.</p>`}
      ${lesson.demo ? html`<mpp-crash-demo></mpp-crash-demo>` : nothing}
      <ol class="steps">
        ${lesson.steps.map(
          (st) =>
            html`<li>
              <p>${st.text}</p>
              ${
                st.action
                  ? html`<div class="row">
                      <button
                        ?disabled=${!available || this.store?.state !== 'ready'}
                        @click=${() => this._run(st.action!)}
                      >
                        Do it
                      </button>
                      <code
                        class="cmd ${st.action.kind === 'sql' ? 'sql' : st.action.kind === 'utility' ? '' : 'api'}"
                        >${describeAction(st.action)}</code
                      >
                    </div>`
                  : nothing
              }
            </li>`,
        )}
      </ol>
    `;
  }
}

define('mpp-lessons', MppLessons);

declare global {
  interface HTMLElementTagNameMap {
    'mpp-lessons': MppLessons;
  }
}
