"""Prints the README's list of upstream Mastodon operations Kith does not
implement: every operation of the OpenAPI spec in tests/fixtures without a
route of the same method and path in src/http (paths compared segment by
segment, parameters as `{}`; a `{*rest}` route covers what lies below it).

    python3 tests/clients/unimplemented_operations.py [REPO ROOT]

`operations(root)` is the split itself, for other tools (the conformance run
in tests/conformance checks the implemented ones).
"""
import glob
import json
import re
import sys

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def spec_of(root):
    with open(f"{root}/tests/fixtures/mastodon-openapi-schema.json") as f:
        return json.load(f)


def routes_of(root):
    """(path, {METHOD, ...}) for every `.route("path", ...)` in src/http."""
    routes = []
    for f in glob.glob(f"{root}/src/http/**/*.rs", recursive=True):
        with open(f) as fh:
            s = fh.read()
        i = 0
        while True:
            i = s.find(".route(", i)
            if i < 0:
                break
            j = i + len(".route(")
            depth = 1
            k = j
            while depth and k < len(s):
                if s[k] == "(":
                    depth += 1
                elif s[k] == ")":
                    depth -= 1
                k += 1
            body = s[j:k - 1]
            m = re.match(r'\s*"([^"]+)"', body)
            if m:
                methods = set(x.upper() for x in re.findall(r'\b(get|post|put|delete|patch)\(', body[m.end():]))
                routes.append((m.group(1), methods))
            i = k
    return routes


def norm(p):
    return re.sub(r"\{[^}*]+\}", "{}", p.rstrip("/"))


def matches(route, path):
    r = norm(route)
    p = norm(path)
    if "{*" in r:
        prefix = r[:r.index("{*")]
        return p.startswith(prefix) and len(p) > len(prefix)
    return r.split("/") == p.split("/")


def operations(root="."):
    """(implemented, missing): lists of (METHOD, spec path, operationId) in the
    spec's order."""
    spec = spec_of(root)
    routes = routes_of(root)
    implemented, missing = [], []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            m = method.upper()
            if m not in METHODS:
                continue
            # an exact static route wins over a parameterised one
            cands = [r for r in routes if matches(r[0], path)]
            exact = [r for r in cands if norm(r[0]) == norm(path)]
            use = exact if exact else cands
            entry = (m, path, op.get("operationId"))
            (implemented if any(m in ms for _, ms in use) else missing).append(entry)
    return implemented, missing


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    _, missing = operations(root)
    by_seg = {}
    for m, path, _ in missing:
        seg = "/".join(path.split("/")[:4])
        by_seg.setdefault(seg, []).append(f"{m} {norm(path)}")
    print(f"<details><summary>{len(missing)} upstream operations not implemented</summary>\n")
    for seg in sorted(by_seg):
        print(f"- `{seg}`: " + ", ".join(f"`{x}`" for x in sorted(by_seg[seg])))
    print("\n</details>")


if __name__ == "__main__":
    main()
