"""An independent ActivityPub peer built on bovine, for Kith's interop tests.

It serves one actor, `peer`, auto-accepts every Follow, and answers the
control API described in ../README.md. Everything is kept in memory.

    PORT=8124 .venv/bin/python server.py      (see start.sh)

Its public base URL is http://localhost:$PORT; it listens on 127.0.0.1.

The ActivityPub parts are bovine's:
- keys: bovine.crypto.generate_rsa_public_private_key;
- incoming signatures: bovine.crypto.build_validate_http_signature (draft-cavage,
  Digest checked), with the key fetched by a signed GET;
- outgoing requests: bovine.BovineActor (SignedHttpClient: draft-cavage rsa-sha256
  over (request-target) host date digest content-type, Digest header);
- documents: bovine.activitystreams (Actor, OrderedCollection, ActivityFactory,
  ObjectFactory) and bovine.utils.webfinger_response_json.
Only the HTTP routing (Quart) and the in-memory bookkeeping are written here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import uuid
from urllib.parse import urldefrag

import aiohttp
from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart, Response, request

from bovine import BovineActor
from bovine.activitystreams import Actor, OrderedCollection
from bovine.activitystreams.activity_factory import ActivityFactory
from bovine.activitystreams.object_factory import ObjectFactory
from bovine.activitystreams.utils import id_for_object
from bovine.crypto import build_validate_http_signature, generate_rsa_public_private_key
from bovine.crypto.types import CryptographicIdentifier
from bovine.types import Visibility
from bovine.utils import webfinger_response_json

try:
    PORT = int(os.environ["PORT"])
    if not 0 < PORT < 65536:
        raise ValueError
except (KeyError, ValueError):
    print("server.py: set PORT to the port to listen on", file=sys.stderr)
    sys.exit(2)

BASE = f"http://localhost:{PORT}"
HANDLE = "peer"
ACCT = f"acct:{HANDLE}@localhost:{PORT}"
ACTOR_ID = f"{BASE}/users/{HANDLE}"
KEY_ID = f"{ACTOR_ID}#main-key"
INBOX = f"{ACTOR_ID}/inbox"
OUTBOX = f"{ACTOR_ID}/outbox"
FOLLOWERS = f"{ACTOR_ID}/followers"
FOLLOWING = f"{ACTOR_ID}/following"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

AP_JSON = "application/activity+json"

logging.basicConfig(
    level=os.environ.get("LOG_LEVEL", "INFO").upper(),
    format="[peer] %(levelname)s %(name)s: %(message)s",
    stream=sys.stderr,
)
log = logging.getLogger("peer")

# ---- Keys and documents ---------------------------------------------------------

PUBLIC_PEM, PRIVATE_PEM = generate_rsa_public_private_key()

ACTOR = Actor(
    id=ACTOR_ID,
    type="Person",
    name="bovine peer",
    preferred_username=HANDLE,
    summary="An interop test peer built on bovine.",
    url=ACTOR_ID,
    inbox=INBOX,
    outbox=OUTBOX,
    followers=FOLLOWERS,
    following=FOLLOWING,
    public_key=PUBLIC_PEM,
    public_key_name="main-key",
    properties={"manuallyApprovesFollowers": False},
)
# OWNER visibility is the one that lists followers/following as well.
ACTOR_DOC = ACTOR.build(visibility=Visibility.OWNER)


def _new_activity_id() -> str:
    return f"{ACTOR_ID}/activities/{uuid.uuid4()}"


ACTIVITIES = ActivityFactory(ACTOR_DOC, id_generator=_new_activity_id)
OBJECTS = ObjectFactory(actor_information=ACTOR_DOC)

# ---- State (in memory) -----------------------------------------------------------

# actor id -> {"inbox": ..., "follow": id of their Follow}
followers: dict[str, dict] = {}
# actor ids whose Accept of our Follow has arrived
following: list[str] = []
# id of our Follow -> target actor id, until accepted / rejected
pending_follows: dict[str, str] = {}
# {"id", "content", "attributedTo"} of notes that arrived in a Create
notes_received: list[dict] = []
# {"actor", "object", "id"} of Likes that arrived ("id" is not shown in state)
likes_received: list[dict] = []
# note id -> Note document; activity id -> activity document (all ours)
notes_sent: dict[str, dict] = {}
activities_sent: dict[str, dict] = {}
# actor id -> actor document (for inboxes)
actor_cache: dict[str, dict] = {}

bovine_actor: BovineActor | None = None

# ---- Outgoing (signed) requests ----------------------------------------------------


async def fetch(url: str) -> dict | None:
    """Signed GET (so a Kith in authorized-fetch mode answers it)."""
    assert bovine_actor is not None
    url = urldefrag(url).url
    return await bovine_actor.get(url, fail_silently=True, create_tombstone=False)


async def fetch_actor(actor_id: str, refresh: bool = False) -> dict:
    if not refresh and actor_id in actor_cache:
        return actor_cache[actor_id]
    doc = await fetch(actor_id)
    if not isinstance(doc, dict) or doc.get("id") != actor_id or "inbox" not in doc:
        raise RuntimeError(f"{actor_id} did not answer with an actor: {doc!r:.300}")
    actor_cache[actor_id] = doc
    return doc


async def deliver(activity: dict, inbox: str) -> None:
    """Signed POST of the activity to the inbox; raises on a non-2xx answer."""
    assert bovine_actor is not None
    response = await bovine_actor.post(inbox, activity)
    log.info("POST %s %s -> %s", activity.get("type"), inbox, response.status)


async def deliver_to_actor(activity: dict, actor_id: str) -> None:
    doc = await fetch_actor(actor_id)
    await deliver(activity, doc["inbox"])


# ---- Incoming signatures ---------------------------------------------------------------


async def key_retriever(key_id: str) -> CryptographicIdentifier | None:
    """keyId -> the key's owner and public key, read from the document at the
    keyId (an actor with publicKey, or a key document)."""
    doc = await fetch(key_id)
    if not isinstance(doc, dict):
        log.warning("key %s: nothing fetched", key_id)
        return None
    keys = doc.get("publicKey", doc)
    if isinstance(keys, dict):
        keys = [keys]
    if not isinstance(keys, list):
        return None
    chosen = next((k for k in keys if isinstance(k, dict) and k.get("id") == key_id), None)
    if chosen is None:
        chosen = next((k for k in keys if isinstance(k, dict) and "publicKeyPem" in k), None)
    if chosen is None:
        log.warning("key %s: no publicKey in %s", key_id, doc.get("id"))
        return None
    owner = id_for_object(chosen.get("owner"))
    # When the key sits in an actor document, that actor must own it.
    if "publicKey" in doc and owner != doc.get("id"):
        log.warning("key %s: owner %s is not the document %s", key_id, owner, doc.get("id"))
        return None
    if owner and "inbox" in doc and owner == doc.get("id"):
        actor_cache[owner] = doc
    return CryptographicIdentifier.from_public_key(chosen)


validate_signature = build_validate_http_signature(key_retriever)

# ---- HTTP app ----------------------------------------------------------------------------

app = Quart(__name__)


def ap_response(doc: dict, status: int = 200) -> Response:
    return Response(json.dumps(doc), status=status, content_type=AP_JSON)


def json_response(doc, status: int = 200) -> Response:
    return Response(json.dumps(doc), status=status, content_type="application/json")


@app.before_serving
async def startup() -> None:
    global bovine_actor
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
    bovine_actor = BovineActor(actor_id=ACTOR_ID, public_key_url=KEY_ID, secret=PRIVATE_PEM)
    await bovine_actor.init(session=session)
    log.info("listening on 127.0.0.1:%d; actor %s", PORT, ACTOR_ID)


@app.after_serving
async def shutdown() -> None:
    if bovine_actor is not None and bovine_actor.session is not None:
        await bovine_actor.session.close()


@app.get("/.well-known/webfinger")
async def webfinger():
    resource = request.args.get("resource", "")
    if resource not in (ACCT, ACTOR_ID):
        return json_response({"error": "unknown resource"}, 404)
    doc = webfinger_response_json(ACCT, ACTOR_ID)
    doc["aliases"] = [ACTOR_ID]
    return Response(json.dumps(doc), content_type="application/jrd+json")


@app.get(f"/users/{HANDLE}")
async def actor_document():
    return ap_response(ACTOR_DOC)


@app.get(f"/users/{HANDLE}/followers")
async def followers_collection():
    items = list(followers)
    return ap_response(OrderedCollection(id=FOLLOWERS, items=items, count=len(items)).build())


@app.get(f"/users/{HANDLE}/following")
async def following_collection():
    items = list(following)
    return ap_response(OrderedCollection(id=FOLLOWING, items=items, count=len(items)).build())


@app.get(f"/users/{HANDLE}/outbox")
async def outbox_collection():
    items = [a for a in activities_sent.values() if a.get("type") == "Create"]
    items.reverse()
    return ap_response(OrderedCollection(id=OUTBOX, items=items, count=len(items)).build())


@app.get(f"/users/{HANDLE}/notes/<note>")
async def note_document(note: str):
    doc = notes_sent.get(f"{ACTOR_ID}/notes/{note}")
    if doc is None:
        return json_response({"error": "not found"}, 404)
    return ap_response(doc)


@app.get(f"/users/{HANDLE}/activities/<activity>")
async def activity_document(activity: str):
    doc = activities_sent.get(f"{ACTOR_ID}/activities/{activity}")
    if doc is None:
        return json_response({"error": "not found"}, 404)
    return ap_response(doc)


# ---- Inbox ------------------------------------------------------------------------------------


@app.post(f"/users/{HANDLE}/inbox")
@app.post("/inbox")
async def inbox():
    signer = await validate_signature(request)
    if signer is None:
        log.warning("inbox: refused a request without a valid HTTP signature")
        return json_response({"error": "a valid HTTP signature is required"}, 401)
    try:
        activity = json.loads(await request.get_data())
    except ValueError:
        return json_response({"error": "the body must be JSON"}, 400)
    if not isinstance(activity, dict):
        return json_response({"error": "the body must be a JSON object"}, 400)
    actor = id_for_object(activity.get("actor"))
    if actor != signer:
        log.warning("inbox: %s signed an activity by %s; refused", signer, actor)
        return json_response({"error": "the signer is not the activity's actor"}, 401)
    try:
        await handle_activity(activity, actor)
    except Exception as error:  # noqa: BLE001 - report, don't crash the peer
        log.exception("inbox: handling %s failed", activity.get("type"))
        return json_response({"error": str(error)}, 500)
    return json_response({}, 202)


def _type_of(obj) -> str | None:
    return obj.get("type") if isinstance(obj, dict) else None


async def handle_activity(activity: dict, actor: str) -> None:
    kind = activity.get("type")
    obj = activity.get("object")
    obj_id = id_for_object(obj)
    log.info("inbox: %s from %s (object %s)", kind, actor, obj_id)

    if kind == "Follow":
        if obj_id != ACTOR_ID:
            log.info("Follow of %s, not of us; ignored", obj_id)
            return
        doc = await fetch_actor(actor, refresh=True)
        followers[actor] = {"inbox": doc["inbox"], "follow": activity.get("id")}
        accept = ACTIVITIES.accept(activity, include_activity=True).build()
        activities_sent[accept["id"]] = accept
        # Answer the Follow first; the Accept goes out right after.
        app.add_background_task(send_in_background, accept, doc["inbox"])

    elif kind == "Accept":
        follow_id = obj_id
        target = pending_follows.get(follow_id) if follow_id else None
        if target is None and _type_of(obj) == "Follow":
            # An embedded Follow of ours whose id we don't know: match by content.
            if id_for_object(obj.get("actor")) == ACTOR_ID and id_for_object(obj.get("object")) == actor:
                target = actor
        if target != actor:
            log.info("Accept from %s of unknown %s; ignored", actor, follow_id)
            return
        pending_follows.pop(follow_id, None)
        if actor not in following:
            following.append(actor)

    elif kind == "Reject":
        pending_follows.pop(obj_id, None)
        if actor in following:
            following.remove(actor)

    elif kind == "Create":
        if not isinstance(obj, dict):
            obj = await fetch(obj_id) if obj_id else None
        if _type_of(obj) != "Note" or not obj.get("id"):
            log.info("Create of %s; ignored", _type_of(obj))
            return
        attributed_to = id_for_object(obj.get("attributedTo"))
        if attributed_to != actor:
            log.info("Create by %s of a note attributed to %s; ignored", actor, attributed_to)
            return
        note = {"id": obj["id"], "content": obj.get("content") or "", "attributedTo": attributed_to}
        for i, known in enumerate(notes_received):
            if known["id"] == note["id"]:
                notes_received[i] = note
                break
        else:
            notes_received.append(note)

    elif kind == "Update":
        if _type_of(obj) == "Note" and id_for_object(obj.get("attributedTo")) == actor:
            for known in notes_received:
                if known["id"] == obj.get("id"):
                    known["content"] = obj.get("content") or ""

    elif kind == "Like":
        if obj_id and not any(l["actor"] == actor and l["object"] == obj_id for l in likes_received):
            likes_received.append({"actor": actor, "object": obj_id, "id": activity.get("id")})

    elif kind == "Undo":
        undone_type = _type_of(obj)
        if undone_type is not None and id_for_object(obj.get("actor")) not in (None, actor):
            log.info("Undo by %s of someone else's activity; ignored", actor)
            return
        if undone_type == "Follow" or (
            undone_type is None and actor in followers and followers[actor].get("follow") == obj_id
        ):
            followers.pop(actor, None)
        elif undone_type == "Like" or undone_type is None:
            liked = id_for_object(obj.get("object")) if isinstance(obj, dict) else None
            likes_received[:] = [
                l
                for l in likes_received
                if not (l["actor"] == actor and (l["object"] == liked or (obj_id and l.get("id") == obj_id)))
            ]

    elif kind == "Delete":
        notes_received[:] = [
            n for n in notes_received if not (n["id"] == obj_id and n["attributedTo"] == actor)
        ]

    else:
        log.info("%s: nothing to do", kind)


async def send_in_background(activity: dict, inbox_url: str) -> None:
    try:
        await deliver(activity, inbox_url)
    except Exception:  # noqa: BLE001
        log.exception("sending %s to %s failed", activity.get("type"), inbox_url)


# ---- Control API ---------------------------------------------------------------------------------


@app.get("/control/state")
async def control_state():
    return json_response(
        {
            "actor": ACTOR_ID,
            "followers": list(followers),
            "following": list(following),
            "notes_received": notes_received,
            "likes_received": [{"actor": l["actor"], "object": l["object"]} for l in likes_received],
            "notes_sent": list(notes_sent),
        }
    )


async def _body() -> dict | None:
    try:
        body = json.loads(await request.get_data())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _is_url(value) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


@app.post("/control/follow")
async def control_follow():
    body = await _body()
    if body is None or not _is_url(body.get("target")):
        return json_response({"error": "target must be an actor id"}, 400)
    target = body["target"]
    try:
        await fetch_actor(target, refresh=True)
        follow = ACTIVITIES.follow(target).build()
        pending_follows[follow["id"]] = target
        activities_sent[follow["id"]] = follow
        await deliver_to_actor(follow, target)
    except Exception as error:  # noqa: BLE001
        log.exception("control/follow failed")
        return json_response({"error": str(error)}, 502)
    return json_response({"id": follow["id"]}, 202)


@app.post("/control/post")
async def control_post():
    body = await _body()
    if body is None or not isinstance(body.get("content"), str):
        return json_response({"error": "content must be a string"}, 400)
    note_id = f"{ACTOR_ID}/notes/{uuid.uuid4()}"
    note = OBJECTS.note(id=note_id, url=note_id, content=body["content"]).as_public().build()
    create = ACTIVITIES.create(note).as_public().build()
    notes_sent[note_id] = note
    activities_sent[create["id"]] = create
    inboxes = sorted({f["inbox"] for f in followers.values()})
    results = await asyncio.gather(*(deliver(create, i) for i in inboxes), return_exceptions=True)
    failed = {i: str(r) for i, r in zip(inboxes, results) if isinstance(r, Exception)}
    log.info("Create(Note) %s sent to %d inbox(es), %d failed", note_id, len(inboxes), len(failed))
    if failed:
        return json_response({"id": note_id, "failed": failed}, 502)
    return json_response({"id": note_id})


@app.post("/control/like")
async def control_like():
    body = await _body()
    if body is None or not _is_url(body.get("object")) or not _is_url(body.get("to")):
        return json_response({"error": "object must be a note id and to an actor id"}, 400)
    like = ACTIVITIES.like(body["object"], to={body["to"]}).build()
    activities_sent[like["id"]] = like
    try:
        await deliver_to_actor(like, body["to"])
    except Exception as error:  # noqa: BLE001
        log.exception("control/like failed")
        return json_response({"error": str(error)}, 502)
    return json_response({"id": like["id"]}, 202)


# ---- Main ------------------------------------------------------------------------------------------


async def main() -> None:
    config = Config()
    config.bind = [f"127.0.0.1:{PORT}"]
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await serve(app, config, shutdown_trigger=stop.wait)


if __name__ == "__main__":
    asyncio.run(main())
