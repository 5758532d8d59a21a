import re, sys, os, hashlib, ast
def literals(path):
    s = open(path, encoding='utf-8', errors='replace').read()
    out = []
    # raw strings R"delim( ... )delim"
    for m in re.finditer(r'R"([^(\s]*)\((.*?)\)\1"', s, re.S):
        out.append(m.group(2))
    s2 = re.sub(r'R"([^(\s]*)\((.*?)\)\1"', '""', s, flags=re.S)
    # adjacent normal string literals joined
    for m in re.finditer(r'((?:"(?:[^"\\\n]|\\.)*"\s*)+)', s2):
        parts = re.findall(r'"((?:[^"\\\n]|\\.)*)"', m.group(1))
        txt = ''
        try:
            for p in parts:
                txt += ast.literal_eval('"' + p + '"')
        except Exception:
            continue
        out.append(txt)
    return out
if __name__ == '__main__':
    kind, outdir, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    files = sys.argv[4:]
    os.makedirs(outdir, exist_ok=True)
    seen = set(); picked = []
    for f in files:
        for t in literals(f):
            ok = {
              'jsonpath': lambda t: t.startswith('$') and len(t) > 1,
              'template': lambda t: '{{' in t,
              'stub': lambda t: t.lstrip().startswith('{') and ('"request"' in t or '"mappings"' in t),
              'path': lambda t: t.startswith('/') and ('{' in t or '*' in t),
              'yaml': lambda t: 'mocks' in t,
            }[kind](t)
            if ok and t not in seen and len(t) < 4000:
                seen.add(t); picked.append(t)
    step = max(1, len(picked) // limit)
    for t in picked[::step][:limit]:
        h = hashlib.sha1(t.encode()).hexdigest()[:12]
        open(os.path.join(outdir, h), 'w').write(t)
    print(kind, len(picked), '->', len(os.listdir(outdir)))
