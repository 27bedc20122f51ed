import { registerSuite } from '../harness.ts';
registerSuite([
  { suite: 'tmp', name: 'fake pass', unit: 'MB/s', run: async () => 50, target: { relativeTo: 'idb 63KB-chunk MB/s (inline)', ratio: 0.1, higherIsBetter: true } },
  { suite: 'tmp', name: 'fake fail', unit: 'µs', run: async () => ({ value: 500, extra: { p50: 500, p99: 900 } }), target: { relativeTo: 'messagechannel round trip µs', ratio: 2, higherIsBetter: false } },
  { suite: 'tmp', name: 'fake noref', unit: 'x', run: async () => 1, target: { relativeTo: 'nope', ratio: 1, higherIsBetter: true } },
  { suite: 'tmp', name: 'fake throw', unit: 'x', run: async () => { throw new Error('boom'); } },
]);
