#!/usr/bin/env python3
"""Writes the benchmark suite's stub sets, for mockd and for WireMock, into OUT_DIR.

  mockd-one.yaml            one static mock (start-up with 1 stub)
  mockd-small.yaml          the static mock, a templated mock (request fields + faker) and a
                            stateful table with get and create mocks
  mockd-10k.yaml / .json    10,000 mocks of mixed kinds (the same set in both formats)
  wm-one/mappings/          one static stub (WireMock format)
  wm-small/mappings/        the static stub and a templated stub (Handlebars + randomValue)
  wm-10k/mappings/          the 10,000 stubs as WireMock mappings (one file, {"mappings": [...]})

The 10,000 stubs, in order: of every 20, 8 literal GET paths, 5 {param} paths, 3 regexes,
2 literal paths with a header matcher and 2 POST paths with a body matcher (bodyContains and
bodyJsonPath in turn). The last one added (index 9999) is a literal GET path, so the suite's
"last-added" request is GET /lit/r9999/items and its near miss GET /lit/r9999/itemz.

Usage: gen_stubs.py OUT_DIR [--count N]
"""
import argparse
import json
import os
import re

STATIC_BODY = '{"message":"hello"}'
MOCKD_TEMPLATE = ('{"id": "{{request.pathParam.id}}", "q": "{{request.query.q}}", '
                  '"name": "{{faker.name}}", "email": "{{faker.email}}", '
                  '"card": "{{faker.creditCard}}"}')
WM_TEMPLATE = ('{"id": "{{request.path.id}}", "q": "{{request.query.q}}", '
               '"name": "{{randomValue length=12 type=\'ALPHABETIC\'}}", '
               '"email": "{{randomValue length=8 type=\'ALPHANUMERIC\'}}@example.com", '
               '"card": "{{randomValue length=16 type=\'NUMERIC\'}}"}')

LAST_PATH = "/lit/r{last}/items"
MISS_PATH = "/lit/r{last}/itemz"


def kind_of(i, n):
    if i == n - 1:
        return "literal"
    r = i % 20
    if r < 8:
        return "literal"
    if r < 13:
        return "param"
    if r < 16:
        return "regex"
    if r < 18:
        return "header"
    return "body"


def mockd_static():
    return {"id": "hello", "type": "http",
            "http": {"matcher": {"method": "GET", "path": "/api/hello"},
                     "response": {"statusCode": 200,
                                  "headers": {"Content-Type": "application/json"},
                                  "body": STATIC_BODY}}}


def wm_static():
    return {"request": {"method": "GET", "urlPath": "/api/hello"},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": STATIC_BODY}}


def mockd_stub(i, n):
    s = str(i)
    k = kind_of(i, n)
    if k == "literal":
        m = {"method": "GET", "path": f"/lit/r{s}/items"}
    elif k == "param":
        m = {"method": "GET", "path": f"/p{s}/{{id}}/items/{{item}}"}
    elif k == "regex":
        m = {"method": "GET", "pathPattern": f"^/rx/r{s}/[0-9]+$"}
    elif k == "header":
        m = {"method": "GET", "path": f"/hdr/r{s}", "headers": {"X-Tenant": f"t{s}"}}
    elif (i // 20) % 2 == 0:
        m = {"method": "POST", "path": f"/body/r{s}", "bodyContains": f'"order":"o{s}"'}
    else:
        m = {"method": "POST", "path": f"/body/r{s}", "bodyJsonPath": {"$.order": f"o{s}"}}
    return {"id": f"m{s}", "type": "http",
            "http": {"matcher": m,
                     "response": {"statusCode": 200,
                                  "headers": {"Content-Type": "application/json"},
                                  "body": f'{{"n":{s}}}'}}}


def wm_stub(i, n):
    s = str(i)
    k = kind_of(i, n)
    if k == "literal":
        r = {"method": "GET", "urlPath": f"/lit/r{s}/items"}
    elif k == "param":
        r = {"method": "GET", "urlPathTemplate": f"/p{s}/{{id}}/items/{{item}}"}
    elif k == "regex":
        r = {"method": "GET", "urlPathPattern": f"/rx/r{s}/[0-9]+"}
    elif k == "header":
        r = {"method": "GET", "urlPath": f"/hdr/r{s}",
             "headers": {"X-Tenant": {"equalTo": f"t{s}"}}}
    elif (i // 20) % 2 == 0:
        r = {"method": "POST", "urlPath": f"/body/r{s}",
             "bodyPatterns": [{"contains": f'"order":"o{s}"'}]}
    else:
        r = {"method": "POST", "urlPath": f"/body/r{s}",
             "bodyPatterns": [{"matchesJsonPath": {"expression": "$.order", "equalTo": f"o{s}"}}]}
    return {"name": f"m{s}", "request": r,
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                         "body": f'{{"n":{s}}}'}}


def yaml_scalar(v):
    # JSON is valid YAML flow syntax: every value is written as a JSON scalar.
    return json.dumps(v)


def yaml_key(k):
    return k if re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_.$-]*", k) else json.dumps(k)


def to_yaml(doc):
    """Block-style YAML with JSON flow values for leaves (yaml-cpp reads it as written)."""
    out = []

    def emit(v, indent, key=None, in_list=False):
        pad = "  " * indent
        lead = pad + ("- " if in_list else "")
        if isinstance(v, dict) and v:
            first = True
            for k, x in v.items():
                p = lead if first else ("  " * indent + ("  " if in_list else ""))
                first = False
                if isinstance(x, (dict, list)) and x:
                    out.append(f"{p}{yaml_key(k)}:")
                    emit(x, indent + (2 if in_list else 1))
                else:
                    out.append(f"{p}{yaml_key(k)}: {yaml_scalar(x)}")
        elif isinstance(v, list) and v:
            for x in v:
                if isinstance(x, (dict, list)) and x:
                    emit(x, indent, in_list=True)
                else:
                    out.append(f"{pad}- {yaml_scalar(x)}")
        else:
            out.append(lead + yaml_scalar(v))

    emit(doc, 0)
    return "\n".join(out) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=10000)
    a = ap.parse_args()
    n = a.count
    out = a.out

    write(os.path.join(out, "mockd-one.yaml"), to_yaml({"version": "1.0", "mocks": [mockd_static()]}))
    small = {
        "version": "1.0",
        "tables": [{"name": "items", "seedData": [{"id": "1", "name": "Alice", "tier": "gold"}]}],
        "mocks": [
            mockd_static(),
            {"id": "templated", "type": "http",
             "http": {"matcher": {"method": "GET", "path": "/api/users/{id}"},
                      "response": {"statusCode": 200,
                                   "headers": {"Content-Type": "application/json"},
                                   "body": MOCKD_TEMPLATE}}},
            {"id": "get-item", "type": "http",
             "http": {"matcher": {"method": "GET", "path": "/api/items/{id}"}}},
            {"id": "create-item", "type": "http",
             "http": {"matcher": {"method": "POST", "path": "/api/items"}}},
        ],
        "extend": [{"mock": "get-item", "table": "items", "action": "get"},
                   {"mock": "create-item", "table": "items", "action": "create"}],
    }
    write(os.path.join(out, "mockd-small.yaml"), to_yaml(small))
    big = {"version": "1.0", "mocks": [mockd_stub(i, n) for i in range(n)]}
    write(os.path.join(out, "mockd-10k.yaml"), to_yaml(big))
    write(os.path.join(out, "mockd-10k.json"), json.dumps(big, indent=1) + "\n")

    write(os.path.join(out, "wm-one", "mappings", "one.json"), json.dumps(wm_static(), indent=1) + "\n")
    os.makedirs(os.path.join(out, "wm-one", "__files"), exist_ok=True)
    wm_tpl = {"request": {"method": "GET", "urlPathTemplate": "/api/users/{id}"},
              "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                           "body": WM_TEMPLATE, "transformers": ["response-template"]}}
    write(os.path.join(out, "wm-small", "mappings", "small.json"),
          json.dumps({"mappings": [wm_static(), wm_tpl]}, indent=1) + "\n")
    os.makedirs(os.path.join(out, "wm-small", "__files"), exist_ok=True)
    write(os.path.join(out, "wm-10k", "mappings", "stubs.json"),
          json.dumps({"mappings": [wm_stub(i, n) for i in range(n)]}, indent=1) + "\n")
    os.makedirs(os.path.join(out, "wm-10k", "__files"), exist_ok=True)
    print(json.dumps({"last": LAST_PATH.format(last=n - 1), "miss": MISS_PATH.format(last=n - 1)}))


if __name__ == "__main__":
    main()
