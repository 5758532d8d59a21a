// wiremock-captain (WireMock and WireMockAPI) used as a real client of `mockd wiremock`: every
// public method, and `register` with each of its options, checked by what a caller sees.
import {
    BodyType,
    DelayType,
    EndpointFeature,
    MatchingAttributes,
    ResponseTransformer,
    WireMock,
    WireMockAPI,
    WireMockFault,
} from 'wiremock-captain';

import fs from 'node:fs';
import path from 'node:path';

import { rawRequest, startWireMock } from './lib/server.js';

let server;
let mock;

const DEFAULT_STUB = {
    id: '0f1e2d3c-0000-4000-8000-000000000001',
    request: { method: 'GET', url: '/default' },
    response: { status: 200, body: 'from disk' },
};

// DELETE /__admin/mappings deletes the mapping files too (WireMock does): put ours back.
async function restoreDefault() {
    fs.writeFileSync(path.join(server.root, 'mappings', 'default.json'), JSON.stringify(DEFAULT_STUB));
    await mock.resetMappings();
}

beforeAll(async () => {
    server = await startWireMock({
        mappings: { 'default.json': DEFAULT_STUB },
    });
    mock = new WireMock(server.baseUrl);
});

afterAll(async () => {
    await server?.stop();
});

beforeEach(async () => {
    await mock.clearAllExceptDefault();
    await mock.resetAllScenarios();
});

const url = (p) => `${server.baseUrl}${p}`;

describe('register', () => {
    test('a plain stub: equalToJson body, default jsonBody response', async () => {
        const stub = await mock.register(
            { method: 'POST', endpoint: '/users', body: { name: 'ann', tags: ['a', 'b'] } },
            { status: 201, body: { id: 7 } },
        );
        expect(stub.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(stub.request).toEqual({
            method: 'POST',
            url: '/users',
            bodyPatterns: [
                {
                    equalToJson: { name: 'ann', tags: ['a', 'b'] },
                    ignoreArrayOrder: false,
                    ignoreExtraElements: false,
                },
            ],
        });
        expect(stub.response).toEqual({
            status: 201,
            jsonBody: { id: 7 },
            headers: { 'Content-Type': 'application/json; charset=utf-8' },
        });
        const ok = await fetch(url('/users'), {
            method: 'POST',
            body: JSON.stringify({ tags: ['a', 'b'], name: 'ann' }),
        });
        expect(ok.status).toBe(201);
        expect(ok.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(await ok.json()).toEqual({ id: 7 });
        const wrongOrder = await fetch(url('/users'), {
            method: 'POST',
            body: JSON.stringify({ name: 'ann', tags: ['b', 'a'] }),
        });
        expect(wrongOrder.status).toBe(404);
    });

    test('requestIgnoreArrayOrder and requestIgnoreExtraElements', async () => {
        await mock.register(
            { method: 'POST', endpoint: '/loose', body: { tags: ['a', 'b'] } },
            { status: 200, body: { ok: true } },
            { requestIgnoreArrayOrder: true, requestIgnoreExtraElements: true },
        );
        const r = await fetch(url('/loose'), {
            method: 'POST',
            body: JSON.stringify({ tags: ['b', 'a'], extra: 1 }),
        });
        expect(r.status).toBe(200);
    });

    test.each([
        [MatchingAttributes.EqualTo, 'hello world', 'hello world', 'hello'],
        [MatchingAttributes.Contains, 'lo wo', 'hello world', 'goodbye'],
        [MatchingAttributes.Matches, '^h.*d$', 'hello world', 'hello'],
        [MatchingAttributes.DoesNotMatch, 'bad.*', 'good', 'bad thing'],
        [MatchingAttributes.EqualToXml, '<a><b>1</b></a>', '<a>  <b>1</b></a>', '<a><b>2</b></a>'],
        [MatchingAttributes.MatchesJsonPath, '$.items[?(@.n > 1)]', '{"items":[{"n":2}]}', '{"items":[{"n":1}]}'],
        [MatchingAttributes.BinaryEqualTo, Buffer.from('bin').toString('base64'), 'bin', 'nib'],
    ])('requestBodyFeature %s', async (feature, expected, good, bad) => {
        const stub = await mock.register(
            { method: 'POST', endpoint: '/body', body: expected },
            { status: 200, body: 'matched' },
            { requestBodyFeature: feature, responseBodyType: BodyType.Body },
        );
        expect(stub.request.bodyPatterns).toEqual([{ [feature]: expected }]);
        expect((await fetch(url('/body'), { method: 'POST', body: good })).status).toBe(200);
        expect((await fetch(url('/body'), { method: 'POST', body: bad })).status).toBe(404);
    });

    test.each([
        [EndpointFeature.Default, '/ep/a?x=1', '/ep/a?x=1', '/ep/a'],
        [EndpointFeature.UrlPath, '/ep/a', '/ep/a?x=1', '/ep/b'],
        [EndpointFeature.UrlPathPattern, '/ep/[a-z]+', '/ep/abc?x=1', '/ep/123'],
        [EndpointFeature.UrlPattern, '/ep/[a-z]+\\?x=1', '/ep/abc?x=1', '/ep/abc'],
    ])('requestEndpointFeature %s', async (feature, endpoint, good, bad) => {
        const stub = await mock.register(
            { method: 'GET', endpoint },
            { status: 200, body: 'ep' },
            { requestEndpointFeature: feature, responseBodyType: BodyType.Body },
        );
        expect(stub.request[feature]).toBe(endpoint);
        expect((await fetch(url(good))).status).toBe(200);
        expect((await fetch(url(bad))).status).toBe(404);
    });

    test('headers, cookies, query and form parameters with their own matchers', async () => {
        const stub = await mock.register(
            {
                method: 'POST',
                endpoint: '/all',
                headers: { 'X-Trace': 'abc-123', Accept: 'json' },
                cookies: { session: 'sess-[0-9]+', theme: 'dark' },
                queryParameters: { page: '[0-9]+', sort: 'asc' },
                formParameters: { user: 'bo', other: '1' },
            },
            { status: 200, body: 'all good' },
            {
                requestEndpointFeature: EndpointFeature.UrlPath,
                requestHeaderFeatures: { 'X-Trace': MatchingAttributes.Matches, Accept: MatchingAttributes.Contains },
                requestQueryParamFeatures: { page: MatchingAttributes.Matches },
                requestCookieFeatures: { session: MatchingAttributes.Matches },
                requestFormParameterFeatures: { user: MatchingAttributes.Contains },
                responseBodyType: BodyType.Body,
            },
        );
        expect(stub.request.headers).toEqual({
            'X-Trace': { matches: 'abc-123' },
            Accept: { contains: 'json' },
        });
        expect(stub.request.cookies).toEqual({ session: { matches: 'sess-[0-9]+' }, theme: { equalTo: 'dark' } });
        expect(stub.request.queryParameters).toEqual({ page: { matches: '[0-9]+' }, sort: { equalTo: 'asc' } });
        expect(stub.request.formParameters).toEqual({ user: { contains: 'bo' }, other: { equalTo: '1' } });
        const send = (cookie, page, form = 'user=bob&other=1') =>
            fetch(url(`/all?page=${page}&sort=asc`), {
                method: 'POST',
                headers: {
                    'X-Trace': 'abc-123',
                    Accept: 'application/json',
                    Cookie: cookie,
                    'Content-Type': 'application/x-www-form-urlencoded',
                },
                body: form,
            });
        const ok = await send('session=sess-1; theme=dark', '12');
        expect(ok.status).toBe(200);
        expect(await ok.text()).toBe('all good');
        expect((await send('session=other; theme=dark', '12')).status).toBe(404);
        expect((await send('session=sess-1', '12')).status).toBe(404); // theme missing
        expect((await send('session=sess-1; theme=dark', 'x')).status).toBe(404);
        expect((await send('session=sess-1; theme=dark', '12', 'user=alice&other=1')).status).toBe(404);
    });

    test.each([
        [BodyType.Default, { a: 1 }, '{"a":1}', 'application/json; charset=utf-8'],
        [BodyType.Body, 'plain text', 'plain text', null],
        [BodyType.Base64Body, Buffer.from('decoded!').toString('base64'), 'decoded!', null],
    ])('responseBodyType %s', async (type, body, expected, contentType) => {
        const stub = await mock.register(
            { method: 'GET', endpoint: '/rb' },
            { status: 200, body, headers: { 'X-Extra': 'yes' } },
            { responseBodyType: type },
        );
        expect(stub.response[type]).toEqual(body);
        const r = await fetch(url('/rb'));
        expect(await r.text()).toBe(expected);
        expect(r.headers.get('x-extra')).toBe('yes');
        expect(r.headers.get('content-type')).toBe(contentType);
    });

    test('responseDelay FIXED delays the answer', async () => {
        const stub = await mock.register(
            { method: 'GET', endpoint: '/slow' },
            { status: 200, body: 'late' },
            { responseDelay: { type: DelayType.FIXED, constantDelay: 300 }, responseBodyType: BodyType.Body },
        );
        expect(stub.response.fixedDelayMilliseconds).toBe(300);
        const t0 = Date.now();
        expect(await (await fetch(url('/slow'))).text()).toBe('late');
        expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    });

    test('responseDelay UNIFORM stays within its bounds', async () => {
        const stub = await mock.register(
            { method: 'GET', endpoint: '/uniform' },
            { status: 200, body: 'u' },
            { responseDelay: { type: DelayType.UNIFORM, lower: 100, upper: 200 }, responseBodyType: BodyType.Body },
        );
        expect(stub.response.delayDistribution).toEqual({ type: 'uniform', lower: 100, upper: 200 });
        const t0 = Date.now();
        await (await fetch(url('/uniform'))).text();
        const took = Date.now() - t0;
        expect(took).toBeGreaterThanOrEqual(95);
        expect(took).toBeLessThan(2000);
    });

    test('responseDelay LOG_NORMAL is stored and applied', async () => {
        const stub = await mock.register(
            { method: 'GET', endpoint: '/lognormal' },
            { status: 200, body: 'l' },
            { responseDelay: { type: DelayType.LOG_NORMAL, median: 50, sigma: 0.1 }, responseBodyType: BodyType.Body },
        );
        expect(stub.response.delayDistribution).toEqual({ type: 'lognormal', median: 50, sigma: 0.1 });
        const t0 = Date.now();
        expect((await fetch(url('/lognormal'))).status).toBe(200);
        expect(Date.now() - t0).toBeGreaterThanOrEqual(20);
    });

    test('responseDelay CHUNKED_DRIBBLE sends the whole body slowly', async () => {
        const stub = await mock.register(
            { method: 'GET', endpoint: '/dribble' },
            { status: 200, body: 'abcdefghij' },
            {
                responseDelay: { type: DelayType.CHUNKED_DRIBBLE, numberOfChunks: 5, totalDuration: 300 },
                responseBodyType: BodyType.Body,
            },
        );
        expect(stub.response.chunkedDribbleDelay).toEqual({ numberOfChunks: 5, totalDuration: 300 });
        const t0 = Date.now();
        expect(await (await fetch(url('/dribble'))).text()).toBe('abcdefghij');
        expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    });

    test('stubPriority: the lower number wins', async () => {
        await mock.register({ method: 'GET', endpoint: '/prio' }, { status: 200, body: 'low' }, {
            stubPriority: 9,
            responseBodyType: BodyType.Body,
        });
        const high = await mock.register({ method: 'GET', endpoint: '/prio' }, { status: 200, body: 'high' }, {
            stubPriority: 1,
            responseBodyType: BodyType.Body,
        });
        await mock.register({ method: 'GET', endpoint: '/prio' }, { status: 200, body: 'mid' }, {
            stubPriority: 5,
            responseBodyType: BodyType.Body,
        });
        expect(high.priority).toBe(1);
        expect(await (await fetch(url('/prio'))).text()).toBe('high');
    });

    test('scenario: states advance and resetAllScenarios starts again', async () => {
        const first = await mock.register({ method: 'GET', endpoint: '/flow' }, { status: 200, body: 'one' }, {
            scenario: { scenarioName: 'flow', requiredScenarioState: 'Started', newScenarioState: 'second' },
            responseBodyType: BodyType.Body,
        });
        await mock.register({ method: 'GET', endpoint: '/flow' }, { status: 200, body: 'two' }, {
            scenario: { scenarioName: 'flow', requiredScenarioState: 'second' },
            responseBodyType: BodyType.Body,
        });
        expect(first).toMatchObject({ scenarioName: 'flow', requiredScenarioState: 'Started', newScenarioState: 'second' });
        expect(await (await fetch(url('/flow'))).text()).toBe('one');
        expect(await (await fetch(url('/flow'))).text()).toBe('two');
        expect(await (await fetch(url('/flow'))).text()).toBe('two');
        const scenarios = await mock.getAllScenarios();
        expect(scenarios).toHaveLength(1);
        expect(scenarios[0]).toMatchObject({ id: 'flow', name: 'flow', state: 'second' });
        expect([...scenarios[0].possibleStates].sort()).toEqual(['Started', 'second']);
        const reset = await mock.resetAllScenarios();
        expect(reset.status).toBe(200);
        expect((await mock.getAllScenarios())[0].state).toBe('Started');
        expect(await (await fetch(url('/flow'))).text()).toBe('one');
    });

    test('response-template transformer renders the request into the response', async () => {
        const stub = await mock.register(
            { method: 'GET', endpoint: '/hello/ann?x=1' },
            { status: 200, body: 'hi {{request.pathSegments.[1]}} x={{request.query.x}}' },
            { responseTransformers: [ResponseTransformer.RESPONSE_TEMPLATE], responseBodyType: BodyType.Body },
        );
        expect(stub.response.transformers).toEqual(['response-template']);
        expect(await (await fetch(url('/hello/ann?x=1'))).text()).toBe('hi ann x=1');
    });

    test('webhook registration is stored as a postServeAction, each delay kind', async () => {
        const delays = [
            [{ type: DelayType.FIXED, constantDelay: 10 }, { type: 'fixed', milliseconds: 10 }],
            [{ type: DelayType.UNIFORM, lower: 1, upper: 5 }, { type: 'uniform', lower: 1, upper: 5 }],
            [{ type: DelayType.LOG_NORMAL, median: 5, sigma: 0.1 }, { type: 'lognormal', median: 5, sigma: 0.1 }],
        ];
        for (const [delay, stored] of delays) {
            const stub = await mock.register(
                { method: 'POST', endpoint: '/hooked' },
                { status: 202 },
                {
                    webhook: {
                        method: 'POST',
                        url: 'http://127.0.0.1:9/callback',
                        headers: { 'X-Hook': 'yes' },
                        body: { type: 'JSON', data: { event: 'done' } },
                        delay,
                    },
                },
            );
            expect(stub.postServeActions).toEqual([
                {
                    name: 'webhook',
                    parameters: {
                        method: 'POST',
                        url: 'http://127.0.0.1:9/callback',
                        headers: { 'X-Hook': 'yes' },
                        body: '{"event":"done"}',
                        delay: stored,
                    },
                },
            ]);
            const fetched = await mock.getMapping(stub.id);
            expect(fetched.postServeActions).toEqual(stub.postServeActions);
        }
        const stringBody = await mock.register({ method: 'POST', endpoint: '/hooked2' }, { status: 202 }, {
            webhook: { method: 'PUT', url: 'http://127.0.0.1:9/cb', body: { type: 'String', data: 'plain' } },
        });
        expect(stringBody.postServeActions[0].parameters).toEqual({
            method: 'PUT',
            url: 'http://127.0.0.1:9/cb',
            body: 'plain',
        });
        // The stub still answers (the webhook fires after the response).
        expect((await fetch(url('/hooked2'), { method: 'POST' })).status).toBe(202);
    });

    test('metadata is stored with the stub', async () => {
        const stub = await mock.register(
            { method: 'GET', endpoint: '/meta', metadata: { team: 'core', tags: ['x'] } },
            { status: 204 },
        );
        expect(stub.metadata).toEqual({ team: 'core', tags: ['x'] });
    });

    test('features given to the constructor are defaults that register can override', async () => {
        const textMock = new WireMock(server.baseUrl, { responseBodyType: BodyType.Body });
        await textMock.register({ method: 'GET', endpoint: '/ctor' }, { status: 200, body: 'text' });
        const r = await fetch(url('/ctor'));
        expect(await r.text()).toBe('text');
        expect(r.headers.get('content-type')).toBeNull();
        await textMock.register({ method: 'GET', endpoint: '/ctor2' }, { status: 200, body: { j: 1 } }, {
            responseBodyType: BodyType.Default,
        });
        expect(await (await fetch(url('/ctor2'))).json()).toEqual({ j: 1 });
    });
});

describe('faults', () => {
    const get = (path) => rawRequest(server.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);

    test('EMPTY_RESPONSE closes without a byte', async () => {
        const stub = await mock.register({ method: 'GET', endpoint: '/f/empty' }, { status: 200, body: 'x' }, {
            fault: WireMockFault.EMPTY_RESPONSE,
        });
        expect(stub.response).toMatchObject({ fault: 'EMPTY_RESPONSE' });
        const r = await get('/f/empty');
        expect(r.raw.length).toBe(0);
        await expect(fetch(url('/f/empty'))).rejects.toThrow();
    });

    test('CONNECTION_RESET_BY_PEER resets the connection', async () => {
        await mock.register({ method: 'GET', endpoint: '/f/reset' }, { status: 200 }, {
            fault: WireMockFault.CONNECTION_RESET_BY_PEER,
        });
        const r = await get('/f/reset');
        expect(r.status).toBeNull();
        expect(r.error?.code).toBe('ECONNRESET');
    });

    test('RANDOM_DATA_THEN_CLOSE sends garbage, not HTTP', async () => {
        await mock.register({ method: 'GET', endpoint: '/f/random' }, { status: 200 }, {
            fault: WireMockFault.RANDOM_DATA_THEN_CLOSE,
        });
        const r = await get('/f/random');
        expect(r.raw.length).toBeGreaterThan(0);
        expect(r.status).toBeNull();
        await expect(fetch(url('/f/random'))).rejects.toThrow();
    });

    test('MALFORMED_RESPONSE_CHUNK sends a 200 head, then garbage instead of the body', async () => {
        await mock.register({ method: 'GET', endpoint: '/f/chunk' }, { status: 200, body: 'the body' }, {
            fault: WireMockFault.MALFORMED_RESPONSE_CHUNK,
        });
        const r = await get('/f/chunk');
        expect(r.status).toBe(200);
        const rest = r.raw.subarray(r.head.length + 4);
        expect(rest.length).toBeGreaterThan(0);
        expect(rest.toString('latin1')).not.toContain('the body');
    });
});

describe('mappings', () => {
    test('getAllMappings, getMapping and deleteMapping', async () => {
        const a = await mock.register({ method: 'GET', endpoint: '/m/a' }, { status: 200 });
        const b = await mock.register({ method: 'GET', endpoint: '/m/b' }, { status: 200 });
        const all = await mock.getAllMappings();
        expect(all.map((m) => m.id)).toEqual(expect.arrayContaining([a.id, b.id, '0f1e2d3c-0000-4000-8000-000000000001']));
        const one = await mock.getMapping(a.id);
        expect(one).toMatchObject({ id: a.id, uuid: a.id, request: { method: 'GET', url: '/m/a' } });
        const del = await mock.deleteMapping(a.id);
        expect(del.status).toBe(200);
        expect((await mock.getAllMappings()).map((m) => m.id)).not.toContain(a.id);
        expect((await fetch(url('/m/a'))).status).toBe(404);
        expect((await fetch(url('/m/b'))).status).toBe(200);
    });

    test('clearAllMappings removes every stub, from disk ones included', async () => {
        await mock.register({ method: 'GET', endpoint: '/m/c' }, { status: 200 });
        const r = await mock.clearAllMappings();
        expect(r.status).toBe(200);
        expect(await mock.getAllMappings()).toEqual([]);
        expect((await fetch(url('/default'))).status).toBe(404);
        expect(fs.existsSync(path.join(server.root, 'mappings', 'default.json'))).toBe(false);
        await restoreDefault();
    });

    test('resetMappings restores the mappings on disk and drops the rest', async () => {
        await mock.register({ method: 'GET', endpoint: '/m/d' }, { status: 200 });
        const r = await mock.resetMappings();
        expect(r.status).toBe(200);
        const all = await mock.getAllMappings();
        expect(all.map((m) => m.id)).toEqual(['0f1e2d3c-0000-4000-8000-000000000001']);
        expect(await (await fetch(url('/default'))).text()).toBe('from disk');
    });

    test('findMappingByMetadata and removeMappingByMetadata', async () => {
        await mock.register({ method: 'GET', endpoint: '/md/1', metadata: { team: 'a', n: 1 } }, { status: 200 });
        await mock.register({ method: 'GET', endpoint: '/md/2', metadata: { team: 'b', n: 2 } }, { status: 200 });
        // equalToJson compares the whole metadata object.
        expect(await mock.findMappingByMetadata({ team: 'a' }, MatchingAttributes.EqualToJson)).toEqual([]);
        const found = await mock.findMappingByMetadata({ team: 'a', n: 1 }, MatchingAttributes.EqualToJson);
        expect(found).toHaveLength(1);
        expect(found[0].request.url).toBe('/md/1');
        const byPath = await mock.findMappingByMetadata(
            { expression: '$.n', equalTo: '2' },
            MatchingAttributes.MatchesJsonPath,
        );
        expect(byPath.map((m) => m.request.url)).toEqual(['/md/2']);
        const removed = await mock.removeMappingByMetadata({ team: 'b', n: 2 }, MatchingAttributes.EqualToJson);
        expect(removed).toEqual({});
        expect((await fetch(url('/md/2'))).status).toBe(404);
        expect((await fetch(url('/md/1'))).status).toBe(200);
    });
});

describe('journal', () => {
    test('getAllRequests, getRequestsForAPI and getUnmatchedRequests', async () => {
        await mock.register({ method: 'GET', endpoint: '/j/ok' }, { status: 200 });
        await fetch(url('/j/ok'));
        await fetch(url('/j/ok'), { method: 'DELETE' });
        await fetch(url('/j/missing'));
        const all = await mock.getAllRequests();
        expect(all).toHaveLength(3);
        expect(all[0].request.url).toBe('/j/missing'); // newest first
        expect(all.map((e) => e.wasMatched)).toEqual([false, false, true]);
        const forApi = await mock.getRequestsForAPI('GET', '/j/ok');
        expect(forApi).toHaveLength(1);
        expect(forApi[0].responseDefinition.status).toBe(200);
        const unmatched = await mock.getUnmatchedRequests();
        expect(unmatched.map((r) => `${r.method} ${r.url}`).sort()).toEqual(['DELETE /j/ok', 'GET /j/missing']);
    });

    test('clearAllRequests empties the journal, clearAll the stubs too', async () => {
        await mock.register({ method: 'GET', endpoint: '/j/x' }, { status: 200 });
        await fetch(url('/j/x'));
        const r = await mock.clearAllRequests();
        expect(r.status).toBe(200);
        expect(await mock.getAllRequests()).toEqual([]);
        await fetch(url('/j/x'));
        const [mappings, requests] = await mock.clearAll();
        expect(mappings.status).toBe(200);
        expect(requests.status).toBe(200);
        expect(await mock.getAllMappings()).toEqual([]);
        expect(await mock.getAllRequests()).toEqual([]);
        await restoreDefault();
    });

    test('clearAllExceptDefault keeps the disk stubs and clears the journal', async () => {
        await mock.register({ method: 'GET', endpoint: '/j/y' }, { status: 200 });
        await fetch(url('/j/y'));
        const [mappings, requests] = await mock.clearAllExceptDefault();
        expect(mappings.status).toBe(200);
        expect(requests.status).toBe(200);
        expect((await mock.getAllMappings()).map((m) => m.request.url)).toEqual(['/default']);
        expect(await mock.getAllRequests()).toEqual([]);
    });
});

describe('WireMockAPI', () => {
    test('register, registerDefaultResponse and getRequestsForAPI are bound to one endpoint', async () => {
        const api = new WireMockAPI(server.baseUrl, '/api/items', 'POST', { responseBodyType: BodyType.Body });
        const fallback = await api.registerDefaultResponse({ status: 400, body: 'bad item' }, { stubPriority: 9 });
        expect(fallback.request).toEqual({ method: 'POST', url: '/api/items' });
        const specific = await api.register({ body: { ok: true } }, { status: 201, body: 'created' }, { stubPriority: 1 });
        expect(specific.request.bodyPatterns[0].equalToJson).toEqual({ ok: true });
        const good = await fetch(url('/api/items'), { method: 'POST', body: '{"ok":true}' });
        expect(good.status).toBe(201);
        expect(await good.text()).toBe('created');
        const bad = await fetch(url('/api/items'), { method: 'POST', body: '{"ok":false}' });
        expect(bad.status).toBe(400);
        expect(await bad.text()).toBe('bad item');
        await fetch(url('/api/items'));
        const seen = await api.getRequestsForAPI();
        expect(seen).toHaveLength(2);
        expect(seen.every((e) => e.request.method === 'POST')).toBe(true);
    });
});
