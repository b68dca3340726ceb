"""Checks a running Kith against the upstream Mastodon OpenAPI document with
schemathesis: every implemented operation (the split of
tests/clients/unimplemented_operations.py), response bodies against the
documented schemas (`response_schema_conformance`) and no 5xx on any generated
input (`not_a_server_error`).

    conformance.py BASE_URL LABEL USER...

The users exist (created with `kith user create`, password "password-of-NAME");
the first one is the one whose token schemathesis uses. The script seeds data
so that reads return real entities, then runs schemathesis in five passes
(reads on the seeded data, the same without a token, writes, chains of calls
along the spec's links, and last what could log the token out),
with a fixed seed and a bounded number of examples. It prints each deviation,
then "conformance.LABEL: N passed, M failed" (N + M operations checked, M of
them with a deviation) and exits non-zero if M > 0.
"""
import datetime
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "clients"))
from unimplemented_operations import operations  # noqa: E402

UPSTREAM_SPEC = os.path.join(ROOT, "tests", "fixtures", "mastodon-openapi-schema.json")
# Fixed, so that CI runs the same requests every time; override them by hand to
# explore further (CONFORMANCE_SEED=7 CONFORMANCE_MAX_EXAMPLES=200 run.sh).
SEED = int(os.environ.get("CONFORMANCE_SEED", "4242"))
MAX_EXAMPLES = int(os.environ.get("CONFORMANCE_MAX_EXAMPLES", "30"))
CHECKS = "response_schema_conformance,not_a_server_error"
SCOPES = "read write follow push"

# Implemented operations left out of the run, each with its reason. Keep short.
SKIPPED = set()

# Event streams never end: schemathesis reads one for this long, then judges
# what came (status, headers, error bodies; the spec has no schema for events).
STREAM_SECONDS = 0.3

# Where the upstream document is wrong against what Mastodon answers, the run
# checks against a corrected copy. Keep this tiny; each entry says why.
SPEC_CORRECTIONS = [
    # GET /api/v1/filters answers a list of V1::Filter (its own description says
    # "List of [V1::Filter]", and Mastodon renders an array); the generator lost
    # the array around the schema.
    ("/api/v1/filters", "get", "200", {"type": "array", "items": {"$ref": "#/components/schemas/V1Filter"}}),
]

# Run after everything else: revoking could log out the token the run uses (the
# generated token never matches it, but the run must not depend on that).
# No implemented operation deletes the account.
LAST = {"postOauthRevoke"}


def png(width=4, height=3):
    """A small valid RGB PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"".join(bytes((x * 60 % 256, y * 80 % 256, 120)) for x in range(width))
                   for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class Api:
    def __init__(self, base, token):
        self.base = base
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"Bearer {token}"

    def __call__(self, method, path, **kw):
        r = self.s.request(method, self.base + path, **kw)
        if r.status_code >= 300:
            raise RuntimeError(f"seeding: {method} {path} answered {r.status_code}: {r.text[:300]}")
        return r.json() if r.content else None


def tokens(base, users):
    app = requests.post(f"{base}/api/v1/apps", json={
        "client_name": "kith-conformance", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": SCOPES})
    app.raise_for_status()
    app = app.json()
    out = {}
    for u in users:
        r = requests.post(f"{base}/oauth/token", data={
            "grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"],
            "username": f"{u}@example.org", "password": f"password-of-{u}", "scope": SCOPES})
        r.raise_for_status()
        out[u] = r.json()["access_token"]
    return app, out


def seed(base, users):
    """Makes data for every implemented read to find, and spare objects for the
    deletes; returns the path parameters per operationId."""
    app, toks = tokens(base, users)
    me, bob, carol, dave, hank, erin, frank = users
    a = {u: Api(base, t) for u, t in toks.items()}
    ids = {u: a[u]("GET", "/api/v1/accounts/verify_credentials")["id"] for u in users}
    post = lambda u, text, **kw: a[u]("POST", "/api/v1/statuses", json={"status": text, **kw})["id"]  # noqa: E731

    # Profiles with pictures, fields and a bio.
    for u in (me, bob):
        a[u]("PATCH", "/api/v1/accounts/update_credentials", data={
            "display_name": f"{u.title()} Example", "note": f"I am {u}, see #kith",
            "fields_attributes[0][name]": "Site", "fields_attributes[0][value]": f"https://{u}.example/",
            "fields_attributes[1][name]": "Pronouns", "fields_attributes[1][value]": "they/them"},
            files={"avatar": ("a.png", png(8, 8), "image/png"), "header": ("h.png", png(12, 4), "image/png")})

    # Follows: me <-> bob, bob -> carol (friends of friends: carol is suggested
    # to me, and bob is her familiar follower), hank -> me (removable follower).
    a[bob]("POST", f"/api/v1/accounts/{ids[me]}/follow")
    a[me]("POST", f"/api/v1/accounts/{ids[bob]}/follow")
    a[bob]("POST", f"/api/v1/accounts/{ids[carol]}/follow")
    a[hank]("POST", f"/api/v1/accounts/{ids[me]}/follow")
    a[carol]("POST", f"/api/v1/accounts/{ids[bob]}/follow")
    a[me]("POST", f"/api/v1/accounts/{ids[dave]}/follow")  # someone to add to a list

    media = a[me]("POST", "/api/v1/media", files={"file": ("dot.png", png(), "image/png")},
                  data={"description": "a dot", "focus": "0.1,-0.2"})["id"]
    spare_media = a[me]("POST", "/api/v1/media", files={"file": ("dot.png", png(), "image/png")})["id"]
    edited_media = a[me]("POST", "/api/v1/media", files={"file": ("dot.png", png(), "image/png")})["id"]
    # (an attached upload can no longer be changed through /api/v1/media)
    loose_media = a[me]("POST", "/api/v1/media", files={"file": ("dot.png", png(), "image/png")})["id"]
    first = post(me, f"Hello #kith @{bob}, a picture", media_ids=[media], language="en")
    reply = post(bob, f"@{me} nice #kith", in_reply_to_id=first)
    post(me, f"@{bob} thanks", in_reply_to_id=reply)
    theirs = post(bob, "Bob says hello to #kith", spoiler_text="greeting")
    for u in (bob, carol):
        a[u]("POST", f"/api/v1/statuses/{first}/favourite")
        a[u]("POST", f"/api/v1/statuses/{first}/reblog")
    a[me]("POST", f"/api/v1/statuses/{theirs}/favourite")
    a[me]("POST", f"/api/v1/statuses/{theirs}/bookmark")
    a[me]("POST", f"/api/v1/statuses/{theirs}/reblog")
    a[me]("PUT", f"/api/v1/statuses/{first}", json={
        "status": f"Hello #kith @{bob}, a picture (edited)", "media_ids": [media], "spoiler_text": "cw"})
    a[me]("POST", f"/api/v1/statuses/{first}/pin")
    edited = post(me, "to be edited", media_ids=[edited_media])
    spare = post(me, "to be deleted")
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    scheduled = a[me]("POST", "/api/v1/statuses", json={"status": "in two days", "scheduled_at": later})["id"]
    spare_scheduled = a[me]("POST", "/api/v1/statuses", json={"status": "never", "scheduled_at": later})["id"]
    dm = post(me, f"@{bob} just between us", visibility="direct")
    post(bob, f"@{me} indeed", visibility="direct", in_reply_to_id=dm)
    post(me, "for followers only", visibility="private")
    post(me, "quietly", visibility="unlisted")

    lst = a[me]("POST", "/api/v1/lists", json={"title": "friends", "replies_policy": "list"})["id"]
    a[me]("POST", f"/api/v1/lists/{lst}/accounts", json={"account_ids": [ids[bob]]})
    spare_list = a[me]("POST", "/api/v1/lists", json={"title": "spare"})["id"]

    flt = a[me]("POST", "/api/v2/filters", json={
        "title": "nice things", "context": ["home", "notifications", "public", "thread", "account"],
        "filter_action": "warn", "keywords_attributes": [{"keyword": "nice", "whole_word": True}]})
    keyword = flt["keywords"][0]["id"]
    fstatus = a[me]("POST", f"/api/v2/filters/{flt['id']}/statuses", json={"status_id": theirs})["id"]
    spare_keyword = a[me]("POST", f"/api/v2/filters/{flt['id']}/keywords", json={"keyword": "spare"})["id"]
    spare_filter = a[me]("POST", "/api/v2/filters", json={
        "title": "spare", "context": ["home"], "filter_action": "hide",
        "keywords_attributes": [{"keyword": "zzzz"}]})["id"]
    spare_fstatus = a[me]("POST", f"/api/v2/filters/{spare_filter}/statuses", json={"status_id": reply})["id"]

    a[me]("POST", "/api/v1/tags/kith/follow")
    a[me]("POST", "/api/v1/markers", json={"home": {"last_read_id": first}, "notifications": {"last_read_id": "1"}})
    a[me]("POST", "/api/v1/push/subscription", json={
        "subscription": {"endpoint": "https://push.example/abc",
                         "keys": {"p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", "auth": "BTBZMqHH6r4Tts7J_aSIgg"}},
        "data": {"alerts": {"mention": True, "follow": True}, "policy": "all"}})
    a[me]("POST", f"/api/v1/accounts/{ids[frank]}/block")
    a[me]("POST", f"/api/v1/accounts/{ids[erin]}/mute", json={"notifications": True, "duration": 86400})

    # Follow requests: I lock my account, then carol and dave ask.
    a[me]("PATCH", "/api/v1/accounts/update_credentials", data={"locked": "true"})
    a[carol]("POST", f"/api/v1/accounts/{ids[me]}/follow")
    a[dave]("POST", f"/api/v1/accounts/{ids[me]}/follow")

    # Featured hashtags, a private note, a blocked domain, a v1 filter.
    post(me, "more about #featured and #spare")
    a[me]("POST", "/api/v1/featured_tags", json={"name": "kith"})
    spare_featured = a[me]("POST", "/api/v1/featured_tags", json={"name": "featured"})["id"]
    a[me]("POST", f"/api/v1/accounts/{ids[bob]}/note", json={"comment": "met at the club"})
    a[me]("POST", "/api/v1/domain_blocks", json={"domain": "spam.example"})
    spare_v1_filter = a[me]("POST", "/api/v1/filters", json={"phrase": "spare v1", "context": ["home"]})["id"]

    # Filtered notifications: from now on mentions by people I do not follow
    # wait in requests (carol's and hank's).
    a[me]("PATCH", "/api/v2/notifications/policy", json={"for_not_following": "filter"})
    post(carol, f"@{me} hello from carol")
    post(hank, f"@{me} hello from hank")
    requests_ = a[me]("GET", "/api/v1/notifications/requests")
    if len(requests_) < 2:
        raise RuntimeError(f"seeding: expected two notification requests, got {requests_}")
    request_of = {r["account"]["username"]: r["id"] for r in requests_}

    notes = a[me]("GET", "/api/v1/notifications", params={"limit": 40})
    groups = a[me]("GET", "/api/v2/notifications", params={"limit": 40})["notification_groups"]
    if len(notes) < 3 or len(groups) < 2:
        raise RuntimeError(f"seeding: expected notifications, got {notes} {groups}")
    conv = a[me]("GET", "/api/v1/conversations")
    if not conv:
        raise RuntimeError("seeding: expected a conversation")
    conv = conv[0]["id"]

    st = {"id": first}
    acct = {"id": ids[bob]}
    target = {"id": ids[hank]}
    params = {
        # reads: the seeded objects
        "getAccount": acct, "getAccountFollowers": acct, "getAccountFollowing": acct,
        "getAccountLists": acct, "getAccountStatuses": acct,
        "getAccountsFamiliarFollowers": {"id": [ids[carol], ids[bob]]},
        "getAccountRelationships": {"id": [ids[bob], ids[carol], ids[frank], ids[erin], ids[dave]]},
        "getAccountLookup": {"acct": bob},
        "getAccountSearch": {"q": bob},
        "getSearchV2": {"q": "kith"},
        "getFilter": {"id": keyword},
        "getFilterV2": {"id": flt["id"]},
        "getFilterKeywordsV2": {"filter_id": flt["id"]}, "getFilterStatusesV2": {"filter_id": flt["id"]},
        "getFiltersKeywordsByIdV2": {"id": keyword}, "getFiltersStatusesByIdV2": {"id": fstatus},
        "getList": {"id": lst}, "getListAccounts": {"id": lst}, "getTimelinesListByListId": {"list_id": lst},
        "getMedia": {"id": media},
        "getScheduledStatus": {"id": scheduled},
        "getAccountFeaturedTags": {"id": ids[me]},
        "getStatuses": {"id": [first, theirs, reply]},
        "getNotificationsRequestsById": {"id": request_of[carol]},
        "getNotification": {"id": notes[0]["id"]},
        "getNotificationsByGroupKeyV2": {"group_key": groups[0]["group_key"]},
        "getNotificationAccountsV2": {"group_key": groups[0]["group_key"]},
        "getStatus": st, "getStatusContext": {"id": reply}, "getStatusFavouritedBy": st,
        "getStatusHistory": st, "getStatusRebloggedBy": st, "getStatusSource": st,
        "getStreamingHashtag": {"tag": "kith"}, "getStreamingHashtagLocal": {"tag": "kith"},
        "getStreamingList": {"list": lst},
        "getTagsByName": {"name": "kith"}, "getTimelinesTagByHashtag": {"hashtag": "kith"},
        "getOauthAuthorize": {"client_id": app["client_id"], "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
                              "response_type": "code"},
        # writes: a spare object where the write destroys it
        "postAccountBlock": target, "postAccountUnblock": target, "postAccountMute": target,
        "postAccountUnmute": target, "postAccountFollow": target, "postAccountUnfollow": target,
        "postAccountRemoveFromFollowers": target, "postAccountNote": target,
        "deleteFeaturedTag": {"id": spare_featured},
        "postStatusMute": st, "postStatusUnmute": st,
        "createReport": {"body.account_id": ids[hank]},
        "postTagFeature": {"id": "kith"}, "postTagUnfeature": {"id": "kith"},
        "updateFilter": {"id": keyword}, "deleteFilter": {"id": spare_v1_filter},
        "postNotificationsRequestsByIdAccept": {"id": request_of[carol]},
        "postNotificationsRequestsByIdDismiss": {"id": request_of[hank]},
        "postFollowRequestAuthorize": {"account_id": ids[carol]},
        "postFollowRequestReject": {"account_id": ids[dave]},
        "deleteSuggestionsByAccountId": {"account_id": ids[carol]},
        "deleteConversation": {"id": conv}, "postConversationRead": {"id": conv},
        "updateFilterV2": {"id": flt["id"]}, "deleteFilterV2": {"id": spare_filter},
        "postFilterKeywordsV2": {"filter_id": flt["id"]}, "postFilterStatusesV2": {"filter_id": flt["id"], "body.status_id": reply},
        "updateFiltersKeywordsByIdV2": {"id": keyword}, "deleteFiltersKeywordsByIdV2": {"id": spare_keyword},
        "deleteFiltersStatusesByIdV2": {"id": spare_fstatus},
        "updateList": {"id": lst}, "deleteList": {"id": spare_list},
        "postListAccounts": {"id": lst, "body.account_ids": [ids[dave]]},
        "deleteListAccounts": {"id": lst, "body.account_ids": [ids[dave]]},
        "updateMedia": {"id": loose_media}, "deleteMedia": {"id": spare_media},
        "postNotificationDismiss": {"id": notes[-1]["id"]},
        "postNotificationDismissV2": {"group_key": groups[-1]["group_key"]},
        "updateScheduledStatus": {"id": scheduled}, "deleteScheduledStatus": {"id": spare_scheduled},
        "updateStatus": {"id": edited}, "deleteStatus": {"id": spare},
        "postStatusPin": st, "postStatusUnpin": st,
        "postStatusBookmark": {"id": theirs}, "postStatusUnbookmark": {"id": theirs},
        "postStatusFavourite": {"id": theirs}, "postStatusUnfavourite": {"id": theirs},
        "postStatusReblog": {"id": theirs}, "postStatusUnreblog": {"id": theirs},
        "postTagFollow": {"name": "kith"}, "postTagUnfollow": {"name": "kith"},
    }
    return toks[me], params


# Reads whose answer is rightly empty here: Kith has no announcements, custom
# emojis, instance rules, peers or preview cards (so no link trends).
EMPTY_READS = {"getAnnouncements", "getCustomEmojis", "getInstanceRules", "getInstancePeers", "getTrendLinks",
               "getInstanceTranslationLanguages"}


def probe(base, token, reads, params):
    """Reads each seeded object once, so that the run checks real entities and
    not only 404s: {operation label: [problem]} for reads that found nothing."""
    out = {}
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    for m, path, op_id in reads:
        if path.startswith("/api/v1/streaming/") or op_id == "getOauthAuthorize":
            continue
        p = {k: v for k, v in params.get(op_id, {}).items() if not k.startswith("body.")}
        url = path
        for k in list(p):
            if "{" + k + "}" in url:
                url = url.replace("{" + k + "}", str(p.pop(k)))
        query = {(f"{k}[]" if isinstance(v, list) else k): v for k, v in p.items()}
        r = s.get(base + url, params=query)
        body = r.json() if "json" in r.headers.get("content-type", "") else r.text
        empty = body in ([], {}, "") or (isinstance(body, dict) and all(v in ([], None) for v in body.values()))
        if r.status_code != 200 or (empty and op_id not in EMPTY_READS):
            out.setdefault(f"{m} {path}", []).append(
                f"the seeded data was not found: GET {url} {query} answered {r.status_code} {str(body)[:200]}")
    return out


def corrected_spec(workdir):
    with open(UPSTREAM_SPEC) as f:
        spec = json.load(f)
    for path, method, status, schema in SPEC_CORRECTIONS:
        spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"] = schema
    out = os.path.join(workdir, "mastodon-openapi-schema.corrected.json")
    with open(out, "w") as f:
        json.dump(spec, f)
    return out


def toml_value(v):
    return json.dumps(v)  # JSON strings, numbers and arrays are TOML too


def config(path, token, ops, params):
    lines = [f"seed = {SEED}", ""]
    if token:
        lines += ["[headers]", f"Authorization = {toml_value('Bearer ' + token)}", ""]
    for _, op_path, op_id in ops:
        p = params.get(op_id)
        stream = op_path.startswith("/api/v1/streaming/") and op_path != "/api/v1/streaming/health"
        if not p and not stream:
            continue
        lines += ["[[operations]]", f"include-operation-id = {toml_value(op_id)}"]
        if stream:
            lines.append(f"request-timeout = {STREAM_SECONDS}")
        if p:
            lines.append("[operations.parameters]")
            lines += [f"{toml_value(k)} = {toml_value(v)}" for k, v in p.items()]
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def run_pass(base, workdir, spec, name, token, ops, params, phases="examples,coverage,fuzzing"):
    """Runs schemathesis over `ops`; returns {operation label: [failure, ...]}."""
    if not ops:
        return {}
    cfg = os.path.join(workdir, f"{name}.toml")
    config(cfg, token, ops, params)
    report = os.path.join(workdir, f"{name}.xml")
    cmd = [os.path.join(os.path.dirname(sys.executable), "schemathesis"), "--config-file", cfg, "run", spec,
           "--url", base, "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
           "--workers", "1", "--generation-database", "none", "--phases", phases,
           "--request-timeout", "20", "--no-color", "--report", "junit", "--report-junit-path", report,
           "--continue-on-failure", "--suppress-health-check", "all"]
    for _, _, op_id in ops:
        cmd += ["--include-operation-id", op_id]
    print(f"== {name}: {len(ops)} operations", flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=workdir)
    with open(os.path.join(workdir, f"{name}.log"), "w") as f:
        f.write(proc.stdout)
    return parse_report(report, ops, proc, stateful=phases == "stateful")


def parse_report(report, ops, proc, stateful=False):
    """One JUnit test case per operation: its failures and errors, or why it was
    not tested (an operation not tested counts as failed, so that nothing passes
    unseen). The stateful phase reports one test case for all its scenarios: a
    problem there goes to the operations its message names (or stands on its own)."""
    if stateful:
        return parse_stateful_report(report, ops, proc)
    out = {f"{m} {p}": [] for m, p, _ in ops}
    if proc.returncode not in (0, 1) or not os.path.exists(report):
        for v in out.values():
            v.append(f"schemathesis exited {proc.returncode}:\n{proc.stdout[-3000:]}")
        return out
    seen = set()
    for case in ET.parse(report).getroot().iter("testcase"):
        label = case.get("name", "")
        seen.add(label)
        problems = out.setdefault(label, [])
        for tag in ("failure", "error"):
            for el in case.findall(tag):
                problems.append(f"{tag}: {(el.get('message') or '')} {(el.text or '').strip()}".strip())
        for el in case.findall("skipped"):
            problems.append(f"not tested: {el.get('message') or el.text or ''}")
    for label, problems in out.items():
        if label not in seen:
            problems.append("not in the report (not tested)")
    return out


def parse_stateful_report(report, ops, proc):
    out = {}
    if proc.returncode not in (0, 1) or not os.path.exists(report):
        out["stateful"] = [f"schemathesis exited {proc.returncode}:\n{proc.stdout[-3000:]}"]
        return out
    labels = [f"{m} {p}" for m, p, _ in ops]
    for case in ET.parse(report).getroot().iter("testcase"):
        for tag in ("failure", "error"):
            for el in case.findall(tag):
                text = f"{tag} (stateful): {(el.get('message') or '')} {(el.text or '').strip()}".strip()
                named = [lb for lb in labels if re.search(re.escape(lb) + r"(?![\w/{}.-])", text)]
                named = named or [f"stateful: {case.get('name', '')}"]
                for lb in named:
                    out.setdefault(lb, []).append(text)
    return out


def main():
    base = sys.argv[1].rstrip("/")
    label = sys.argv[2]
    users = sys.argv[3:]
    implemented, _ = operations(ROOT)
    token, params = seed(base, users)
    checked = [op for op in implemented if op[2] not in SKIPPED]
    reads = [op for op in checked if op[0] == "GET" and op[2] not in LAST]
    writes = [op for op in checked if op[0] != "GET" and op[2] not in LAST]
    last = [op for op in checked if op[2] in LAST]
    workdir = os.environ.get("CONFORMANCE_OUT") or tempfile.mkdtemp(prefix="kith-conformance-")
    os.makedirs(workdir, exist_ok=True)
    spec = corrected_spec(workdir)
    failures = probe(base, token, reads, params)
    # Reads first, on the seeded data as it was made; then writes; then chains of
    # calls that feed one answer's ids to the next (the spec's links); then LAST.
    # The reads again without a token: what anonymous visitors get (public
    # entities, 401s).
    passes = [("reads", token, reads, "examples,coverage,fuzzing"),
              ("anonymous-reads", None, reads, "examples,coverage,fuzzing"),
              ("writes", token, writes, "examples,coverage,fuzzing"),
              ("stateful", token, reads + writes, "stateful"), ("last", token, last, "examples,coverage,fuzzing")]
    for name, pass_token, ops, phases in passes:
        for op, problems in run_pass(base, workdir, spec, name, pass_token, ops, params, phases).items():
            failures.setdefault(op, []).extend(problems)
    bad = {k: v for k, v in failures.items() if v}
    labels = {f"{m} {p}" for m, p, _ in checked}
    passed = len(checked) - len([k for k in bad if k in labels])
    for op, fs in sorted(bad.items()):
        print(f"FAILED  {op}")
        for f in fs[:5]:
            print("        " + f.replace("\n", "\n        "))
    print(f"(seed {SEED}, {MAX_EXAMPLES} examples per operation, checks {CHECKS}, "
          f"{len(SKIPPED)} operations skipped, {len(SPEC_CORRECTIONS)} spec corrections; logs in {workdir})")
    print(f"conformance.{label}: {passed} passed, {len(bad)} failed")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
