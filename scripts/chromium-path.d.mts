/** Where the system Chromium lives, or undefined when none is installed. */
export function chromiumPath(): string | undefined;
/** Flags that keep Chromium quiet on a machine with no outside network. */
export const chromiumArgs: string[];
