// A Postman collection mockd exports, run by Postman's own runner (newman) against the server
// that exported it: every request must get the answer saved with it.
import newman from 'newman';
import { startMockd } from './lib/mockd.js';

const MOCKS = [
    {
        id: 'get-user', name: 'Get user', type: 'http',
        http: {
            matcher: { method: 'GET', path: '/users/{id}' },
            response: { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"id": "7", "name": "Ann"}' },
        },
    },
    {
        id: 'search', type: 'http',
        http: {
            matcher: { method: 'GET', path: '/search', queryParams: { q: 'cats' }, headers: { 'X-Team': 'blue' } },
            response: { statusCode: 203, body: 'three cats' },
        },
    },
    {
        id: 'create', type: 'http',
        http: {
            matcher: { method: 'POST', path: '/orders', bodyContains: 'urgent' },
            response: { statusCode: 201, headers: { 'X-Order': 'o-1' }, body: '{"queued": true}' },
        },
    },
    {
        id: 'gone', type: 'http',
        http: { matcher: { method: 'DELETE', path: '/orders/{id}' }, response: { statusCode: 204 } },
    },
];

let server;
beforeAll(async () => {
    server = await startMockd({ mocks: MOCKS });
});
afterAll(async () => {
    await server?.stop();
});

function runNewman(collection, baseUrl) {
    return new Promise((resolve, reject) => {
        newman.run(
            { collection, envVar: [{ key: 'baseUrl', value: baseUrl }], reporters: [] },
            (err, summary) => (err ? reject(err) : resolve(summary)),
        );
    });
}

test('newman runs the exported Postman collection and gets every saved answer', async () => {
    const res = await fetch(`${server.adminUrl}/config?format=postman`);
    expect(res.status).toBe(200);
    const collection = await res.json();
    expect(collection.info.schema).toContain('v2.1.0');
    expect(collection.item).toHaveLength(MOCKS.length);

    const summary = await runNewman(collection, server.url);
    expect(summary.run.failures).toEqual([]);
    const executions = summary.run.executions;
    expect(executions).toHaveLength(MOCKS.length);
    for (const ex of executions) {
        const saved = collection.item.find((i) => i.name === ex.item.name).response[0];
        expect({ name: ex.item.name, code: ex.response.code }).toEqual({ name: ex.item.name, code: saved.code });
        expect(ex.response.stream ? ex.response.stream.toString() : '').toBe(saved.body);
        for (const h of saved.header) expect(ex.response.headers.get(h.key)).toBe(h.value);
    }
});

test('the OpenAPI and Insomnia exports describe the same mocks', async () => {
    const spec = await (await fetch(`${server.adminUrl}/openapi.json`)).json();
    expect(Object.keys(spec.paths).sort()).toEqual(['/orders', '/orders/{id}', '/search', '/users/{id}']);
    expect(spec.paths['/users/{id}'].get.responses['200'].content['application/json'].example).toEqual({ id: '7', name: 'Ann' });
    const insomnia = await (await fetch(`${server.adminUrl}/insomnia.json`)).json();
    expect(insomnia.resources.filter((r) => r._type === 'request')).toHaveLength(MOCKS.length);
    const yaml = await (await fetch(`${server.adminUrl}/openapi.yaml`)).text();
    expect(yaml).toContain('openapi: 3.1.0');
});
