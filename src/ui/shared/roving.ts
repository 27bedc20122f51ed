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

/** Where an item is drawn (a DOMRect's fields). */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * For a two-dimensional widget (cards in columns of hosts): the item an arrow key moves to is
 * the nearest one drawn in that direction (within 45 degrees of it), not the next in document
 * order, so Right goes to the card beside, in the next column, and Down to the one below.
 * Distance along the other axis counts double, so a move keeps to its row or column. Undefined
 * when nothing lies that way (the focus stays) or the key is not an arrow.
 */
export function spatialTarget(key: string, boxes: readonly Box[], current: number): number | undefined {
  const from = boxes[current];
  if (!from) return undefined;
  const centre = (b: Box) => ({ x: b.left + b.width / 2, y: b.top + b.height / 2 });
  const c = centre(from);
  const horizontal = key === 'ArrowLeft' || key === 'ArrowRight';
  const sign =
    key === 'ArrowRight' || key === 'ArrowDown' ? 1 : key === 'ArrowLeft' || key === 'ArrowUp' ? -1 : 0;
  if (!sign) return undefined;
  let best: number | undefined;
  let bestScore = Infinity;
  boxes.forEach((b, i) => {
    if (i === current) return;
    const p = centre(b);
    const along = (horizontal ? p.x - c.x : p.y - c.y) * sign;
    const across = Math.abs(horizontal ? p.y - c.y : p.x - c.x);
    // Within 45 degrees of the arrow's direction: a card a few pixels higher but far to the
    // right is not "up". And ahead by more than a pixel, so one in the same row is not "down".
    if (along <= 1 || across > along) return;
    const score = along + 2 * across;
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}

/**
 * Handles a keydown on one of `items` (elements of the widget): moves focus to the target and
 * returns it (the caller makes it the active item), or undefined when the key was not a move.
 * With `spatial`, the arrow keys follow where the items are drawn (spatialTarget); Home and
 * End still go to the first and last.
 */
export function rovingKeydown(
  e: KeyboardEvent,
  items: readonly HTMLElement[],
  spatial = false,
): HTMLElement | undefined {
  if (e.altKey || e.ctrlKey || e.metaKey) return undefined;
  const from = e.currentTarget instanceof HTMLElement ? e.currentTarget : undefined;
  if (spatial && from && e.key.startsWith('Arrow')) {
    const i = spatialTarget(
      e.key,
      items.map((x) => x.getBoundingClientRect()),
      items.indexOf(from),
    );
    // An arrow with nothing that way is still the widget's key: the focus stays.
    e.preventDefault();
    const to = i === undefined ? undefined : items[i];
    to?.focus();
    return to;
  }
  const to = rovingTarget(e.key, items, from);
  if (!to) return undefined;
  e.preventDefault();
  to.focus();
  return to;
}
