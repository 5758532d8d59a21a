#!/usr/bin/env python3
"""Regenerates the committed seed corpora under tests/fuzz/corpus/ from inputs the tests already
use (string literals of the unit tests, the WireMock differential cases, the README's admin
examples). Run from the repository root; the output is meant to be reviewed and committed."""
import hashlib
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from seeds_extract import literals  # noqa: E402

ROOT = 'tests/fuzz/corpus'
LIMIT = 40


def write(target, items, first=()):
    """Keeps every input of `first` and an even sample of `items` up to LIMIT in all."""
    d = os.path.join(ROOT, target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)

    def unique(xs):
        out = []
        for t in xs:
            b = t if isinstance(t, bytes) else t.encode()
            if b not in out and len(b) < 4096:
                out.append(b)
        return out
    keep = unique(first)
    rest = [b for b in unique(items) if b not in keep]
    room = max(0, LIMIT - len(keep))
    step = max(1, len(rest) // max(1, room))
    seen = keep + rest
    for b in keep + rest[::step][:room]:
        open(os.path.join(d, hashlib.sha1(b).hexdigest()[:12]), 'wb').write(b)
    print(f'{target}: {len(os.listdir(d))} of {len(seen)}')


def lits(paths, keep):
    out = []
    for p in paths:
        out += [t for t in literals(p) if keep(t)]
    return out


def diff_steps():
    steps = []
    for f in sorted(os.listdir('tests/e2e/wiremock_diff')):
        if not f.endswith('.json') or f == 'root.json':
            continue
        doc = json.load(open(os.path.join('tests/e2e/wiremock_diff', f)))
        for case in doc.get('cases', []):
            steps += [s for s in case.get('steps', []) if 'path' in s and 'method' in s]
    return steps


def body_of(step):
    if 'json' in step:
        return json.dumps(step['json'])
    return step.get('body', '') if isinstance(step.get('body', ''), str) else ''


def raw_http(step):
    body = body_of(step).encode()
    head = f"{step['method']} {step['path']} HTTP/1.1\r\nHost: localhost\r\n"
    for k, v in (step.get('headers') or {}).items():
        head += f'{k}: {v}\r\n'
    if 'json' in step:
        head += 'Content-Type: application/json\r\n'
    if body:
        head += f'Content-Length: {len(body)}\r\n'
    return head.encode() + b'\r\n' + body


STORE = ('{"store":{"book":[{"category":"fiction","title":"A","price":8.95},'
         '{"title":"B","price":12,"isbn":"0-1"}],"bicycle":{"price":19.95}},"a":[1,[2]]}')


def main():
    steps = diff_steps()
    admin_steps = [s for s in steps if s['path'].startswith('/__admin')]
    mock_steps = [s for s in steps if not s['path'].startswith('/__admin')]

    jp = lits(['src/core/jsonpath_test.cpp', 'src/wiremock/matcher_test.cpp'],
              lambda t: t.startswith('$') and len(t) > 1 and '\n' not in t)
    write('jsonpath', [f'{e}\n{STORE}' if i % 2 else e for i, e in enumerate(jp)])

    pairs = []
    for p in ['/api/users', '/users/{id}/posts/{post}', '/files/{name}.json', '/v/{a}-{b}',
              '/api/*', '/a/*/items', '/a%20b', '*', '/{x}', '/a/**/b', '/{id}.{ext}']:
        for path in ['/api/users', '/users/1/posts/2', '/files/x.json', '/v/1-2', '/a/b/items',
                     '/a b', '/', '/a/%2F/b']:
            pairs.append(f'{p}\n{path}')
    write('path_pattern', pairs)

    write('template', lits(['src/template/template_test.cpp', 'tests/e2e/test_90_templates.py',
                            'src/state/table_test.cpp'], lambda t: '{{' in t))
    write('handlebars', lits(['src/wiremock/templating_test.cpp',
                              'tests/e2e/test_98_wiremock_templating.py',
                              'tests/e2e/wiremock_diff/gen_templating.py'], lambda t: '{{' in t))

    stubs = [body_of(s) for s in admin_steps
             if s['path'].startswith('/__admin/mappings') and s['method'] in ('POST', 'PUT')
             and 'json' in s]
    stubs += lits(['src/wiremock/stub_codec_test.cpp', 'src/wiremock/request_pattern_test.cpp'],
                  lambda t: t.lstrip().startswith('{') and '"request"' in t)
    write('stub_codec', stubs)

    cfgs = lits(['src/config/loader_test.cpp', 'tests/e2e/test_40_config.py',
                 'tests/e2e/test_80_tables.py', 'tests/e2e/test_26_sequences.py'],
                lambda t: 'mocks' in t and ('\n' in t or '{' in t))
    write('config', [('1' if c.lstrip().startswith('{') else '0') + c for c in cfgs] +
          ['0' + open('examples/demo.yaml').read()])

    mockd_admin = [
        'GET /health', 'GET /status', 'GET /mocks?type=http&limit=2', 'GET /mocks/m1',
        'POST /mocks\n{"type":"http","http":{"matcher":{"method":"POST","path":"/api/payments"},'
        '"response":{"statusCode":201,"body":"{\\"id\\": \\"pay_123\\"}"}}}',
        'POST /mocks/bulk?replace=true\n[{"id":"m1","type":"http","http":{"matcher":{"path":"/x"},'
        '"response":{"statusCode":200}}},{"type":"http","http":{"matcher":{"path":"/y/{id}"},'
        '"response":{"statusCode":200,"body":"{{request.pathParam.id}}"}}}]',
        'PATCH /mocks/m1\n{"http":{"response":{"statusCode":202}}}',
        'PUT /mocks/m1\n{"id":"m1","type":"http","http":{"matcher":{"path":"/z"},'
        '"response":{"statusCode":200}}}',
        'POST /mocks/m1/toggle', 'POST /mocks/m1/verify\n{"exactly": 1}',
        'POST /mocks/m1/verify\n{"atLeast": 0, "atMost": 3}', 'GET /mocks/m1/invocations',
        'DELETE /verify', 'GET /requests?matched=false&limit=5', 'DELETE /requests',
        'GET /config', 'POST /config?dryRun=true\n{"version":"1.0","mocks":[{"type":"http",'
        '"http":{"matcher":{"path":"/c"},"response":{"statusCode":200}}}]}',
        'POST /config?replace=true\n{"version":"1.0","tables":[{"name":"t","seedData":[{"id":"1"}]}],'
        '"mocks":[]}',
        'GET /chaos', 'PUT /chaos\n{"enabled":true,"latency":{"min":"1ms","max":"2ms"}}',
        'GET /chaos/profiles', 'POST /chaos/profiles/flaky/apply', 'GET /tables',
    ]
    admin = [f"{s['method']} {s['path']}" + (f'\n{body_of(s)}' if body_of(s) else '')
                           for s in admin_steps]
    write('admin', admin, first=mockd_admin)

    http = [raw_http(s) for s in mock_steps + admin_steps[:10]]
    crafted = [
        b'GET /api/hello HTTP/1.1\r\nHost: x\r\n\r\nGET /api/users/7?v=1&q=z HTTP/1.1\r\nHost: x\r\n\r\n',
        b'POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
        b'Transfer-Encoding: chunked\r\n\r\n11\r\n{"item":"a","qty"\r\n3\r\n:2}\r\n0\r\n\r\n',
        b'PUT /re/abc/123 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok',
        b'POST /form HTTP/1.0\r\nContent-Length: 7\r\n\r\na=1&b=2',
        b'GET /seq HTTP/1.1\r\nHost: x\r\n\r\nGET /seq HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        b'GET http://example.test/files/a?x HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nneedle',
        b'GET /wm/42?q=abc HTTP/1.1\r\nHost: x\r\n\r\n',
        b'GET /wm/xyz HTTP/1.1\r\nHost: x\r\nX-K: kk\r\nCookie: c=1\r\n\r\n',
        b'POST /wm/json HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n{"a":[{"b":2}]}\n',
        b'POST /wm/xml HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n<r><a b="1">t</a></r>',
        b'GET /wm/scenario HTTP/1.1\r\nHost: x\r\n\r\nGET /__admin/scenarios HTTP/1.1\r\nHost: x\r\n\r\n',
        b'GET /%7Ba%7D/%zz HTTP/1.1\r\nHost: x\r\n\r\n',
        b'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
        b'HEAD /__mockd/health HTTP/1.1\r\nHost: x\r\n\r\n',
    ]
    write('http', http, first=crafted)


if __name__ == '__main__':
    main()
