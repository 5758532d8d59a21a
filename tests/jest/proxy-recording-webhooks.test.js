// Client-library methods that need proxying, recording or webhooks, written against WireMock
// 3.13.2's behaviour (the same tests pass against the jar with WIREMOCK_JAR set).
import http from 'node:http';

import restClient from 'wiremock-rest-client';
import logUtil from 'wiremock-rest-client/dist/util/log.util.js';
import { BodyType, WireMock } from 'wiremock-captain';

import { startWireMock } from './lib/server.js';

const { WireMockRestClient } = restClient;

let upstream;
let server;
let wm;
let errors = [];

beforeAll(async () => {
    upstream = await startWireMock();
    server = await startWireMock();
    wm = new WireMockRestClient(server.baseUrl, { logLevel: 'silent' });
    logUtil.LogUtil.handleError = (message) => errors.push(message);
    const up = new WireMock(upstream.baseUrl, { responseBodyType: BodyType.Body });
    await up.register({ method: 'GET', endpoint: '/up/one' }, { status: 200, body: 'one from upstream' });
    await up.register({ method: 'GET', endpoint: '/up/two' }, { status: 201, body: 'two from upstream' });
});

afterAll(async () => {
    await server?.stop();
    await upstream?.stop();
});

beforeEach(async () => {
    await wm.global.resetAll();
    errors = [];
});

afterEach(() => {
    expect(errors).toEqual([]);
});

const url = (p) => `${server.baseUrl}${p}`;
// A recorded body is inline text or, without a textual Content-Type, base64.
const bodyOf = (response) => response.body ?? Buffer.from(response.base64Body, 'base64').toString();

test('wiremock-rest-client startRecording, getRecordingStatus, stopRecording', async () => {
    expect(await wm.recordings.startRecording({ targetBaseUrl: upstream.baseUrl, persist: false })).toEqual({});
    expect(await wm.recordings.getRecordingStatus()).toEqual({ status: 'Recording' });
    expect(await (await fetch(url('/up/one'))).text()).toBe('one from upstream');
    const two = await fetch(url('/up/two'));
    expect(two.status).toBe(201);
    const result = await wm.recordings.stopRecording();
    expect(result.mappings.map((m) => m.request.url).sort()).toEqual(['/up/one', '/up/two']);
    const recorded = result.mappings.find((m) => m.request.url === '/up/two').response;
    expect(recorded.status).toBe(201);
    expect(bodyOf(recorded)).toBe('two from upstream');
    expect(await wm.recordings.getRecordingStatus()).toEqual({ status: 'Stopped' });
    // The recorded stubs now answer without the upstream.
    expect(await (await fetch(url('/up/one'))).text()).toBe('one from upstream');
});

test('wiremock-rest-client takeSnapshotRecording of proxied traffic, FULL and IDS', async () => {
    await wm.mappings.createMapping({
        request: { method: 'GET', urlPathPattern: '/up/.*' },
        response: { proxyBaseUrl: upstream.baseUrl },
    });
    expect(await (await fetch(url('/up/one'))).text()).toBe('one from upstream');
    const full = await wm.recordings.takeSnapshotRecording({ persist: false, outputFormat: 'FULL' });
    expect(full.mappings).toHaveLength(1);
    expect(full.mappings[0]).toMatchObject({ request: { url: '/up/one', method: 'GET' }, response: { status: 200 } });
    expect(bodyOf(full.mappings[0].response)).toBe('one from upstream');
    await fetch(url('/up/two'));
    const ids = await wm.recordings.takeSnapshotRecording({
        persist: false,
        outputFormat: 'IDS',
        filters: { urlPattern: '/up/two' },
    });
    expect(ids.ids).toHaveLength(1);
    expect(ids.ids[0]).toMatch(/^[0-9a-f-]{36}$/);
});

test('a proxyBaseUrl stub answers with the upstream response', async () => {
    await wm.mappings.createMapping({
        request: { method: 'GET', urlPath: '/up/two' },
        response: { proxyBaseUrl: upstream.baseUrl, additionalProxyRequestHeaders: { 'X-Via': 'mockd' } },
    });
    const r = await fetch(url('/up/two'));
    expect(r.status).toBe(201);
    expect(await r.text()).toBe('two from upstream');
    const seen = await new WireMockRestClient(upstream.baseUrl, { logLevel: 'silent' }).requests.findRequests({
        method: 'GET',
        url: '/up/two',
    });
    expect(seen.requests.at(-1).headers['X-Via']).toBe('mockd');
});

test('wiremock-captain webhook fires to a local receiver after the response', async () => {
    const received = [];
    const receiver = http.createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
            received.push({ method: req.method, url: req.url, headers: req.headers, body });
            res.end('thanks');
        });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
        const hookUrl = `http://127.0.0.1:${receiver.address().port}/callback`;
        const captain = new WireMock(server.baseUrl);
        await captain.register({ method: 'POST', endpoint: '/order' }, { status: 202 }, {
            webhook: {
                method: 'POST',
                url: hookUrl,
                headers: { 'X-Hook': 'fired' },
                body: { type: 'JSON', data: { event: 'ordered' } },
            },
        });
        expect((await fetch(url('/order'), { method: 'POST', body: '{}' })).status).toBe(202);
        const deadline = Date.now() + 5000;
        while (!received.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(received).toHaveLength(1);
        expect(received[0]).toMatchObject({
            method: 'POST',
            url: '/callback',
            body: '{"event":"ordered"}',
        });
        expect(received[0].headers['x-hook']).toBe('fired');
    } finally {
        receiver.close();
    }
});
