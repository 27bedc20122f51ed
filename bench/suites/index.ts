// Every suite, registered by import. To add one: create bench/suites/<name>.ts that calls
// registerSuite([...]) at import time, and import it here. Order here is run order.
import './raw.ts';
import './storage.ts';
import './cluster.ts';
import './lab.ts';
import './workers.ts';
import './live.ts';
