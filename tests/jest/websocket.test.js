// mockd's WebSocket mocks read by `ws`, the WebSocket library most Node apps and test suites use:
// subprotocol choice, JSON matchers with templated replies, binary frames, echo, a scenario, and
// the close code a client sees when the server shuts down.
import WebSocket from 'ws';
import { startMockd } from './lib/mockd.js';

let server;

beforeAll(async () => {
    server = await startMockd({
        mocks: [
            {
                id: 'chat',
                type: 'websocket',
                websocket: {
                    path: '/ws/chat',
                    subprotocols: ['chat.v2', 'chat.v1'],
                    echoMode: true,
                    matchers: [
                        {
                            match: { type: 'json', path: '$.type', value: 'ping' },
                            response: { type: 'json', value: { type: 'pong', seq: '{{request.body.seq}}' } },
                        },
                        {
                            match: { type: 'exact', value: 'bytes' },
                            response: { type: 'binary', value: 'AAEC' },
                        },
                    ],
                },
            },
            {
                id: 'feed',
                type: 'websocket',
                websocket: {
                    path: '/ws/feed',
                    scenario: {
                        steps: [
                            { type: 'send', message: { type: 'text', value: 'welcome' } },
                            { type: 'expect', match: { type: 'exact', value: 'subscribe' }, timeout: '5s' },
                            { type: 'send', message: { type: 'json', value: { tick: 1 } } },
                        ],
                    },
                },
            },
        ],
    });
});

afterAll(async () => {
    await server?.stop();
});

const wsUrl = (path) => server.url.replace('http://', 'ws://') + path;

// Resolves with the next message (as text, or a Buffer for binary frames).
function next(ws) {
    return new Promise((resolve, reject) => {
        ws.once('message', (data, isBinary) => resolve(isBinary ? data : data.toString()));
        ws.once('error', reject);
    });
}

function opened(ws) {
    return new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
    });
}

test('ws negotiates a subprotocol, gets matcher replies, binary frames and echoes', async () => {
    const ws = new WebSocket(wsUrl('/ws/chat'), ['chat.v1', 'chat.v2']);
    await opened(ws);
    expect(ws.protocol).toBe('chat.v2'); // the mock's order of preference decides
    ws.send(JSON.stringify({ type: 'ping', seq: 7 }));
    expect(JSON.parse(await next(ws))).toEqual({ type: 'pong', seq: '7' });
    ws.send('bytes');
    expect([...(await next(ws))]).toEqual([0, 1, 2]);
    ws.send('anything else');
    expect(await next(ws)).toBe('anything else');
    ws.close(1000);
});

test('a scenario greets, waits for what it expects, then goes on', async () => {
    const ws = new WebSocket(wsUrl('/ws/feed'));
    const welcome = next(ws);
    await opened(ws);
    expect(await welcome).toBe('welcome');
    ws.send('subscribe');
    expect(JSON.parse(await next(ws))).toEqual({ tick: 1 });
    ws.close(1000);
});

test('an unknown path refuses the upgrade with 404', async () => {
    const ws = new WebSocket(wsUrl('/ws/none'));
    const status = await new Promise((resolve) => {
        ws.on('unexpected-response', (req, res) => resolve(res.statusCode));
        ws.on('error', () => resolve('error'));
    });
    expect(status).toBe(404);
});

test('shutting the server down closes open sockets with 1001', async () => {
    const ws = new WebSocket(wsUrl('/ws/chat'));
    await opened(ws);
    const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve([code, reason.toString()])));
    await server.stop();
    server = null;
    expect(await closed).toEqual([1001, 'server shutdown']);
});
