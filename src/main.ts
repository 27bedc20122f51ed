// Entry of the static site: registers <mpp-ha-lab>.
import './ui/lab/mpp-ha-lab.ts';

// The static site (its index.html is marked data-mpp-site; a page embedding this script is not)
// works offline after the first visit: the service
// worker the build writes precaches every file. Relative, so any sub-path works.
if (
  import.meta.env.PROD &&
  'serviceWorker' in navigator &&
  document.documentElement.hasAttribute('data-mpp-site')
)
  window.addEventListener('load', () => {
    navigator.serviceWorker
      .register('./sw.js')
      .catch((e: unknown) => console.warn('service worker not registered:', e));
  });
