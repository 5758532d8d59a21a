"""Generates 10_templating.json (the templating diff corpus): python3 gen_templating.py."""
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "10_templating.json"
T = []  # (name, template, request)
def case(name, templates, reqs):
    T.append((name, templates, reqs))

R = "/tt/orders/42/items?x=1&x=2&y=three&e="
case("request model: url, path, segments, query, method, headers, cookies, body", [
  "{{request.url}}|{{request.path}}|{{request.path.[0]}}|{{request.path.[2]}}|{{request.pathSegments.[1]}}",
  "{{request.query.x}}|{{request.query.x.[1]}}|{{request.query.y}}|[{{request.query.e}}]|[{{request.query.none}}]|{{request.query}}",
  "{{request.method}}|{{#eq request.method 'GET'}}eq{{else}}ne{{/eq}}|{{request.scheme}}|{{request.headers.X-Trace}}|{{request.headers.x-trace}}|{{request.headers.X-Multi.[1]}}",
  "{{request.cookies.session}}|{{request.body}}|{{request.bodyAsBase64}}",
], [("POST", R, {"X-Trace": "t-1", "Cookie": "session=abc; other=2"}, '{"k": [1, 2]}')])
case("block helpers: if/else if/unless/each/with/lookup, @index/@key/@first/@last, ../", [
  "{{#if request.query.y}}has y{{else}}no y{{/if}}|{{#if request.query.none}}A{{else if request.query.x}}B{{else}}C{{/if}}|{{#unless request.query.none}}unless{{/unless}}",
  "{{#each request.query.x}}{{@index}}:{{this}}{{#if @first}}(first){{/if}}{{#if @last}}(last){{/if}};{{/each}}",
  "{{#each (parseJson request.body)}}{{@key}}={{this}};{{/each}}|{{#with (parseJson request.body)}}{{name}}/{{../request.query.y}}{{/with}}|{{lookup (parseJson request.body) 'name'}}",
  "{{#each (array)}}x{{else}}empty{{/each}}|{{#with request.query.none}}w{{else}}no-with{{/with}}",
], [("POST", R, {}, '{"name": "Ada", "n": 3, "tags": ["a", "b"]}')])
case("conditionals and comparisons", [
  "{{eq 1 1}}|{{eq 'a' 'b'}}|{{neq 'a' 'b'}}|{{gt 3 2}}|{{gte 2 2}}|{{lt 'a' 'b'}}|{{lte 5 4}}|{{and true false}}|{{or false true}}|{{not false}}",
  "{{#eq request.query.y 'three'}}Y3{{/eq}}|{{#gt (size request.query.x) 1}}many{{/gt}}|{{#and request.query.x request.query.y}}both{{/and}}|{{#or request.query.none request.query.y}}either{{/or}}|{{isEven 4}}|{{isOdd 4}}",
], [("GET", R, {}, None)])
case("string helpers", [
  "{{upper 'abc'}}|{{lower 'AbC'}}|{{capitalize 'hello big world'}}|{{capitalizeFirst 'hello world'}}|[{{trim '  pad  '}}]|{{replace 'a-b-c' '-' '+'}}|{{substring 'abcdef' 2}}|{{substring 'abcdef' 1 4}}",
  "{{abbreviate 'a long sentence here' 10}}|{{stripTags '<b>bold</b> text'}}|{{cut 'a b c'}}|{{yesno true}}|{{yesno false}}",
  "{{contains 'haystack' 'st'}}|{{contains 'haystack' 'zz'}}|{{matches 'abc123' '[a-z]+[0-9]+'}}|{{matches 'abc' 'b'}}|{{regexExtract 'order-2024-07' '[0-9]+'}}|{{size 'hello'}}|{{size (array 1 2 3)}}",
  "{{regexExtract 'ab-12-cd' '([a-z]+)-([0-9]+)' 'parts'}}{{parts.0}}/{{parts.1}}|{{regexExtract 'xyz' '[0-9]+' default='none'}}",
], [("GET", R, {}, None)])
case("encodings", [
  "{{base64 'hello world'}}|{{base64 'aGVsbG8gd29ybGQ=' decode=true}}|{{base64 'hi' padding=false}}|{{urlEncode 'a b&c=d/é'}}|{{urlEncode 'a+b%26c' decode=true}}",
], [("GET", R, {}, None)])
case("JSON helpers: jsonPath, parseJson, toJson, formatJson", [
  "{{jsonPath request.body '$.name'}}|{{jsonPath request.body '$.n'}}|{{jsonPath request.body '$.tags[1]'}}|{{jsonPath request.body '$.missing' default='dflt'}}|{{jsonPath request.body '$.nested'}}",
  "{{#with (parseJson request.body)}}{{nested.deep}}|{{tags.[0]}}|{{size tags}}{{/with}}|{{parseJson request.body 'doc'}}{{doc.name}}",
  "{{toJson (parseJson request.body)}}",
  "{{formatJson '{\"a\":1,\"b\":[1,2]}'}}|{{formatJson '{\"a\": 1, \"b\": [1, 2]}' format='compact'}}",
], [("POST", R, {"Content-Type": "application/json"}, '{"name": "Ada", "n": 3, "tags": ["a", "b"], "nested": {"deep": true}}')])
case("arrays, ranges, math", [
  "{{array 1 'two' 3}}|{{range 2 5}}|{{arrayJoin ',' (array 'a' 'b' 'c')}}|{{arrayJoin ' | ' (array 1 2) prefix='[' suffix=']'}}|{{arrayAdd (array 1 2) 3}}|{{arrayAdd (array 1 2) 0 position='start'}}|{{arrayRemove (array 1 2 3)}}|{{arrayRemove (array 1 2 3) position=1}}",
  "{{math 1 '+' 2}}|{{math 10 '-' 3}}|{{math 4 '*' 2.5}}|{{math 10 '/' 4}}|{{math 9 '/' 3}}|{{math 10 '%' 3}}|{{math 1.5 '+' 1.25}}|{{math (size request.query.x) '*' 10}}",
  "{{math 1 '^' 2}}",
  "{{nosuchhelper 1 2}}",
], [("GET", R, {}, None)])
case("values and variables: val, assign, formData", [
  "{{val request.query.none default='d1'}}|{{val request.query.y}}|{{val request.query.none or='o1'}}|{{val 'v' assign='mine'}}{{mine}}|{{#assign 'greeting'}}Hello {{request.query.y}}{{/assign}}{{greeting}}",
  "{{formData request.body 'form'}}{{form.a}}|{{form.b}}|{{form.b.[1]}}|{{formData request.body 'f2' urlDecode=true}}{{f2.c}}",
], [("POST", R, {"Content-Type": "application/x-www-form-urlencoded"}, 'a=1&b=x&b=y&c=hello%20there')])
case("dates: parseDate, date with format, offset and timezone, truncateDate", [
  "{{date (parseDate '2021-06-14T10:20:30Z') format='yyyy-MM-dd HH:mm:ss'}}|{{date (parseDate '2021-06-14T10:20:30Z') offset='3 days' format='yyyy-MM-dd'}}|{{date (parseDate '2021-06-14T10:20:30Z') offset='-1 years' format='yyyy'}}",
  "{{parseDate '2021-06-14T10:20:30Z'}}|{{date (parseDate '14/06/2021' format='dd/MM/yyyy') format='yyyy-MM-dd'}}|{{date (parseDate '1623666030000' format='epoch') format='yyyy-MM-dd'}}|{{date (parseDate '2021-06-14T10:20:30Z') format='epoch'}}|{{date (parseDate '2021-06-14T10:20:30Z') format='unix'}}",
  "{{truncateDate (parseDate '2021-06-14T10:20:30Z') 'first day of month'}}|{{date (parseDate '2021-06-14T10:20:30Z') format='EEE, dd MMM yyyy'}}",
], [("GET", R, {}, None)])
case("whitespace control, comments, raw blocks and escapes", [
  "a {{~ request.query.y ~}} b|{{! a comment }}|{{!-- a {{ long }} comment --}}|\\{{not a tag}}|{{{request.query.y}}}|{{#if true~}}   x   {{~/if}}",
  "{{#if true}}\n  kept\n{{~/if}}|[{{request.query.y ~}}   ]",
], [("GET", R, {}, None)])
XML = '<a><b id="1">one</b><b id="2">two</b><c x="y"><d>dd</d><e>  sp </e><f/></c></a>'
SOAP = ('<?xml version="1.0"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>'
        '<m:GetPrice xmlns:m="https://example.org/prices"><m:Item>Apples</m:Item><Empty/></m:GetPrice></soap:Body></soap:Envelope>')
case("XML helpers: xPath, soapXPath, formatXml", [
  "{{xPath request.body '/a/b/text()'}}|{{xPath request.body '/a/b'}}|{{xPath request.body '/a/b/@id'}}|{{xPath request.body 'count(/a/b)'}}|[{{xPath request.body '/a/zz'}}]|{{xPath request.body '//d'}}|{{xPath request.body '/a/c/e/text()'}}",
  "{{xPath request.body '/a/c'}}|{{#each (xPath request.body '/a/b')}}[{{this}}]{{/each}}|{{xPath request.body '/a/b[2]/text()'}}|{{xPath request.body 'name(/a/*[1])'}}|{{xPath request.body 'bad['}}|{{xPath 'not xml' '/a'}}",
  "{{formatXml request.body}}|{{formatXml request.body format='compact'}}|{{formatXml 'x<'}}|{{#formatXml format='compact'}}<a> <b/></a>{{/formatXml}}",
], [("POST", R, {"Content-Type": "application/xml"}, XML)])
# (No undeclared prefix here: the jar answers one differently from run to run, empty or an
# XPath error.)
case("XML helpers: soapXPath and namespaces", [
  "{{soapXPath request.body '/GetPrice/Item/text()'}}|{{xPath request.body '/Envelope/Body/GetPrice/Item/text()'}}|{{xPath request.body '//*[local-name()=\"Item\"]/text()'}}",
  "{{soapXPath request.body '/GetPrice'}}|{{formatXml request.body}}",
], [("POST", R, {"Content-Type": "text/xml"}, SOAP)])
case("JSON editing: jsonMerge, jsonRemove, jsonArrayAdd", [
  "{{jsonMerge '{\"a\":1,\"b\":{\"c\":2}}' '{\"b\":{\"d\":3},\"e\":[1]}'}}|{{jsonMerge '{\"a\":1,\"b\":{\"c\":2}}' '{\"b\":{\"c\":null},\"a\":[1,2]}' removeNulls=true}}|{{#jsonMerge '{\"a\":1}'}}{\"z\":9}{{/jsonMerge}}|{{jsonMerge '{\"a\":{\"b\":1}}' '{\"a\":2}'}}|{{jsonMerge '{\"a\":1}' '{\"b\":null}'}}",
  "{{jsonMerge '{\"a\":1}' 'nope'}}|{{jsonMerge '[1]' '{\"a\":1}'}}|{{jsonMerge '{\"a\":1}' '[1]'}}|{{jsonMerge 'x' '{}'}}|{{jsonMerge (parseJson '{\"a\":1}') '{}'}}",
  "{{jsonRemove '{\"a\":1,\"b\":{\"c\":2,\"d\":3}}' '$.b.c'}}|{{jsonRemove '[1,2,3]' '$[1]'}}|{{jsonRemove '{\"a\":[{\"x\":1},{\"x\":2}]}' '$.a[?(@.x==1)]'}}|{{jsonRemove '{\"a\":1}' '$.zz'}}|{{jsonRemove 'x' '$.a'}}|{{jsonRemove '{\"a\":[1,2]}' '$.a[*]'}}|{{jsonRemove (parseJson '{\"a\":1}') '$.a'}}",
  "{{jsonArrayAdd '[1,2]' '3'}}|{{jsonArrayAdd '[1,2]' '{\"a\":1}'}}|{{jsonArrayAdd '{\"l\":[1]}' '[5,6]' jsonPath='$.l'}}|{{jsonArrayAdd '[1]' '2' maxItems=1}}|{{jsonArrayAdd '[1,2,3]' '4' maxItems=2}}|{{jsonArrayAdd '[1,2]' '3' maxItems=0}}|{{jsonArrayAdd '{\"l\":{\"m\":[1]}}' '2' jsonPath='$.l.m'}}",
  "{{#jsonArrayAdd '[1]'}}{\"k\":2}{{/jsonArrayAdd}}|{{jsonArrayAdd '{\"a\":1}' '2'}}|{{jsonArrayAdd '[1]' 'x y'}}|{{jsonArrayAdd '{\"l\":1}' '2' jsonPath='$.l'}}|{{jsonArrayAdd '[1,2]' 3}}|{{jsonArrayAdd (array 1) '2'}}",
], [("GET", R, {}, None)])
case("Handlebars.java string helpers: center, ljust, rjust, slugify, wordWrap, join", [
  "{{center 'ab' size=7}}|{{center 'ab' size=7 pad='*'}}|{{center 'abc' size=8 pad='-='}}|{{center 'abcdef' size=3}}|{{ljust 'ab' size=5 pad='.'}}|{{rjust 'ab' size=5}}|{{rjust 12 size=5 pad='0'}}|{{ljust 'ab' size=5 pad=''}}|{{center '' 'dflt' size=5}}",
  "{{slugify 'Hello World, Foo!'}}|{{slugify '  A1  b_c-d '}}|[{{slugify ''}}]",
  "{{wordWrap 'the quick brown fox jumps' 10}}|{{wordWrap 'abcdefghijklmnop qr' 5}}|{{wordWrap 'a  b   c' 1}}",
  "{{join (array 'a' 'b') ','}}|{{join 'a' 'b' 'c' '-'}}|{{join (array 'a' 'b') ', ' prefix='<' suffix='>'}}|{{join 'x' ','}}|{{join request.query.x ';'}}|{{join (array 1 2) (array 3) '+'}}",
  "{{center 'ab'}}",
  "{{join 'a'}}",
], [("GET", R, {}, None)])
case("Handlebars.java formatting helpers: stringFormat, numberFormat, dateFormat", [
  "{{stringFormat '%s-%d-%.2f-%x-%05d' 'a' 3 1.5 255 42}}|{{stringFormat '%s|%10s|%-5s|%S|%b|%e|%o|%X|%,d|%+d|%%' 'x' 'y' 'z' 'w' true 12345.678 8 255 1234567 5}}|{{stringFormat '%.3f %f %d' 2.0 3.5 2}}",
  "{{stringFormat 'n=%s' 12 (array 1 2) true}}|{{stringFormat 'x'}}|{{stringFormat '%08.3f|%10.2f|%-8d|' 3.14159 2.5 7}}|{{stringFormat '%.2f|%.1f|%.0f|%,.2f|%e|%10.3e' 2.675 0.25 2.5 1234567.891 0.000123 123.0}}|{{stringFormat '%x|%o|%#x|%(d|% d|%-6b|%S' -1 -8 255 -5 5 false 'abc'}}",
  "{{numberFormat 1234567.891}}|{{numberFormat 1234.5 'currency'}}|{{numberFormat 0.25 'percent'}}|{{numberFormat 3.14159 maximumFractionDigits=2}}|{{numberFormat 1234.5 'integer'}}|{{numberFormat 2.5 'integer'}}|{{numberFormat 3.5 'integer'}}|{{numberFormat 1234.5 '#.00'}}|{{numberFormat 1234.5 '0000.0'}}|[{{numberFormat '12.5'}}]|{{numberFormat 1.005 minimumFractionDigits=3}}|{{numberFormat 1234 groupingUsed=false}}",
  "{{numberFormat 'abc' 'integer'}}|{{numberFormat -0.001 '#.##'}}|{{numberFormat 0 '#.##'}}|{{numberFormat -1234.567 'currency'}}|{{numberFormat 0.5 '#.00'}}|{{numberFormat 1234567 '#,##,###'}}|{{numberFormat 12 '00.0%'}}|{{numberFormat 2.675 maximumFractionDigits=2}}",
  "{{dateFormat (parseDate '2021-06-14T10:20:30Z')}}|{{dateFormat (parseDate '2021-06-14T10:20:30Z') 'yyyy/MM/dd'}}|{{dateFormat (parseDate '2021-06-14T10:20:30Z') 'short'}}|{{dateFormat (parseDate '2021-06-14T10:20:30Z') 'long'}}|{{dateFormat (parseDate '2021-06-14T10:20:30Z') 'full'}}|{{dateFormat (parseDate '2021-06-14T10:20:30Z') format='HH:mm'}}|{{dateFormat (parseDate '2021-06-14T10:20:30Z') 'HH:mm' tz='GMT+2'}}|{{dateFormat '' 'dflt'}}",
  "{{stringFormat '%s %s' 'a'}}",
  "{{stringFormat 'n=%d' '12'}}",
  "{{stringFormat '%q' 1}}",
  "{{dateFormat 'abc'}}",
], [("GET", R, {}, None)])
case("blocks on helpers, lookup by index, @root, each over maps, request maps", [
  "{{#contains 'abc' 'b'}}yes{{else}}no{{/contains}}|{{#contains 'abc' 'z'}}yes{{else}}no{{/contains}}|{{#matches 'abc' 'z'}}m{{else}}nm{{/matches}}|{{#eq 1 2}}e{{else}}ne{{/eq}}|{{#jsonPath '{\"a\":1}' '$.a'}}jp{{else}}nojp{{/jsonPath}}|{{#upper 'x'}}u{{else}}nu{{/upper}}|{{#and true false}}a{{else}}na{{/and}}|{{#not true}}n{{else}}nn{{/not}}|{{#isEven 3}}ev{{else}}od{{/isEven}}",
  "{{#parseJson 'v'}}{\"a\":5}{{/parseJson}}{{v.a}}|{{#formatJson format='compact'}}{ \"b\" : 1 }{{/formatJson}}|{{#trim}}  t  {{/trim}}|{{#base64}}hi{{/base64}}",
  "{{lookup (array 'a' 'b') 1}}|{{lookup request.query.x 1}}|{{lookup request.pathSegments 1}}|{{lookup (parseJson '{\"k\":[5,6]}') 'k'}}|{{#with (parseJson '{\"a\":{\"b\":1}}')}}{{#with a}}{{@root.request.query.y}}|{{@root.parameters.p}}{{/with}}{{/with}}",
  "{{#each (parseJson '{\"x\":1,\"y\":[2,3],\"z\":{\"q\":1}}')}}{{@key}}={{this}}@{{@index}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}};{{/each}}|{{#each request.query}}{{@key}}={{this}};{{/each}}|{{#each (parseJson '{}')}}x{{else}}emptymap{{/each}}|{{#each request.cookies}}{{@key}}={{this}},{{/each}}",
  "{{request.cookies}}|{{request.cookies.session}}|{{toJson request.cookies}}|{{toJson request.query}}|{{request.headers.X-Trace}}|{{lookup request.headers 'x-trace'}}|{{request.headers.[X-Trace]}}|{{request.multipart}}|{{request.parts}}",
  "{{toJson (array 1 2)}}|{{toJson (parseJson '{\"a\":[1,{\"b\":[]}],\"c\":{}}')}}|{{toJson 'str'}}|{{toJson 5}}|{{toJson (parseDate '2021-06-14T10:20:30Z')}}|{{toJson (array 1 'a' (array 2))}}",
], [("GET", R, {"X-Trace": "t-1", "Cookie": "session=abc; other=2"}, None)])
case("templated headers and status of a non-templated stub", [], [])  # placeholder, removed below

ERRORS = {"{{center 'ab'}}", "{{join 'a'}}", "{{stringFormat '%s %s' 'a'}}", "{{stringFormat 'n=%d' '12'}}",
          "{{stringFormat '%q' 1}}", "{{dateFormat 'abc'}}"}
cases = []
n = 0
for name, templates, reqs in T:
    if not templates:
        continue
    steps = []
    for i, t in enumerate(templates):
        n += 1
        assert n < 100, "stub ids have two digits"
        sid = f"aaaaaaaa-0000-4000-8000-0000000010{n:02d}"
        steps.append({"method": "POST", "path": "/__admin/mappings", "json": {
            "id": sid, "request": {"urlPathPattern": f"/tt/.*", "headers": {"X-Case": {"equalTo": str(i)}}},
            "response": {"status": 200, "body": t, "transformers": ["response-template"]}}, "expect": 201})
        for (m, url, headers, body) in reqs:
            h = dict(headers); h["X-Case"] = str(i)
            if "X-Trace" in headers:
                h["X-Multi"] = "m1"
            st = {"method": m, "path": url, "headers": h, "compare": "text", "expect": 200}
            if "nosuchhelper" in t or t in ERRORS:
                st.update({"compare": "none", "expect": 500, "skip_headers": ["Content-Type"],
                           "note": "an unknown helper is a 500 (the error page's text is Jetty's)"})
            if body is not None:
                st["body"] = body
            steps.append(st)
    cases.append({"name": "templating: " + name, "steps": steps})
json.dump({"cases": cases}, open(OUT, "w"), indent=1)
print(len(cases), "cases")

# Hand-written: templated headers, transformerParameters, jsonBody, body files, local mode.
def stub(n, response, request=None):
    return {"method": "POST", "path": "/__admin/mappings", "expect": 201, "json": {
        "id": f"aaaaaaaa-0000-4000-8000-0000000011{n:02d}",
        "request": request or {"urlPath": f"/tf/{n}"}, "response": response}}
def get(path, **kw):
    st = {"method": "GET", "path": path, "expect": kw.pop("expect", 200), "compare": kw.pop("compare", "text")}
    st.update(kw)
    return st
extra = {"name": "templating: headers, transformerParameters, jsonBody, body files, local mode", "steps": [
    stub(1, {"status": 201, "headers": {"X-Echo": "{{request.query.v}}", "X-Plain": "{{not templated}}x", "Content-Type": "text/plain"},
             "body": "p={{parameters.greeting}} {{parameters.n}}", "transformers": ["response-template"],
             "transformerParameters": {"greeting": "hi", "n": 2}}),
    get("/tf/1?v=abc", expect=201, check_headers=["X-Echo", "X-Plain"]),
    stub(2, {"status": 200, "jsonBody": {"id": "{{request.query.id}}", "list": ["{{request.path.[1]}}", 2]}, "transformers": ["response-template"]}),
    get("/tf/2?id=77", compare="text"),
    stub(3, {"status": 200, "bodyFileName": "templates/hello.txt", "transformers": ["response-template"]}),
    get("/tf/3?name=Ada"),
    stub(4, {"status": 200, "bodyFileName": "templates/{{request.query.who}}.txt", "transformers": ["response-template"]}),
    get("/tf/4?who=ada"),
    stub(5, {"status": 200, "bodyFileName": "templates/hello.txt"}),
    get("/tf/5?name=Ada", note="no transformer: local mode serves the file as written"),
    stub(6, {"status": 200, "body": "raw {{request.path}}", "headers": {"X-T": "{{request.path}}"}}),
    get("/tf/6", check_headers=["X-T"]),
    stub(7, {"status": 200, "body": "{{#if}}never closed", "transformers": ["response-template"]}),
    get("/tf/7", expect=500, compare="none", skip_headers=["Content-Type"], note="a syntax error is a 500"),
    stub(8, {"status": 200, "transformers": ["response-template"], "body":
             "{{request.multipart}}|{{request.parts.meta.body}}|{{request.parts.file.bodyAsBase64}}|"
             "{{request.parts.meta.headers.content-type}}|{{#each request.parts}}{{@key}};{{/each}}"},
         {"urlPath": "/tf/8", "method": "POST"}),
    {"method": "POST", "path": "/tf/8", "expect": 200, "compare": "text", "multipart": [
        {"name": "meta", "content_type": "application/json", "body": "{\"k\": 1}"},
        {"name": "file", "filename": "a.bin", "content_type": "application/octet-stream", "base64": "AAEC"}]},
]}
d = json.load(open(OUT))
d["cases"].append(extra)
json.dump(d, open(OUT, "w"), indent=1)
