"""Self-test of the bovine peer, without Kith: `.venv/bin/python selftest.py`
(start.sh must have created .venv once).

1. Starts two peers, A and B (server.py on free ports), and runs the core
   scenario between them through the control API: B follows A (A accepts),
   A follows B, A posts (B receives the note), B likes it (A receives the like).
2. Serves a throwaway actor "tester" (aiohttp, key from bovine) and checks
   A's inbox: a bovine-signed Follow is accepted (202) and A's Accept comes
   back to tester's inbox with a valid signature; an unsigned POST, a tampered
   body, and a signature by someone else than the activity's actor get 401.
Prints one line per check and "N passed, N failed".
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time

import aiohttp
from aiohttp import web

from bovine.activitystreams import Actor
from bovine.clients.signed_http import SignedHttpClient
from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
from bovine.crypto.types import CryptographicIdentifier

HERE = os.path.dirname(os.path.abspath(__file__))
results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> None:
    results.append((name, ok, detail))
    print(("ok      " if ok else "FAILED  ") + name + ("" if ok else f": {detail}"), flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_peer(port: int) -> subprocess.Popen:
    env = {**os.environ, "PORT": str(port), "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING")}
    return subprocess.Popen([sys.executable, os.path.join(HERE, "server.py")], env=env)


async def wait_up(session: aiohttp.ClientSession, base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{base}/control/state") as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{base} did not come up")


async def state(session, base) -> dict:
    async with session.get(f"{base}/control/state") as r:
        return await r.json()


async def control(session, base, what, body) -> tuple[int, dict]:
    async with session.post(f"{base}/control/{what}", json=body) as r:
        return r.status, await r.json()


async def eventually(pred, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await pred():
            return True
        await asyncio.sleep(0.1)
    return False


async def peer_to_peer(session, a, b) -> None:
    sa, sb = await state(session, a), await state(session, b)
    actor_a, actor_b = sa["actor"], sb["actor"]

    status, _ = await control(session, b, "follow", {"target": actor_a})
    check("B follows A: control/follow answers 202", status == 202, str(status))
    check("A lists B as follower", await eventually(lambda: _has(session, a, "followers", actor_b)))
    check("B lists A in following (A's Accept arrived)", await eventually(lambda: _has(session, b, "following", actor_a)))

    status, _ = await control(session, a, "follow", {"target": actor_b})
    check("A follows B; B's Accept arrives", status == 202 and await eventually(lambda: _has(session, a, "following", actor_b)))

    status, body = await control(session, a, "post", {"content": "<p>Hello from A</p>"})
    note_id = body.get("id")
    check("A posts: control/post answers 200 with an id", status == 200 and bool(note_id), f"{status} {body}")

    async def note_at_b():
        return any(n["id"] == note_id and "Hello from A" in n["content"] and n["attributedTo"] == actor_a
                   for n in (await state(session, b))["notes_received"])
    check("B receives A's note", await eventually(note_at_b))

    async with session.get(note_id, headers={"Accept": "application/activity+json"}) as r:
        doc = await r.json(content_type=None)
        check("A serves the note at its id", r.status == 200 and r.content_type == "application/activity+json"
              and doc.get("type") == "Note" and doc.get("id") == note_id, f"{r.status} {doc}")

    status, _ = await control(session, b, "like", {"object": note_id, "to": actor_a})

    async def like_at_a():
        return {"actor": actor_b, "object": note_id} in (await state(session, a))["likes_received"]
    check("B likes A's note; A receives the Like", status == 202 and await eventually(like_at_a))


async def _has(session, base, key, value) -> bool:
    return value in (await state(session, base))[key]


async def direct_signatures(session, a) -> None:
    """A throwaway actor signs requests to A's inbox with bovine's client."""
    port = free_port()
    base = f"http://localhost:{port}"
    tester_id = f"{base}/users/tester"
    public_pem, private_pem = generate_rsa_public_private_key()
    tester = Actor(id=tester_id, inbox=f"{tester_id}/inbox", outbox=f"{tester_id}/outbox",
                   preferred_username="tester", public_key=public_pem, public_key_name="main-key").build()
    received: list[tuple[dict, str | None]] = []

    async def key_retriever(key_id):
        async with session.get(key_id.split("#")[0], headers={"Accept": "application/activity+json"}) as r:
            return CryptographicIdentifier.from_public_key((await r.json(content_type=None))["publicKey"])
    validate = build_validate_http_signature_raw(key_retriever)

    async def serve_actor(_request):
        return web.json_response(tester, content_type="application/activity+json")

    async def tester_inbox(request):
        body = await request.read()

        async def get_body():
            return body
        signer = await validate("post", str(request.url), request.headers, get_body)
        received.append((json.loads(body), signer))
        return web.Response(status=202)

    app = web.Application()
    app.router.add_get("/users/tester", serve_actor)
    app.router.add_post("/users/tester/inbox", tester_inbox)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        actor_a = (await state(session, a))["actor"]
        inbox_a = f"{actor_a}/inbox"
        client = SignedHttpClient(session, f"{tester_id}#main-key", private_pem)
        follow = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{base}/follows/1",
                  "type": "Follow", "actor": tester_id, "object": actor_a}

        r = await client.post(inbox_a, json.dumps(follow))
        check("bovine-signed Follow to A's inbox is accepted", r.status == 202, str(r.status))

        async def accept_back():
            return any(act.get("type") == "Accept" for act, _ in received)
        got = await eventually(accept_back)
        accept, signer = next(((act, s) for act, s in received if act.get("type") == "Accept"), ({}, None))
        check("A's Accept (Follow embedded) reaches tester, signed by A",
              got and signer == actor_a and isinstance(accept.get("object"), dict)
              and accept["object"].get("id") == follow["id"], f"{accept} signer={signer}")

        like = {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{base}/likes/1",
                "type": "Like", "actor": tester_id, "object": f"{actor_a}/notes/x"}
        async with session.post(inbox_a, data=json.dumps(like),
                                headers={"content-type": "application/activity+json"}) as r:
            check("unsigned POST to A's inbox gets 401", r.status == 401, str(r.status))

        r = await client.post(inbox_a, json.dumps(like))
        check("signed Like to A's inbox is accepted", r.status == 202, str(r.status))

        # Tamper: sign one body, send another (same headers).
        from bovine.clients.signed_http_methods import signed_post
        captured = {}

        class Capture:
            async def post(self, url, data, headers):
                captured.update(url=url, headers=headers)
        await signed_post(Capture(), client.secret, inbox_a, json.dumps(like), client.digest_method)
        tampered = json.dumps({**like, "object": f"{actor_a}/notes/y"})
        async with session.post(inbox_a, data=tampered, headers=captured["headers"]) as r:
            check("signed request with a tampered body gets 401", r.status == 401, str(r.status))

        # Same body, but a header covered by the signature changed: RSA check fails.
        headers = {**captured["headers"], "content-type": "application/ld+json"}
        async with session.post(inbox_a, data=json.dumps(like), headers=headers) as r:
            check("signed request with a changed signed header gets 401", r.status == 401, str(r.status))

        # The signer is tester, the activity claims to be by someone else.
        forged = {**like, "id": f"{base}/likes/2", "actor": "http://localhost:1/users/mallory"}
        r = await client.post(inbox_a, json.dumps(forged))
        check("activity by another actor than the signer gets 401", r.status == 401, str(r.status))

        sa = await state(session, a)
        check("A's state: tester follows, one like from tester",
              tester_id in sa["followers"] and sum(l["actor"] == tester_id for l in sa["likes_received"]) == 1,
              json.dumps(sa))
    finally:
        await runner.cleanup()


async def main() -> int:
    pa, pb = free_port(), free_port()
    a, b = f"http://localhost:{pa}", f"http://localhost:{pb}"
    procs = [start_peer(pa), start_peer(pb)]
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
            await wait_up(session, a)
            await wait_up(session, b)
            async with session.get(f"{a}/.well-known/webfinger", params={"resource": f"acct:peer@localhost:{pa}"}) as r:
                jrd = await r.json(content_type=None)
                check("WebFinger finds peer@localhost:PORT", r.status == 200 and any(
                    l.get("rel") == "self" and l.get("type") == "application/activity+json"
                    and l.get("href") == f"{a}/users/peer" for l in jrd.get("links", [])), str(jrd))
            await peer_to_peer(session, a, b)
            await direct_signatures(session, a)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=10)
    failed = sum(not ok for _, ok, _ in results)
    print(f"selftest: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
