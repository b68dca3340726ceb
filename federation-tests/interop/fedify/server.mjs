// An independent ActivityPub peer built on Fedify, for Kith's interop tests.
// It serves one actor, `peer`, auto-accepts every Follow, and answers the
// control API described in ../README.md.  Everything is kept in memory.
//
//   PORT=8123 node server.mjs      (Node >= 22; see start.sh)
//
// Its public base URL is http://localhost:$PORT; it listens on 127.0.0.1.

import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { serve } from "@hono/node-server";
import {
  createFederation,
  generateCryptoKeyPair,
  MemoryKvStore,
} from "@fedify/fedify";
import {
  Accept,
  Create,
  Delete,
  Endpoints,
  Follow,
  isActor,
  Like,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Reject,
  Undo,
} from "@fedify/vocab";
import { configure, getConsoleSink } from "@logtape/logtape";
import { Temporal } from "@js-temporal/polyfill";

const PORT = Number.parseInt(process.env.PORT ?? "", 10);
if (!Number.isInteger(PORT) || PORT <= 0 || PORT > 65535) {
  console.error("server.mjs: set PORT to the port to listen on");
  process.exit(2);
}
const ORIGIN = `http://localhost:${PORT}`;
const HANDLE = "peer";
const LOG_LEVEL = process.env.LOG_LEVEL ?? "info";

await configure({
  sinks: { console: getConsoleSink() },
  contextLocalStorage: new AsyncLocalStorage(),
  loggers: [
    { category: "fedify", lowestLevel: LOG_LEVEL, sinks: ["console"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["console"] },
  ],
});

// ---- State (in memory) ------------------------------------------------------

const keyPair = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");

/** actor id -> { id, inboxId, endpoints } of actors following `peer`. */
const followers = new Map();
/** actor ids whose Accept of our Follow has arrived. */
const following = new Set();
/** our Follow activity id -> target actor id, for Follows not yet accepted. */
const pendingFollows = new Map();
/** { id, content, attributedTo } of notes that arrived in a Create. */
const notesReceived = [];
/** { actor, object } of Likes that arrived. */
const likesReceived = [];
/** note uuid -> Note created through /control/post, served at its id. */
const notesSent = new Map();

function log(msg, ...rest) {
  console.error(`[peer] ${msg}`, ...rest);
}

function toRecipient(actor) {
  return {
    id: actor.id,
    inboxId: actor.inboxId,
    endpoints: actor.endpoints == null
      ? null
      : { sharedInbox: actor.endpoints.sharedInbox },
  };
}

// ---- Federation ---------------------------------------------------------------

const federation = createFederation({
  kv: new MemoryKvStore(),
  // No queue: activities are sent at once, inside the request that makes them.
  origin: ORIGIN,
  // Everything runs on loopback over http.
  allowPrivateAddress: true,
  // Kith verifies draft-cavage HTTP Signatures (rsa-sha256 with Digest).
  firstKnock: "draft-cavage-http-signatures-12",
  // Signatures on incoming requests are verified (skipSignatureVerification is
  // left at its default, false).
});

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== HANDLE) return null;
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "Fedify peer",
      summary: "An interop test peer built on Fedify.",
      url: ctx.getActorUri(identifier),
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      following: ctx.getFollowingUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      manuallyApprovesFollowers: false,
      publicKey: keys[0]?.cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => {
    if (identifier !== HANDLE) return [];
    return [keyPair];
  });

federation.setFollowersDispatcher(
  "/users/{identifier}/followers",
  async (_ctx, identifier) => {
    if (identifier !== HANDLE) return null;
    return { items: [...followers.values()] };
  },
).setCounter((_ctx, identifier) =>
  identifier === HANDLE ? followers.size : null
);

federation.setFollowingDispatcher(
  "/users/{identifier}/following",
  async (_ctx, identifier) => {
    if (identifier !== HANDLE) return null;
    return { items: [...following].map((id) => new URL(id)) };
  },
).setCounter((_ctx, identifier) =>
  identifier === HANDLE ? following.size : null
);

federation.setOutboxDispatcher(
  "/users/{identifier}/outbox",
  async (_ctx, identifier) => {
    if (identifier !== HANDLE) return null;
    return { items: [] };
  },
);

federation.setObjectDispatcher(
  Note,
  "/users/{identifier}/notes/{id}",
  async (_ctx, values) => {
    if (values.identifier !== HANDLE) return null;
    return notesSent.get(values.id) ?? null;
  },
);

/** A document loader that signs its GETs as `peer` (for authorized fetch). */
async function signedLoader(ctx) {
  return await ctx.getDocumentLoader({ identifier: HANDLE });
}

async function lookupActor(ctx, uri) {
  const documentLoader = await signedLoader(ctx);
  const actor = await ctx.lookupObject(uri, { documentLoader });
  if (!isActor(actor)) {
    throw new Error(`${uri} is not an actor (got ${actor?.constructor?.name ?? actor})`);
  }
  return actor;
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  // Key fetches for incoming signatures are signed too, so a Kith in
  // authorized-fetch mode answers them.
  .setSharedKeyDispatcher((_ctx) => ({ identifier: HANDLE }))
  .on(Follow, async (ctx, follow) => {
    if (follow.id == null || follow.actorId == null || follow.objectId == null) return;
    const parsed = ctx.parseUri(follow.objectId);
    if (parsed?.type !== "actor" || parsed.identifier !== HANDLE) return;
    const follower = await follow.getActor({ documentLoader: await signedLoader(ctx) });
    if (follower == null || follower.id == null || follower.inboxId == null) {
      log(`Follow ${follow.id.href}: cannot fetch its actor`);
      return;
    }
    followers.set(follower.id.href, toRecipient(follower));
    log(`Follow from ${follower.id.href}; sending Accept`);
    await ctx.sendActivity(
      { identifier: HANDLE },
      follower,
      new Accept({
        id: new URL(`${ctx.getActorUri(HANDLE).href}#accepts/${randomUUID()}`),
        actor: ctx.getActorUri(HANDLE),
        object: follow,
        to: follower.id,
      }),
    );
  })
  .on(Accept, async (ctx, accept) => {
    // The object is our Follow (embedded or by id); its id is enough to match
    // it with the Follow we sent, without fetching anything.
    const actorId = accept.actorId?.href;
    if (actorId == null) return;
    const followId = accept.objectId?.href;
    if (followId != null && pendingFollows.get(followId) === actorId) {
      pendingFollows.delete(followId);
      following.add(actorId);
      log(`Accept from ${actorId} of ${followId}`);
    } else {
      log(`Accept from ${actorId} of an unknown object ${followId}; ignored`);
    }
  })
  .on(Reject, async (ctx, reject) => {
    const actorId = reject.actorId?.href;
    const followId = reject.objectId?.href;
    if (actorId == null) return;
    if (followId != null) pendingFollows.delete(followId);
    following.delete(actorId);
    log(`Reject from ${actorId} of ${followId}`);
  })
  .on(Create, async (ctx, create) => {
    const object = await create.getObject({ documentLoader: await signedLoader(ctx) });
    if (!(object instanceof Note) || object.id == null) return;
    const attributedTo = object.attributionId?.href ?? null;
    if (attributedTo !== create.actorId?.href) {
      log(`Create by ${create.actorId?.href} of a note attributed to ${attributedTo}; ignored`);
      return;
    }
    const note = {
      id: object.id.href,
      content: object.content == null ? "" : object.content.toString(),
      attributedTo,
    };
    const i = notesReceived.findIndex((n) => n.id === note.id);
    if (i >= 0) notesReceived[i] = note;
    else notesReceived.push(note);
    log(`Create(Note) ${note.id} from ${attributedTo}`);
  })
  .on(Like, async (ctx, like) => {
    const actor = like.actorId?.href;
    const object = like.objectId?.href;
    if (actor == null || object == null) return;
    if (!likesReceived.some((l) => l.actor === actor && l.object === object)) {
      likesReceived.push({ actor, object });
    }
    log(`Like from ${actor} of ${object}`);
  })
  .on(Undo, async (ctx, undo) => {
    const actor = undo.actorId?.href;
    if (actor == null) return;
    const object = await undo.getObject({ documentLoader: await signedLoader(ctx) });
    if (object instanceof Follow) {
      if (object.actorId?.href !== actor) return;
      followers.delete(actor);
      log(`Undo(Follow) from ${actor}`);
    } else if (object instanceof Like) {
      if (object.actorId?.href !== actor) return;
      const liked = object.objectId?.href;
      for (let i = likesReceived.length - 1; i >= 0; i--) {
        if (likesReceived[i].actor === actor && likesReceived[i].object === liked) {
          likesReceived.splice(i, 1);
        }
      }
      log(`Undo(Like) from ${actor} of ${liked}`);
    } else {
      log(`Undo from ${actor} of ${object?.constructor?.name ?? "an unknown object"}; ignored`);
    }
  })
  .on(Delete, async (ctx, del) => {
    const actor = del.actorId?.href;
    const id = del.objectId?.href;
    if (actor == null || id == null) return;
    for (let i = notesReceived.length - 1; i >= 0; i--) {
      if (notesReceived[i].id === id && notesReceived[i].attributedTo === actor) {
        notesReceived.splice(i, 1);
      }
    }
    log(`Delete from ${actor} of ${id}`);
  })
  .onError((_ctx, error) => {
    log(`inbox error: ${error?.stack ?? error}`);
  });

// ---- Control API ----------------------------------------------------------------

function json(status, body) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

async function readJson(request) {
  try {
    const body = await request.json();
    return body != null && typeof body === "object" ? body : null;
  } catch {
    return null;
  }
}

function badUrl(s) {
  if (typeof s !== "string") return true;
  try {
    new URL(s);
    return false;
  } catch {
    return true;
  }
}

async function control(request, path) {
  const ctx = federation.createContext(new URL(ORIGIN), undefined);
  const me = ctx.getActorUri(HANDLE);

  if (path === "/control/state" && request.method === "GET") {
    return json(200, {
      actor: me.href,
      followers: [...followers.keys()],
      following: [...following],
      notes_received: notesReceived,
      likes_received: likesReceived,
      notes_sent: [...notesSent.values()].map((n) => n.id.href),
    });
  }

  if (request.method !== "POST") return json(405, { error: "method not allowed" });
  const body = await readJson(request);
  if (body == null) return json(400, { error: "the body must be a JSON object" });

  if (path === "/control/follow") {
    if (badUrl(body.target)) return json(400, { error: "target must be an actor id" });
    const target = await lookupActor(ctx, body.target);
    const follow = new Follow({
      id: new URL(`${me.href}#follows/${randomUUID()}`),
      actor: me,
      object: target.id,
      to: target.id,
    });
    pendingFollows.set(follow.id.href, target.id.href);
    await ctx.sendActivity({ identifier: HANDLE }, target, follow);
    log(`sent Follow ${follow.id.href} to ${target.id.href}`);
    return json(202, { id: follow.id.href });
  }

  if (path === "/control/post") {
    if (typeof body.content !== "string") return json(400, { error: "content must be a string" });
    const uuid = randomUUID();
    const id = ctx.getObjectUri(Note, { identifier: HANDLE, id: uuid });
    const published = Temporal.Now.instant();
    const note = new Note({
      id,
      attribution: me,
      content: body.content,
      url: id,
      to: PUBLIC_COLLECTION,
      cc: ctx.getFollowersUri(HANDLE),
      published,
    });
    notesSent.set(uuid, note);
    const create = new Create({
      id: new URL(`${id.href}#create`),
      actor: me,
      object: note,
      to: PUBLIC_COLLECTION,
      cc: ctx.getFollowersUri(HANDLE),
      published,
    });
    await ctx.sendActivity({ identifier: HANDLE }, "followers", create, {
      preferSharedInbox: true,
    });
    log(`sent Create(Note) ${id.href} to ${followers.size} follower(s)`);
    return json(200, { id: id.href });
  }

  if (path === "/control/like") {
    if (badUrl(body.object)) return json(400, { error: "object must be a note id" });
    if (badUrl(body.to)) return json(400, { error: "to must be an actor id" });
    const author = await lookupActor(ctx, body.to);
    const like = new Like({
      id: new URL(`${me.href}#likes/${randomUUID()}`),
      actor: me,
      object: new URL(body.object),
      to: author.id,
    });
    await ctx.sendActivity({ identifier: HANDLE }, author, like);
    log(`sent Like ${like.id.href} of ${body.object} to ${author.id.href}`);
    return json(202, { id: like.id.href });
  }

  return json(404, { error: "no such control endpoint" });
}

// ---- HTTP server ------------------------------------------------------------------

async function handle(request) {
  const url = new URL(request.url);
  if (url.pathname.startsWith("/control/")) {
    try {
      return await control(request, url.pathname);
    } catch (error) {
      log(`control ${url.pathname} failed: ${error?.stack ?? error}`);
      return json(500, { error: String(error?.message ?? error) });
    }
  }
  return await federation.fetch(request, {
    contextData: undefined,
    onNotFound: () => new Response("Not Found", { status: 404 }),
    onNotAcceptable: () =>
      new Response("Not Acceptable", {
        status: 406,
        headers: { vary: "Accept" },
      }),
  });
}

const server = serve({ fetch: handle, port: PORT, hostname: "127.0.0.1" }, (info) => {
  log(`listening on ${info.address}:${info.port}; actor ${ORIGIN}/users/${HANDLE}`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
