// @osskit/wiremock-client used as a real client of `mockd wiremock`: setGlobalConfiguration,
// reset, createMapping, waitForCalls, hasMadeCalls and the WireMockClient class. Like the
// library's own suite, logged requests are compared with Jest snapshots (recorded against
// WireMock 3.13.2), so their headers must come back exactly as they were sent.
import http from 'node:http';

import {
    WireMockClient,
    createMapping,
    hasMadeCalls,
    reset,
    setGlobalConfiguration,
    waitForCalls,
} from '@osskit/wiremock-client';

import logUtil from 'wiremock-rest-client/dist/util/log.util.js';

import { startWireMock } from './lib/server.js';

let server;
let errors = [];
// The library under it calls process.exit(1) on an HTTP error; keep the message instead.
logUtil.LogUtil.handleError = (message) => errors.push(message);

beforeAll(async () => {
    server = await startWireMock();
    setGlobalConfiguration({ baseUrl: server.baseUrl });
});

afterAll(async () => {
    await server?.stop();
});

beforeEach(async () => {
    await reset();
    errors = [];
});

afterEach(() => {
    expect(errors).toEqual([]);
});

const url = (p) => `${server.baseUrl}${p}`;
const quick = { timeoutOptions: { timeoutInMs: 300, intervalInMs: 50 } };

// What changes from run to run: the port in Host and the time a request was logged.
function stable(calls) {
    return calls.map((c) => {
        expect(typeof c.loggedDate).toBe('number');
        expect(Math.abs(Date.now() - c.loggedDate)).toBeLessThan(60000);
        const headers = { ...c.headers };
        for (const k of Object.keys(headers))
            if (k.toLowerCase() === 'host') headers[k] = headers[k].replace(/:\d+$/, ':PORT');
        return { ...c, headers, loggedDate: 'LOGGED_DATE' };
    });
}

// Sends exactly these header lines (names in this case and order) with node:http.
function send(method, path, headers, body) {
    return new Promise((resolve, reject) => {
        const req = http.request(
            { host: '127.0.0.1', port: server.port, method, path, headers, setHost: false },
            (res) => {
                let text = '';
                res.on('data', (d) => (text += d));
                res.on('end', () => resolve({ status: res.statusCode, text }));
            },
        );
        req.on('error', reject);
        if (body) req.write(body);
        req.end();
    });
}

test('createMapping returns the request pattern and the stub answers', async () => {
    const request = await createMapping({
        request: { method: 'POST', url: '/orders' },
        response: { status: 201, jsonBody: { id: 'o-1' } },
    });
    expect(request).toEqual({ method: 'POST', url: '/orders' });
    const r = await fetch(url('/orders'), { method: 'POST', body: '{}' });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ id: 'o-1' });
});

test('createMapping with the default response, priority and a scenario', async () => {
    await createMapping({ request: { method: 'GET', url: '/state' }, priority: 5, response: { status: 500 } });
    await createMapping({
        request: { method: 'GET', url: '/state' },
        priority: 1,
        scenarioName: 'toggle',
        requiredScenarioState: 'Started',
        targetScenarioState: 'off',
    });
    expect((await fetch(url('/state'))).status).toBe(200); // the default response
    expect((await fetch(url('/state'))).status).toBe(500); // the scenario moved on
    await reset();
    expect((await fetch(url('/state'))).status).toBe(404);
});

test('createMapping throws on a stub WireMock refuses', async () => {
    await expect(
        createMapping({ request: { method: 'GET', url: '/x', bodyPatterns: [{ notAMatcher: 1 }] } }),
    ).rejects.toThrow(/Failed to create mapping/);
    expect(errors).toEqual([expect.stringContaining('[422]')]);
    errors = [];
});

test('waitForCalls: a JSON body sent with fetch, logged exactly (snapshot)', async () => {
    await createMapping({ request: { method: 'POST', url: '/fetch' } });
    await fetch(url('/fetch?z=1&a=two'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'jest-test', 'x-request-id': 'r-1' },
        body: JSON.stringify({ hello: 'world', n: [1, 2] }),
    });
    const calls = await waitForCalls({ method: 'POST', urlPathPattern: '/fetch' });
    expect(stable(calls)).toMatchSnapshot();
});

test('waitForCalls: header names keep the case and order they were sent in (snapshot)', async () => {
    await createMapping({ request: { method: 'PUT', urlPathPattern: '/raw/.*' } });
    const r = await send(
        'PUT',
        '/raw/item?flag&list=a&list=b',
        [
            ['Host', 'localhost:1234'],
            ['X-Mixed-CASE', 'Value One'],
            ['content-TYPE', 'text/plain'],
            ['Accept', 'text/html'],
            ['Accept', 'application/json'],
            ['sec-fetch-mode', 'cors'],
            ['Content-Length', '9'],
        ].flat(),
        'some text',
    );
    expect(r.status).toBe(200);
    const calls = await waitForCalls({ method: 'PUT', urlPathPattern: '/raw/.*' }, { bodyAsString: true });
    expect(stable(calls)).toMatchSnapshot();
});

test('waitForCalls: orderBy and bodyAsString', async () => {
    await createMapping({ request: { method: 'POST', urlPath: '/many' } });
    for (const n of [3, 1, 2]) await fetch(url('/many'), { method: 'POST', body: JSON.stringify({ n }) });
    const parsed = await waitForCalls(
        { method: 'POST', urlPath: '/many' },
        { orderBy: (a, b) => a.body.n - b.body.n },
    );
    expect(parsed.map((c) => c.body.n)).toEqual([1, 2, 3]);
    const raw = await waitForCalls(
        { method: 'POST', urlPath: '/many', bodyPatterns: [{ matchesJsonPath: '$[?(@.n == 2)]' }] },
        { bodyAsString: true },
    );
    expect(raw.map((c) => c.body)).toEqual(['{"n":2}']);
    expect(raw[0].queryParams).toEqual({});
    expect(raw[0].url).toBe('/many');
});

test('waitForCalls polls until a late request arrives', async () => {
    await createMapping({ request: { method: 'GET', url: '/late' } });
    setTimeout(() => fetch(url('/late')), 300);
    const calls = await waitForCalls({ method: 'GET', url: '/late' }, {
        timeoutOptions: { timeoutInMs: 5000, intervalInMs: 50 },
    });
    expect(calls).toHaveLength(1);
});

test('hasMadeCalls: true for a request made, false after the timeout otherwise', async () => {
    await createMapping({ request: { method: 'GET', url: '/seen' } });
    await fetch(url('/seen'));
    expect(await hasMadeCalls({ method: 'GET', url: '/seen' }, quick.timeoutOptions)).toBe(true);
    expect(await hasMadeCalls({ method: 'GET', url: '/never' }, quick.timeoutOptions)).toBe(false);
    // Unmatched requests are journaled too.
    await fetch(url('/not-stubbed'), { method: 'DELETE' });
    expect(await hasMadeCalls({ method: 'DELETE', url: '/not-stubbed' }, quick.timeoutOptions)).toBe(true);
});

test('reset clears the journal and the stubs', async () => {
    await createMapping({ request: { method: 'GET', url: '/r' } });
    await fetch(url('/r'));
    await reset();
    expect(await hasMadeCalls({ method: 'GET', url: '/r' }, quick.timeoutOptions)).toBe(false);
    expect((await fetch(url('/r'))).status).toBe(404);
});

test('response-template stubs render (as with --local-response-templating)', async () => {
    await createMapping({
        request: { method: 'GET', urlPath: '/greet' },
        response: { status: 200, body: 'hello {{request.query.name}}', transformers: ['response-template'] },
    });
    expect(await (await fetch(url('/greet?name=osskit'))).text()).toBe('hello osskit');
});

test('WireMockClient is the same API on an instance', async () => {
    const client = new WireMockClient(server.baseUrl);
    expect(await client.createMapping({ request: { method: 'GET', url: '/inst' } })).toEqual({
        method: 'GET',
        url: '/inst',
    });
    await fetch(url('/inst'));
    const calls = await client.waitForCalls({ method: 'GET', url: '/inst' });
    expect(calls.map((c) => c.url)).toEqual(['/inst']);
    expect(await client.hasMadeCalls({ method: 'GET', url: '/inst' })).toBe(true);
    await client.reset();
    expect(await client.hasMadeCalls({ method: 'GET', url: '/inst' }, quick.timeoutOptions)).toBe(false);
});
