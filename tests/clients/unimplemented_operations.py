"""Prints the README's list of upstream Mastodon operations Kith does not
implement: every operation of the OpenAPI spec in tests/fixtures without a
route of the same method and path in src/http (paths compared segment by
segment, parameters as `{}`; a `{*rest}` route covers what lies below it).

    python3 tests/clients/unimplemented_operations.py [REPO ROOT]
"""
import json, re, glob, sys
root = sys.argv[1] if len(sys.argv) > 1 else "."
spec = json.load(open(f"{root}/tests/fixtures/mastodon-openapi-schema.json"))
routes = []
for f in glob.glob(f"{root}/src/http/**/*.rs", recursive=True):
    s = open(f).read()
    i = 0
    while True:
        i = s.find(".route(", i)
        if i < 0: break
        j = i + len(".route(")
        depth = 1; k = j
        while depth and k < len(s):
            if s[k] == "(": depth += 1
            elif s[k] == ")": depth -= 1
            k += 1
        body = s[j:k-1]
        m = re.match(r'\s*"([^"]+)"', body)
        if m:
            methods = set(x.upper() for x in re.findall(r'\b(get|post|put|delete|patch)\(', body[m.end():]))
            routes.append((m.group(1), methods))
        i = k
def norm(p):
    return re.sub(r"\{[^}*]+\}", "{}", p.rstrip("/"))
def matches(route, path):
    r = norm(route); p = norm(path)
    if "{*" in r:
        prefix = r[:r.index("{*")]
        return p.startswith(prefix) and len(p) > len(prefix)
    rs, ps = r.split("/"), p.split("/")
    if len(rs) != len(ps): return False
    return rs == ps
missing = {}
total = 0
for path, ops in spec["paths"].items():
    for method in ops:
        if method.upper() not in ("GET","POST","PUT","DELETE","PATCH"): continue
        M = method.upper()
        # an exact static route wins over a parameterised one
        cands = [r for r in routes if matches(r[0], path)]
        exact = [r for r in cands if norm(r[0]) == norm(path)]
        use = exact if exact else cands
        if not any(M in ms for _, ms in use):
            seg = "/".join(path.split("/")[:4])
            missing.setdefault(seg, []).append(f"{M} {norm(path)}")
            total += 1
print(f"<details><summary>{total} upstream operations not implemented</summary>\n")
for seg in sorted(missing):
    print(f"- `{seg}`: " + ", ".join(f"`{x}`" for x in sorted(missing[seg])))
print("\n</details>")
