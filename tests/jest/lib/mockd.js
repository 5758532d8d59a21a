// Starts `mockd start` (MOCKD_BIN) with a config file on ports the OS picks, for the tests that
// drive mockd's own features (streams) with their real client libraries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnWatched, waitFor } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MOCKD_BIN = process.env.MOCKD_BIN || path.resolve(here, '../../../build/mockd');
const START_DEADLINE_MS = 30000;

// A running server: url ("http://127.0.0.1:PORT"), adminUrl (its admin API, open to loopback),
// stop().
// `config` is a collection (written to a file here) or the path of a config file; `extraArgs`
// are more flags for `mockd start`.
export async function startMockd(config, extraArgs = []) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mockd-jest-'));
    let file = config;
    if (typeof config !== 'string') {
        file = path.join(dir, 'mocks.json');
        fs.writeFileSync(file, JSON.stringify(config));
    }
    const args = ['start', '--config', file, '--port', '0', '--admin-port', '0', '--print-url',
        '--data-dir', path.join(dir, 'data'), '--pid-file', path.join(dir, 'mockd.pid'),
        ...extraArgs];
    const w = spawnWatched(MOCKD_BIN, args);
    const url = await waitFor(
        () => {
            if (w.exited) throw new Error(`mockd exited (${JSON.stringify(w.exited)}): ${w.stderr}`);
            const m = /^(http:\/\/\S+)$/m.exec(w.stdout);
            return m && m[1].replace('localhost', '127.0.0.1');
        },
        START_DEADLINE_MS,
        'the URL mockd prints',
    );
    const adminUrl = await waitFor(
        () => {
            const m = /admin API on (http:\/\/\S+)/.exec(w.stderr);
            return m && m[1].replace('localhost', '127.0.0.1');
        },
        START_DEADLINE_MS,
        'the admin URL mockd logs',
    );
    return {
        url,
        adminUrl,
        async stop() {
            await w.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
