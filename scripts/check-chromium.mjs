// Fails at once, with the fix, when no system Chromium is installed.
import { chromiumPath } from './chromium-path.mjs';

if (!chromiumPath()) {
  console.error(
    'Chromium was not found (looked at $CHROMIUM_PATH, /usr/bin/chromium).\n' +
      'Install it with:  sudo apt-get install -y chromium\n' +
      'or point CHROMIUM_PATH at a Chromium binary. Tools here never download their own browser.',
  );
  process.exit(1);
}
