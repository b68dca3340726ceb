// Drives a running Kith with real JavaScript client libraries: masto.js and
// megalodon. Usage: node clients.mjs BASE_URL (users alice and bob exist with
// passwords "password-of-alice" and "password-of-bob"). Prints a line per check
// and "masto.js: N passed, M failed" / "megalodon: N passed, M failed".
import { createOAuthAPIClient, createRestAPIClient } from "masto";
import generator from "megalodon";

const BASE = process.argv[2].replace(/\/$/, "");
const results = { "masto.js": [], megalodon: [] };

async function check(lib, name, fn) {
  try {
    await fn();
    results[lib].push([name, null]);
  } catch (e) {
    results[lib].push([name, e && e.stack ? e.stack.split("\n").slice(0, 4).join("\n") : String(e)]);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg || "assertion failed");
}

const state = {};

// ---- masto.js ----
await check("masto.js", "register an app and log in (password grant)", async () => {
  const oauth = createOAuthAPIClient({ url: BASE });
  const app = await fetch(`${BASE}/api/v1/apps`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ client_name: "kith-js", redirect_uris: "urn:ietf:wg:oauth:2.0:oob", scopes: "read write follow" }),
  }).then((r) => r.json());
  state.app = app;
  for (const user of ["alice", "bob"]) {
    const token = await oauth.token.create({
      grantType: "password",
      clientId: app.client_id,
      clientSecret: app.client_secret,
      username: `${user}@example.org`,
      password: `password-of-${user}`,
      scope: "read write follow",
    });
    state[user] = token.accessToken;
  }
  assert(state.alice && state.bob, "no tokens");
});

const alice = () => createRestAPIClient({ url: BASE, accessToken: state.alice });
const bob = () => createRestAPIClient({ url: BASE, accessToken: state.bob });

await check("masto.js", "verify credentials", async () => {
  const me = await alice().v1.accounts.verifyCredentials();
  assert(me.username === "alice", me.username);
});

await check("masto.js", "follow", async () => {
  const b = await alice().v1.accounts.lookup({ acct: "bob" });
  state.bobId = b.id;
  const rel = await alice().v1.accounts.$select(b.id).follow();
  assert(rel.following === true);
});

await check("masto.js", "post with each visibility, reply, favourite, boost", async () => {
  const ids = {};
  for (const v of ["public", "unlisted", "private", "direct"]) {
    const s = await bob().v1.statuses.create({ status: `${v} from bob via masto.js${v === "direct" ? " @alice" : ""}`, visibility: v });
    assert(s.visibility === v, s.visibility);
    ids[v] = s.id;
  }
  state.bobPublic = ids.public;
  const reply = await alice().v1.statuses.create({ status: "@bob reply", inReplyToId: ids.public });
  assert(reply.inReplyToId === ids.public);
  const fav = await alice().v1.statuses.$select(ids.public).favourite();
  assert(fav.favourited === true && fav.favouritesCount === 1);
  const boost = await alice().v1.statuses.$select(ids.public).reblog();
  assert(boost.reblog && boost.reblog.id === ids.public);
});

await check("masto.js", "home timeline page 2 through the Link header", async () => {
  for (let i = 0; i < 4; i++) await bob().v1.statuses.create({ status: `filler ${i}` });
  const pages = alice().v1.timelines.home.list({ limit: 2 })[Symbol.asyncIterator]();
  const first = await pages.next();
  const second = await pages.next();
  assert(first.value.length === 2 && second.value.length === 2, "two pages of two");
  assert(BigInt(second.value[0].id) < BigInt(first.value[1].id), "page 2 is older");
});

await check("masto.js", "notifications and search", async () => {
  const notes = await bob().v1.notifications.list();
  const types = notes.map((n) => n.type);
  for (const t of ["follow", "favourite", "reblog", "mention"]) assert(types.includes(t), `${t} in ${types}`);
  const found = await alice().v2.search.list({ q: "bob", type: "accounts" });
  assert(found.accounts.some((a) => a.username === "bob"));
});

// ---- megalodon ----
await check("megalodon", "verify credentials", async () => {
  const client = generator("mastodon", BASE, state.alice);
  const me = await client.verifyAccountCredentials();
  assert(me.data.username === "alice");
});

await check("megalodon", "post, read home, favourite, boost", async () => {
  const b = generator("mastodon", BASE, state.bob);
  const a = generator("mastodon", BASE, state.alice);
  const posted = await b.postStatus("hello from megalodon", { visibility: "public" });
  const id = posted.data.id;
  const home = await a.getHomeTimeline({ limit: 10 });
  assert(home.data.some((s) => s.id === id), "the post is in alice's home");
  const fav = await a.favouriteStatus(id);
  assert(fav.data.favourited === true);
  const boost = await a.reblogStatus(id);
  assert(boost.data.reblog && boost.data.reblog.id === id);
});

await check("megalodon", "notifications and relationships", async () => {
  const b = generator("mastodon", BASE, state.bob);
  const a = generator("mastodon", BASE, state.alice);
  const notes = await b.getNotifications({ limit: 40 });
  assert(notes.data.length > 0);
  const rel = await a.getRelationship(state.bobId);
  assert(rel.data.following === true);
});

let failedAny = false;
for (const [lib, rs] of Object.entries(results)) {
  for (const [name, err] of rs) console.log((err ? "FAILED  " : "ok      ") + `${lib}: ${name}` + (err ? `\n${err}` : ""));
  const failed = rs.filter(([, e]) => e).length;
  if (failed) failedAny = true;
  console.log(`${lib}: ${rs.length - failed} passed, ${failed} failed`);
}
process.exit(failedAny ? 1 : 0);
