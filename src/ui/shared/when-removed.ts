/**
 * Runs `fn` if `el` is still out of the document once the current task's DOM changes are
 * done. The lab moves a panel between its one- and two-column layouts by taking it out and
 * putting it back at once: that is not a removal, and what the panel holds (a console's open
 * transaction, a lesson's live check) must survive it.
 */
export function whenRemoved(el: Element, fn: () => void): void {
  queueMicrotask(() => {
    if (!el.isConnected) fn();
  });
}
