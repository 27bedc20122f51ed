/** Registers a custom element once: safe under Vite HMR and when two bundles embed the lab. */
export function define(tag: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}
