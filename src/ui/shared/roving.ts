/**
 * Keyboard movement inside a composite widget that is a single tab stop (roving tabindex, as
 * the ARIA Authoring Practices describe it): the arrow keys, Home and End move among its items;
 * Tab leaves it. The widget keeps which item is active and gives it tabindex 0, the rest -1.
 */

/** The item to move to for this key, or undefined when the key is not a movement. */
export function rovingTarget<T>(key: string, items: readonly T[], current: T | undefined): T | undefined {
  if (!items.length) return undefined;
  const i = current === undefined ? -1 : items.indexOf(current);
  switch (key) {
    case 'ArrowRight':
    case 'ArrowDown':
      return items[Math.min(items.length - 1, i + 1)];
    case 'ArrowLeft':
    case 'ArrowUp':
      return items[Math.max(0, i - 1)];
    case 'Home':
      return items[0];
    case 'End':
      return items[items.length - 1];
    default:
      return undefined;
  }
}

/**
 * Handles a keydown on one of `items` (elements of the widget): moves focus to the target and
 * returns it (the caller makes it the active item), or undefined when the key was not a move.
 */
export function rovingKeydown(e: KeyboardEvent, items: readonly HTMLElement[]): HTMLElement | undefined {
  if (e.altKey || e.ctrlKey || e.metaKey) return undefined;
  const from = e.currentTarget instanceof HTMLElement ? e.currentTarget : undefined;
  const to = rovingTarget(e.key, items, from);
  if (!to) return undefined;
  e.preventDefault();
  to.focus();
  return to;
}
