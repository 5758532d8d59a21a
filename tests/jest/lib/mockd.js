// Starts `mockd start` (MOCKD_BIN) with a config file on ports the OS picks, for the tests that
// drive mockd's own features (streams) with their real client libraries.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const MOCKD_BIN = process.env.MOCKD_BIN || path.resolve(here, '../../../build/mockd');
const START_DEADLINE_MS = 30000;

// A running server: url ("http://127.0.0.1:PORT"), stop().
export async function startMockd(config) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mockd-jest-'));
    const file = path.join(dir, 'mocks.json');
    fs.writeFileSync(file, JSON.stringify(config));
    const args = ['start', '--config', file, '--port', '0', '--admin-port', '0', '--print-url',
        '--data-dir', path.join(dir, 'data'), '--pid-file', path.join(dir, 'mockd.pid')];
    const proc = spawn(MOCKD_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let exited = null;
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.on('exit', (code, signal) => (exited = { code, signal }));
    const end = Date.now() + START_DEADLINE_MS;
    let url = null;
    while (!url) {
        if (exited) throw new Error(`mockd exited (${JSON.stringify(exited)}): ${stderr}`);
        if (Date.now() > end) throw new Error(`mockd printed no URL: ${stdout} ${stderr}`);
        const m = /^(http:\/\/\S+)$/m.exec(stdout);
        if (m) url = m[1].replace('localhost', '127.0.0.1');
        else await new Promise((r) => setTimeout(r, 20));
    }
    return {
        url,
        async stop() {
            if (!exited) {
                proc.kill('SIGTERM');
                const stopBy = Date.now() + 10000;
                while (!exited && Date.now() < stopBy) await new Promise((r) => setTimeout(r, 20));
                if (!exited) proc.kill('SIGKILL');
            }
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
