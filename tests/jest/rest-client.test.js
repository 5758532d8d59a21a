// wiremock-rest-client used as a real client of `mockd wiremock`: every method of its mappings,
// requests, scenarios, recordings (status) and global services. The library logs and swallows
// HTTP errors (or exits the process), so each test records them and checks there were none.
import fs from 'node:fs';
import path from 'node:path';

import restClient from 'wiremock-rest-client';
import logUtil from 'wiremock-rest-client/dist/util/log.util.js';

import { startWireMock } from './lib/server.js';

const { WireMockRestClient } = restClient;
const { LogUtil } = logUtil;

let server;
let wm;
let errors = [];

beforeAll(async () => {
    server = await startWireMock();
    wm = new WireMockRestClient(server.baseUrl, { logLevel: 'silent' });
    // Instead of process.exit(1) on a non-2xx answer: remember it.
    LogUtil.handleError = (message) => errors.push(message);
});

afterAll(async () => {
    await server?.stop();
});

beforeEach(async () => {
    await wm.global.resetAll();
    await wm.global.updateGlobalSettings({});
    errors = [];
});

afterEach(() => {
    expect(errors).toEqual([]);
});

const url = (p) => `${server.baseUrl}${p}`;
const stub = (u, body = 'ok', extra = {}) => ({
    request: { method: 'GET', url: u },
    response: { status: 200, body },
    ...extra,
});

describe('mappings', () => {
    test('createMapping, getMapping, getAllMappings', async () => {
        const created = await wm.mappings.createMapping(stub('/a', 'A', { name: 'the a stub' }));
        expect(created).toMatchObject({
            id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            name: 'the a stub',
            request: { method: 'GET', url: '/a' },
            response: { status: 200, body: 'A' },
        });
        expect(created.uuid).toBe(created.id);
        expect(await (await fetch(url('/a'))).text()).toBe('A');
        const one = await wm.mappings.getMapping(created.id);
        expect(one).toEqual(created);
        await wm.mappings.createMapping(stub('/b', 'B'));
        const all = await wm.mappings.getAllMappings();
        expect(all.meta).toEqual({ total: 2 });
        expect(all.mappings.map((m) => m.request.url)).toEqual(['/b', '/a']); // newest first
    });

    test('updateMapping replaces the stub, deleteMapping removes it', async () => {
        const created = await wm.mappings.createMapping(stub('/u', 'before'));
        const updated = await wm.mappings.updateMapping(created.id, stub('/u', 'after'));
        expect(updated).toMatchObject({ id: created.id, response: { body: 'after' } });
        expect(await (await fetch(url('/u'))).text()).toBe('after');
        expect(await wm.mappings.deleteMapping(created.id)).toEqual({});
        expect((await fetch(url('/u'))).status).toBe(404);
        expect((await wm.mappings.getAllMappings()).mappings).toEqual([]);
    });

    test('createMappingFromFile and createMappingsFromDir read JSON5 files', async () => {
        // The library reads paths relative to the working directory.
        const abs = fs.mkdtempSync(path.join(process.cwd(), '.wrc-'));
        const dir = path.relative(process.cwd(), abs);
        try {
            fs.writeFileSync(
                path.join(dir, 'one.json'),
                "{ // JSON5: comments and unquoted keys\n request: { method: 'GET', url: '/file/1' }, response: { status: 200, body: 'one' } }",
            );
            fs.writeFileSync(
                path.join(dir, 'two.json'),
                JSON.stringify(stub('/file/2', 'two')),
            );
            const single = await wm.mappings.createMappingFromFile(path.join(dir, 'one.json'));
            expect(single.request.url).toBe('/file/1');
            await wm.mappings.deleteAllMappings();
            const many = await Promise.all(await wm.mappings.createMappingsFromDir(dir));
            expect(many.map((m) => m.request.url).sort()).toEqual(['/file/1', '/file/2']);
            expect(await (await fetch(url('/file/1'))).text()).toBe('one');
            expect(await (await fetch(url('/file/2'))).text()).toBe('two');
        } finally {
            fs.rmSync(abs, { recursive: true, force: true });
        }
    });

    test('saveAllMappings writes every stub under mappings/, resetAllMappings reloads them', async () => {
        await wm.mappings.createMapping(stub('/saved', 'kept'));
        await wm.mappings.saveAllMappings();
        const files = fs.readdirSync(path.join(server.root, 'mappings'));
        expect(files).toHaveLength(1);
        const onDisk = JSON.parse(fs.readFileSync(path.join(server.root, 'mappings', files[0]), 'utf8'));
        expect(onDisk).toMatchObject({ request: { url: '/saved' }, persistent: true });
        await wm.mappings.createMapping(stub('/transient'));
        await wm.mappings.resetAllMappings();
        expect((await fetch(url('/transient'))).status).toBe(404);
        expect(await (await fetch(url('/saved'))).text()).toBe('kept');
        // deleteAllMappings removes the saved file as well.
        expect(await wm.mappings.deleteAllMappings()).toEqual({});
        expect(fs.readdirSync(path.join(server.root, 'mappings'))).toEqual([]);
        expect((await fetch(url('/saved'))).status).toBe(404);
    });

    test('findByMetaData and removeByMetaData', async () => {
        await wm.mappings.createMapping(stub('/m1', 'x', { metadata: { owner: 'team-a', build: 1 } }));
        await wm.mappings.createMapping(stub('/m2', 'x', { metadata: { owner: 'team-b', build: 2 } }));
        const found = await wm.mappings.findByMetaData({
            matchesJsonPath: { expression: '$.owner', equalTo: 'team-a' },
        });
        expect(found.mappings.map((m) => m.request.url)).toEqual(['/m1']);
        expect(found.meta).toEqual({ total: 1 });
        expect(
            await wm.mappings.removeByMetaData({ matchesJsonPath: { expression: '$.build', equalTo: '2' } }),
        ).toEqual({});
        expect((await wm.mappings.getAllMappings()).mappings.map((m) => m.request.url)).toEqual(['/m1']);
    });
});

describe('requests', () => {
    async function traffic() {
        await wm.mappings.createMapping(stub('/r/hit', 'hit', { metadata: { tag: 'journal' } }));
        await fetch(url('/r/hit'), { headers: { 'X-Seen': '1' } });
        await fetch(url('/r/hit'));
        await fetch(url('/r/miss'), { method: 'POST', body: 'nothing' });
    }

    test('getAllRequests and getRequest', async () => {
        await traffic();
        const all = await wm.requests.getAllRequests();
        expect(all.meta).toEqual({ total: 3 });
        expect(all.requestJournalDisabled).toBe(false);
        expect(all.requests.map((e) => e.request.url)).toEqual(['/r/miss', '/r/hit', '/r/hit']);
        const first = all.requests[2];
        const one = await wm.requests.getRequest(first.id);
        expect(one.id).toBe(first.id);
        expect(one.request.headers['X-Seen'] ?? one.request.headers['x-seen']).toBe('1');
        expect(one.wasMatched).toBe(true);
        expect(one.responseDefinition).toMatchObject({ status: 200, body: 'hit' });
    });

    test('getCount and findRequests', async () => {
        await traffic();
        expect(await wm.requests.getCount({ method: 'GET', url: '/r/hit' })).toEqual({
            count: 2,
            requestJournalDisabled: false,
        });
        const found = await wm.requests.findRequests({ method: 'POST', urlPathPattern: '/r/.*' });
        expect(found.requests).toHaveLength(1);
        expect(found.requests[0]).toMatchObject({ url: '/r/miss', method: 'POST', body: 'nothing' });
    });

    test('deleteRequest, removeRequests and removeRequestsByMetadata', async () => {
        await traffic();
        const all = (await wm.requests.getAllRequests()).requests;
        expect(await wm.requests.deleteRequest(all[0].id)).toEqual({});
        expect((await wm.requests.getAllRequests()).meta.total).toBe(2);
        await fetch(url('/r/other'));
        const removed = await wm.requests.removeRequests({ method: 'GET', url: '/r/other' });
        expect(removed.serveEvents.map((e) => e.request.url)).toEqual(['/r/other']);
        const byMeta = await wm.requests.removeRequestsByMetadata({
            matchesJsonPath: { expression: '$.tag', equalTo: 'journal' },
        });
        expect(byMeta.serveEvents).toHaveLength(2);
        expect((await wm.requests.getAllRequests()).requests).toEqual([]);
    });

    test('deleteAllRequests empties the journal', async () => {
        await traffic();
        expect(await wm.requests.deleteAllRequests()).toEqual({});
        expect((await wm.requests.getAllRequests()).requests).toEqual([]);
    });

    test('resetAllRequests (POST /requests/reset): WireMock 3 dropped the route, mockd keeps it', async () => {
        await traffic();
        await wm.requests.resetAllRequests();
        if (server.isJar) {
            expect(errors).toEqual([expect.stringContaining('[404]')]);
            errors = [];
        } else {
            expect((await wm.requests.getAllRequests()).requests).toEqual([]);
        }
    });

    test('getUnmatchedRequests and getUnmatchedNearMisses', async () => {
        await wm.mappings.createMapping({
            request: { method: 'POST', url: '/r/miss', bodyPatterns: [{ equalTo: 'something' }] },
            response: { status: 201 },
        });
        await traffic();
        const unmatched = await wm.requests.getUnmatchedRequests();
        expect(unmatched.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /r/miss']);
        const near = await wm.requests.getUnmatchedNearMisses();
        expect(near.nearMisses.length).toBeGreaterThan(0);
        expect(near.nearMisses[0]).toMatchObject({
            request: { url: '/r/miss', method: 'POST' },
            stubMapping: { request: { url: '/r/miss', method: 'POST' } },
        });
        expect(near.nearMisses[0].matchResult.distance).toBeGreaterThan(0);
        expect(near.nearMisses[0].matchResult.distance).toBeLessThan(1);
    });

    test('getNearMissesByRequest: the top stubs for a logged request', async () => {
        await wm.mappings.createMapping(stub('/near/one'));
        await wm.mappings.createMapping(stub('/far/away/entirely'));
        const near = await wm.requests.getNearMissesByRequest({ method: 'GET', url: '/near/onf' });
        if (server.isJar) {
            // The library posts to /requests/near-misses/request, a route WireMock does not have.
            expect(errors).toEqual([expect.stringContaining('[404]')]);
            errors = [];
            return;
        }
        expect(near.nearMisses[0].stubMapping.request.url).toBe('/near/one');
        expect(near.nearMisses[0].request).toMatchObject({ url: '/near/onf', method: 'GET' });
    });

    test('getNearMissesByRequestPattern: the closest logged requests for a pattern', async () => {
        await fetch(url('/pattern/abc'));
        await fetch(url('/other/thing/x'));
        const near = await wm.requests.getNearMissesByRequestPattern({ method: 'GET', url: '/pattern/abd' });
        if (server.isJar) {
            // The library posts to /requests/near-misses/request-pattern; WireMock has it at
            // /near-misses/request-pattern only.
            expect(errors).toEqual([expect.stringContaining('[404]')]);
            errors = [];
            return;
        }
        expect(near.nearMisses[0].request.url).toBe('/pattern/abc');
        expect(near.nearMisses[0].requestPattern).toEqual({ method: 'GET', url: '/pattern/abd' });
    });
});

describe('scenarios', () => {
    async function scenario() {
        await wm.mappings.createMapping(
            stub('/s', 'first', { scenarioName: 'Checkout', requiredScenarioState: 'Started', newScenarioState: 'Paid' }),
        );
        await wm.mappings.createMapping(stub('/s', 'second', { scenarioName: 'Checkout', requiredScenarioState: 'Paid' }));
    }

    test('getAllScenarios and resetAllScenarios', async () => {
        await scenario();
        expect(await (await fetch(url('/s'))).text()).toBe('first');
        const list = await wm.scenarios.getAllScenarios();
        expect(list.scenarios).toHaveLength(1);
        expect(list.scenarios[0]).toMatchObject({ id: 'Checkout', name: 'Checkout', state: 'Paid' });
        expect(list.scenarios[0].possibleStates.sort()).toEqual(['Paid', 'Started']);
        expect(list.scenarios[0].mappings).toHaveLength(2);
        expect(await wm.scenarios.resetAllScenarios()).toEqual({});
        expect((await wm.scenarios.getAllScenarios()).scenarios[0].state).toBe('Started');
    });

    test('setScenarioState and resetScenario', async () => {
        await scenario();
        expect(await wm.scenarios.setScenarioState('Checkout', 'Paid')).toEqual({});
        expect(await (await fetch(url('/s'))).text()).toBe('second');
        expect(await wm.scenarios.resetScenario('Checkout')).toEqual({});
        expect(await (await fetch(url('/s'))).text()).toBe('first');
    });

    test('setScenarioState to an unknown scenario is a 404', async () => {
        await wm.scenarios.setScenarioState('Nope', 'x');
        expect(errors).toEqual([expect.stringContaining('[404]')]);
        errors = [];
    });
});

describe('global', () => {
    test('updateGlobalSettings adds a delay to every stub', async () => {
        await wm.mappings.createMapping(stub('/slow', 'late'));
        await wm.global.updateGlobalSettings({ fixedDelay: 1000 });
        const settings = await (await fetch(url('/__admin/settings'))).json();
        expect(settings.settings.fixedDelay).toBe(1000);
        const t0 = Date.now();
        expect(await (await fetch(url('/slow'))).text()).toBe('late');
        expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
        // Settings are replaced wholesale: {} takes the delay away (with room for a slow CI).
        await wm.global.updateGlobalSettings({});
        const t1 = Date.now();
        await (await fetch(url('/slow'))).text();
        expect(Date.now() - t1).toBeLessThan(700);
    });

    test('resetAll drops the stubs made through the API and the journal', async () => {
        await wm.mappings.createMapping(stub('/gone'));
        await fetch(url('/gone'));
        await wm.global.resetAll();
        expect((await wm.mappings.getAllMappings()).mappings).toEqual([]);
        expect((await wm.requests.getAllRequests()).requests).toEqual([]);
    });
});

describe('recordings', () => {
    test('getRecordingStatus before any recording', async () => {
        expect(await wm.recordings.getRecordingStatus()).toEqual({ status: 'NeverStarted' });
    });

    test('stopRecording when not recording is WireMock error 30', async () => {
        const r = await wm.recordings.stopRecording();
        expect(r).toEqual({ errors: [{ code: 30, title: 'Not currently recording.' }] });
        expect(errors).toEqual([expect.stringContaining('[400]')]);
        errors = [];
    });
});

describe('shutdown', () => {
    test('shutdown stops the server', async () => {
        const own = await startWireMock();
        try {
            const client = new WireMockRestClient(own.baseUrl, { logLevel: 'silent' });
            await client.global.shutdown();
            await own.waitExit(15000);
            await expect(fetch(`${own.baseUrl}/__admin/health`)).rejects.toThrow();
        } finally {
            await own.stop();
        }
    });
});
