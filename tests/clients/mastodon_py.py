"""Drives a running Kith with the real Mastodon.py client library.

Usage: mastodon_py.py BASE_URL   (users alice and bob exist, passwords
"password-of-alice" and "password-of-bob"). Prints one line per check and a
closing "mastodon.py: N passed, M failed"; exits non-zero on any failure.
"""
import base64
import hashlib
import re
import struct
import sys
import traceback
import urllib.parse
import zlib

import requests
from mastodon import Mastodon

BASE = sys.argv[1].rstrip("/")
SCOPES = ["read", "write", "follow"]
results = []


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append((name, None))
        except Exception as e:  # noqa: BLE001 - every failure is reported
            results.append((name, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}"))
        return fn
    return wrap


state = {}


def play_browser(auth_url, login, password, approve=True):
    """Logs in and approves on Kith's real consent page; returns the redirect URL."""
    s = requests.Session()
    page = s.get(auth_url)
    page.raise_for_status()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields = {k: v.replace("&amp;", "&").replace("&quot;", '"') for k, v in fields.items()}
    fields.update({"csrf": csrf, "login": login, "password": password, "decision": "approve" if approve else "deny"})
    r = s.post(f"{BASE}/oauth/authorize", data=fields, allow_redirects=False)
    return r


@check("register an app")
def _():
    cid, secret = Mastodon.create_app("kith-mastodon-py", api_base_url=BASE, scopes=SCOPES,
                                      redirect_uris="urn:ietf:wg:oauth:2.0:oob\nhttp://127.0.0.1:9/cb")
    state["app"] = (cid, secret)


@check("log in with the password flow")
def _():
    cid, secret = state["app"]
    for user in ("alice", "bob"):
        m = Mastodon(client_id=cid, client_secret=secret, api_base_url=BASE)
        m.log_in(f"{user}@example.org", f"password-of-{user}", scopes=SCOPES, allow_http=True)
        state[user] = m


@check("log in with the authorization-code flow (the test plays the browser)")
def _():
    cid, secret = state["app"]
    m = Mastodon(client_id=cid, client_secret=secret, api_base_url=BASE)
    url = m.auth_request_url(redirect_uris="http://127.0.0.1:9/cb", scopes=SCOPES, state="s1", allow_http=True)
    r = play_browser(url, "alice", "password-of-alice")
    assert r.status_code in (302, 303), r.status_code
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(r.headers["location"]).query))
    assert q["state"] == "s1"
    m.log_in(code=q["code"], redirect_uri="http://127.0.0.1:9/cb", scopes=SCOPES, allow_http=True)
    assert m.account_verify_credentials()["username"] == "alice"


@check("authorization code with PKCE (S256), exchanged by hand: Mastodon.py has no PKCE support")
def _():
    cid, secret = state["app"]
    verifier = base64.urlsafe_b64encode(hashlib.sha256(b"kith-pkce").digest() * 2).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    m = Mastodon(client_id=cid, client_secret=secret, api_base_url=BASE)
    url = m.auth_request_url(redirect_uris="http://127.0.0.1:9/cb", scopes=SCOPES, allow_http=True)
    url += "&" + urllib.parse.urlencode({"code_challenge": challenge, "code_challenge_method": "S256"})
    r = play_browser(url, "bob", "password-of-bob")
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(r.headers["location"]).query))["code"]
    bad = requests.post(f"{BASE}/oauth/token", data={"grant_type": "authorization_code", "code": code, "client_id": cid,
                        "client_secret": secret, "redirect_uri": "http://127.0.0.1:9/cb"})
    assert bad.status_code == 400, "a PKCE code without its verifier must fail"
    r = play_browser(url, "bob", "password-of-bob")
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(r.headers["location"]).query))["code"]
    tok = requests.post(f"{BASE}/oauth/token", data={"grant_type": "authorization_code", "code": code, "client_id": cid,
                        "client_secret": secret, "redirect_uri": "http://127.0.0.1:9/cb", "code_verifier": verifier}).json()
    m2 = Mastodon(access_token=tok["access_token"], api_base_url=BASE)
    assert m2.account_verify_credentials()["username"] == "bob"


@check("verify credentials and read the instance")
def _():
    me = state["alice"].account_verify_credentials()
    assert me["username"] == "alice" and "source" in me
    inst = state["alice"].instance()
    assert inst["title"]


@check("follow")
def _():
    bob = state["alice"].account_lookup("bob")
    rel = state["alice"].account_follow(bob["id"])
    assert rel["following"] is True
    state["bob_id"] = bob["id"]


@check("post with each visibility")
def _():
    ids = {}
    for v in ("public", "unlisted", "private", "direct"):
        text = f"{v} post by bob" + (" @alice" if v == "direct" else "")
        st = state["bob"].status_post(text, visibility=v)
        assert st["visibility"] == v
        ids[v] = st["id"]
    state["bob_posts"] = ids
    seen = {s["id"] for s in state["alice"].timeline_home(limit=40)}
    assert {ids["public"], ids["unlisted"], ids["private"], ids["direct"]} <= seen, seen


@check("reply")
def _():
    r = state["alice"].status_reply(state["alice"].status(state["bob_posts"]["public"]), "a reply from alice")
    assert str(r["in_reply_to_id"]) == str(state["bob_posts"]["public"])
    ctx = state["bob"].status_context(state["bob_posts"]["public"])
    assert any(d["id"] == r["id"] for d in ctx["descendants"])


@check("favourite and boost")
def _():
    fav = state["alice"].status_favourite(state["bob_posts"]["public"])
    assert fav["favourited"] and fav["favourites_count"] == 1
    boost = state["alice"].status_reblog(state["bob_posts"]["public"])
    assert boost["reblog"]["id"] == state["bob_posts"]["public"]


@check("home timeline page 2 through the Link header")
def _():
    for i in range(5):
        state["bob"].status_post(f"filler {i}")
    page1 = state["alice"].timeline_home(limit=3)
    assert len(page1) == 3
    page2 = state["alice"].fetch_next(page1)
    assert page2 and len(page2) == 3
    assert max(s["id"] for s in page2) < min(s["id"] for s in page1)


@check("notifications")
def _():
    kinds = [n["type"] for n in state["bob"].notifications()]
    for k in ("follow", "favourite", "reblog", "mention"):
        assert k in kinds, kinds
    assert all(n["type"] == "follow" for n in state["bob"].notifications(types=["follow"]))


@check("receive an update over the streaming API")
def _():
    import threading
    from mastodon import StreamListener

    got = threading.Event()
    seen = {}

    class Listener(StreamListener):
        def on_update(self, status):
            seen["id"] = status["id"]
            got.set()

    handle = state["alice"].stream_user(Listener(), run_async=True, reconnect_async=False)
    try:
        # The stream is open once the server sends its first bytes; post until one arrives.
        for i in range(20):
            st = state["bob"].status_post(f"live {i}")
            if got.wait(timeout=1.0):
                break
        assert got.is_set(), "no update arrived"
        assert seen["id"] is not None
    finally:
        handle.close()


@check("delete returns the text for redrafting")
def _():
    st = state["alice"].status_post("oops")
    gone = state["alice"].status_delete(st["id"])
    assert gone["text"] == "oops"


def png(w, h):
    """A gradient PNG made here (no imaging library needed)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // w, y * 255 // h, 128)) for x in range(w)) for y in range(h)
    )

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@check("upload a photo with alt text and post it")
def _():
    m = state["alice"].media_post(png(320, 200), mime_type="image/png", description="A gradient", synchronous=True)
    assert m["type"] == "image" and m["url"], m
    assert m["meta"]["original"]["width"] == 320, m["meta"]
    st = state["alice"].status_post("with a picture", media_ids=[m["id"]])
    assert len(st["media_attachments"]) == 1
    assert st["media_attachments"][0]["description"] == "A gradient"
    assert requests.get(st["media_attachments"][0]["url"]).status_code == 200


@check("set a profile picture")
def _():
    me = state["bob"].account_update_credentials(avatar=png(200, 200), avatar_mime_type="image/png")
    assert "/system/accounts/" in me["avatar"], me["avatar"]
    r = requests.get(me["avatar"])
    assert r.status_code == 200 and r.headers["content-type"] in ("image/jpeg", "image/png")


@check("search for an account")
def _():
    found = state["alice"].search_v2("bob", result_type="accounts")
    assert any(a["acct"] == "bob" for a in found["accounts"]), found
@check("lists: create, add a followed account, read the list timeline")
def _():
    a = state["alice"]
    lst = a.list_create("Friends", replies_policy="list")
    a.list_accounts_add(lst["id"], [state["bob_id"]])
    assert [x["id"] for x in a.list_accounts(lst["id"])] == [state["bob_id"]]
    st = state["bob"].status_post("for alice's list")
    assert st["id"] in [s["id"] for s in a.timeline_list(lst["id"])]
    a.list_update(lst["id"], "Pals", exclusive=True)
    assert a.list(lst["id"])["title"] == "Pals"
    assert st["id"] not in [s["id"] for s in a.timeline_home(limit=40)]
    a.list_delete(lst["id"])
    assert all(x["id"] != lst["id"] for x in a.lists())


@check("filters v2: a warn filter marks statuses, a hide filter removes them")
def _():
    a = state["alice"]
    warn = a.create_filter_v2("Spoilers", ["home"], "warn",
                              keywords_attributes=[{"keyword": "finale", "whole_word": True}])
    hide = a.create_filter_v2("Noise", ["home"], "hide",
                              keywords_attributes=[{"keyword": "noise", "whole_word": True}])
    spoiler = state["bob"].status_post("the finale was great")
    noise = state["bob"].status_post("pure noise")
    home = {s["id"]: s for s in a.timeline_home(limit=40)}
    assert home[spoiler["id"]]["filtered"][0]["filter"]["id"] == warn["id"]
    assert noise["id"] not in home
    a.add_filter_keyword_v2(warn["id"], "great")
    assert len(a.filter_keywords_v2(warn["id"])) == 2
    a.delete_filter_v2(hide["id"])
    assert [f["id"] for f in a.filters_v2()] == [warn["id"]]


@check("pin a status, read its edit history and source")
def _():
    b = state["bob"]
    st = b.status_post("pin me")
    assert b.status_pin(st["id"])["pinned"] is True
    pinned = b.account_statuses(state["bob_id"], pinned=True)
    assert [s["id"] for s in pinned] == [st["id"]]
    b.status_update(st["id"], "pin me, edited")
    hist = b.status_history(st["id"])
    assert len(hist) == 2 and "edited" in hist[1]["content"]
    assert b.status_source(st["id"])["text"] == "pin me, edited"
    b.status_unpin(st["id"])


@check("grouped notifications and the unread count")
def _():
    got = state["bob"].grouped_notifications()
    groups = got["notification_groups"]
    assert groups and all(g["group_key"] for g in groups)
    assert any(g["type"] == "follow" for g in groups)
    assert state["bob"].notifications_unread_count()["count"] >= 1


@check("follow and unfollow a hashtag, read its timeline")
def _():
    a = state["alice"]
    a.tag_follow("kithpy")
    assert "kithpy" in [t["name"] for t in a.followed_tags()]
    st = state["bob"].status_post("hello #kithpy")
    assert st["id"] in [s["id"] for s in a.timeline_hashtag("kithpy")]
    assert a.tag("kithpy")["following"] is True
    a.tag_unfollow("kithpy")


@check("featured hashtags, a private note and the profile directory")
def _():
    a, b = state["alice"], state["bob"]
    a.status_post("rowing today #kithrow")
    ft = a.featured_tag_create("kithrow")
    assert ft["name"] == "kithrow" and ft["statuses_count"] in ("1", 1), ft
    me = a.me()
    assert "kithrow" in [t["name"] for t in b.account_featured_tags(me["id"])]
    a.featured_tag_delete(ft["id"])
    assert a.featured_tags() == []
    rel = a.account_note_set(b.me()["id"], "met at the lake")
    assert rel["note"] == "met at the lake"
    assert "alice" in [x["acct"] for x in a.directory(local=True, order="new")]


@check("schedule a status, move it, cancel it")
def _():
    import datetime
    a = state["alice"]
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)
    sch = a.status_post("later, from Mastodon.py", scheduled_at=when)
    assert sch["params"]["text"] == "later, from Mastodon.py", sch
    assert sch["id"] in [s["id"] for s in a.scheduled_statuses()]
    moved = a.scheduled_status_update(sch["id"], when + datetime.timedelta(hours=1))
    assert moved["scheduled_at"] > sch["scheduled_at"]
    a.scheduled_status_delete(sch["id"])
    assert a.scheduled_statuses() == []


@check("notification policy, thread mute, domain block, statuses by id")
def _():
    a = state["alice"]
    pol = a.update_notifications_policy(for_not_following="filter")
    assert pol["for_not_following"] == "filter"
    assert a.notifications_policy()["summary"]["pending_requests_count"] == 0
    assert a.notification_requests() == []
    a.update_notifications_policy(for_not_following="accept")
    st = a.status_post("a thread to mute")
    assert a.status_mute(st["id"])["muted"] is True
    assert a.status_unmute(st["id"])["muted"] is False
    a.domain_block("spam.example")
    assert "spam.example" in a.domain_blocks()
    a.domain_unblock("spam.example")
    assert a.domain_blocks() == []
    assert [s["id"] for s in a.statuses([st["id"]])] == [st["id"]]


failed = [r for r in results if r[1]]
for name, err in results:
    print(("ok      " if not err else "FAILED  ") + name + ("" if not err else "\n" + err))
print(f"mastodon.py: {len(results) - len(failed)} passed, {len(failed)} failed")
sys.exit(1 if failed else 0)
