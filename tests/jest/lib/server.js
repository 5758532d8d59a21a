// Starts `mockd wiremock` (MOCKD_BIN) on a port the OS picks, or the real WireMock jar when
// WIREMOCK_JAR is set (to check a test against the reference), with a fresh root directory.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const MOCKD_BIN = process.env.MOCKD_BIN || path.resolve(here, '../../../build/mockd');
const START_DEADLINE_MS = 30000;

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

export async function waitFor(predicate, deadlineMs, what) {
    const end = Date.now() + deadlineMs;
    for (;;) {
        const value = await predicate();
        if (value) return value;
        if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
    }
}

// A running server: baseUrl ("http://127.0.0.1:PORT"), root (its --root-dir), stop().
// A child process whose output and exit are kept (for error messages), and a stop(): SIGTERM,
// then SIGKILL after 10 s.
export function spawnWatched(cmd, args) {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const w = { proc, stdout: '', stderr: '', exited: null };
    proc.stdout.on('data', (d) => (w.stdout += d));
    proc.stderr.on('data', (d) => (w.stderr += d));
    proc.on('exit', (code, signal) => (w.exited = { code, signal }));
    w.stop = async () => {
        if (w.exited) return;
        proc.kill('SIGTERM');
        await waitFor(() => w.exited, 10000, 'the server to stop').catch(() => proc.kill('SIGKILL'));
    };
    return w;
}

export async function startWireMock({ flags = [], mappings = {}, files = {} } = {}) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mockd-jest-'));
    fs.mkdirSync(path.join(root, 'mappings'));
    fs.mkdirSync(path.join(root, '__files'));
    for (const [name, stub] of Object.entries(mappings))
        fs.writeFileSync(path.join(root, 'mappings', name), JSON.stringify(stub, null, 2));
    for (const [name, text] of Object.entries(files))
        fs.writeFileSync(path.join(root, '__files', name), text);

    const jar = process.env.WIREMOCK_JAR;
    // mockd prints its real port in the banner when given 0; the jar is given a free port.
    const fixedPort = jar ? await freePort() : 0;
    const args = jar
        ? ['-jar', jar, '--port', String(fixedPort), '--root-dir', root, ...flags]
        : ['wiremock', '--port', '0', '--root-dir', root, ...flags];
    const w = spawnWatched(jar ? 'java' : MOCKD_BIN, args);

    const port =
        fixedPort ||
        (await waitFor(
            () => {
                if (w.exited) throw new Error(`mockd exited (${JSON.stringify(w.exited)}): ${w.stderr}`);
                const m = /^port:\s+(\d+)\s*$/m.exec(w.stdout);
                return m && Number(m[1]);
            },
            START_DEADLINE_MS,
            "the banner's port line",
        ));
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitFor(
        async () => {
            if (w.exited) throw new Error(`server exited (${JSON.stringify(w.exited)}): ${w.stderr}`);
            try {
                return (await fetch(`${baseUrl}/__admin/health`)).ok;
            } catch {
                return false;
            }
        },
        START_DEADLINE_MS,
        'the server to answer',
    );
    return {
        baseUrl,
        port,
        root,
        isJar: Boolean(jar),
        exited: () => w.exited,
        output: () => ({ stdout: w.stdout, stderr: w.stderr }),
        waitExit: (ms = 10000) => waitFor(() => w.exited, ms, 'the server to exit'),
        async stop() {
            await w.stop();
            fs.rmSync(root, { recursive: true, force: true });
        },
    };
}

// A raw HTTP/1.1 exchange for what fetch hides: faults (reset, empty reply, garbage) and
// headers sent with their exact case. Resolves {status, headers, body, error, raw}.
export function rawRequest(port, text, timeoutMs = 5000) {
    return new Promise((resolve) => {
        const sock = net.connect(port, '127.0.0.1');
        const chunks = [];
        let error = null;
        const timer = setTimeout(() => sock.destroy(new Error('timeout')), timeoutMs);
        sock.on('connect', () => sock.write(text));
        sock.on('data', (d) => chunks.push(d));
        sock.on('error', (e) => (error = e));
        sock.on('close', () => {
            clearTimeout(timer);
            const raw = Buffer.concat(chunks);
            const head = raw.toString('latin1').split('\r\n\r\n')[0];
            const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
            resolve({ status: m ? Number(m[1]) : null, raw, error, head });
        });
    });
}
