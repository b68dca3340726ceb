// The web site as people use it, in headless Chromium: two people sign up,
// become friends, post, comment, like and trade messages, each seeing the
// other's action appear without reloading; someone on instance A follows
// someone on instance B from the web and sees their post. Every page visited
// is checked with axe-core (no serious or critical violations), and the feed,
// a profile and a conversation are saved as screenshots at 360 and 1280 px.
//
// Usage: node web.mjs URL_A URL_B OUTPUT_DIR
// Ends with one line: `web: N passed, M failed` (exit status 1 on a failure).
import { createRequire } from "node:module";
import { readFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { chromium } from "playwright-core";

/** A gradient PNG made by the test (w×h, RGB). */
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * (w * 3 + 1) + 1 + x * 3;
      rows[i] = Math.floor((x * 255) / w);
      rows[i + 1] = Math.floor((y * 255) / h);
      rows[i + 2] = 160;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const [A, B, OUT] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const LIVE = 15_000; // how long a live update may take to show
mkdirSync(OUT, { recursive: true });

let passed = 0;
let failed = 0;
const a11yChecked = new Set();

async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/** axe-core on the page as it is; serious or critical violations fail. */
async function checkA11y(page, label) {
  const key = label || new URL(page.url()).pathname.replace(/\d{6,}/g, "ID");
  if (a11yChecked.has(key)) return;
  a11yChecked.add(key);
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of result) {
    if (!bad.includes(v)) console.log(`     axe (${v.impact}) ${key}: ${v.id}: ${v.help}`);
  }
  assert(bad.length === 0, `accessibility problems on ${key}: ${JSON.stringify(bad, null, 1)}`);
}

async function visit(page, url) {
  const resp = await page.goto(url, { waitUntil: "load" });
  assert(resp && resp.status() < 400, `${url} answered ${resp && resp.status()}`);
  await checkA11y(page);
  return resp;
}

async function person(browser, base, name) {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => console.log(`     [${name}] page error: ${e.message}`));
  return { name, base, context, page, handle: `${name}` };
}

async function signUp(p) {
  await visit(p.page, `${p.base}/`);
  await p.page.getByRole("link", { name: "Sign up" }).first().click();
  await checkA11y(p.page);
  await p.page.getByLabel("Username").fill(p.name);
  await p.page.getByLabel("E-mail address").fill(`${p.name}@example.org`);
  await p.page.getByLabel("Password").fill(`password-of-${p.name}`);
  await Promise.all([p.page.waitForURL(`${p.base}/`), p.page.getByRole("button", { name: "Sign up" }).click()]);
  await p.page.locator("#feed").waitFor();
  await checkA11y(p.page, "feed");
}

async function screenshots(page, name) {
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
    await page.screenshot({ path: path.join(OUT, `${name}-${width}.png`), fullPage: false });
    await checkA11y(page, `${name}@${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Resolves once the live stream is open (so that what follows is seen live). */
async function liveReady(page) {
  await page.waitForFunction(() => document.body.getAttribute("data-live") === "1", null, { timeout: LIVE });
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
const alice = await person(browser, A, "alice");
const bob = await person(browser, A, "bob");
const carol = await person(browser, B, "carol");
let postPath = "";
let conversationPath = "";

await step("landing page and log-in page are accessible", async () => {
  await visit(alice.page, `${A}/`);
  assert(await alice.page.getByRole("heading", { name: /Welcome to Riverside Club/ }).isVisible(), "welcome heading");
  await visit(alice.page, `${A}/login`);
});

await step("two people sign up", async () => {
  await signUp(alice);
  await signUp(bob);
});

await step("uploads a profile picture", async () => {
  const page = alice.page;
  await visit(page, `${A}/settings/profile`);
  await page.locator("#avatar").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: png(300, 300) });
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.locator(".flash").waitFor();
  await visit(page, `${A}/@alice`);
  const src = await page.locator("img.avatar.xl").first().getAttribute("src");
  assert(src && src.includes("/system/accounts/"), `avatar comes from the media store: ${src}`);
  const r = await page.request.get(src);
  assert(r.ok() && ["image/png", "image/jpeg"].includes(r.headers()["content-type"]), `avatar file served: ${r.status()}`);
});

await step("edits a profile (bio, locked account)", async () => {
  const page = bob.page;
  await visit(page, `${A}/settings/profile`);
  await page.getByLabel("Display name").fill("Bob Builder");
  await page.getByLabel("Bio").fill("I fix things. #tools");
  await page.getByLabel("Require approval of new followers").check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.locator(".flash").waitFor();
  await visit(page, `${A}/@bob`);
  assert(await page.getByRole("heading", { name: "Bob Builder" }).isVisible(), "new display name shown");
  assert((await page.locator(".bio").innerText()).includes("I fix things"), "bio shown");
});

await step("they become friends: follow, request approved, follow back", async () => {
  const ap = alice.page;
  await visit(ap, `${A}/friends`);
  await ap.getByRole("searchbox", { name: "Find people" }).fill("bob");
  await ap.getByRole("button", { name: "Search" }).click();
  await ap.getByRole("button", { name: "Follow" }).first().click();
  await ap.getByRole("button", { name: "Requested" }).first().waitFor();
  // Bob sees the request arrive live in his navigation bar, then approves it.
  const bp = bob.page;
  await visit(bp, `${A}/friends`);
  await bp.getByRole("button", { name: "Approve" }).click();
  await bp.waitForURL(`${A}/friends`);
  await visit(ap, `${A}/@bob`);
  await ap.getByRole("button", { name: "Unfollow" }).waitFor();
  await visit(bp, `${A}/@alice`);
  await bp.getByRole("button", { name: "Follow" }).click();
  await bp.getByRole("button", { name: "Unfollow" }).waitFor();
  assert((await bp.locator(".tag", { hasText: "Follows you" }).count()) === 1, "bob sees that alice follows him");
});

await step("a post appears live in the friend's feed", async () => {
  await visit(alice.page, `${A}/`);
  await liveReady(alice.page);
  await visit(bob.page, `${A}/`);
  await bob.page.getByLabel("What's on your mind?").fill("Hello from Bob! Who's coming to the picnic?");
  await bob.page.getByRole("button", { name: "Post", exact: true }).click();
  await bob.page.locator("#feed .post", { hasText: "Hello from Bob" }).waitFor();
  await alice.page.locator("#feed .post", { hasText: "Hello from Bob" }).waitFor({ timeout: LIVE });
  postPath = await bob.page.locator("#feed .post", { hasText: "Hello from Bob" }).first().locator("a.time").getAttribute("href");
  assert(postPath && postPath.startsWith("/@bob/"), `post path ${postPath}`);
});

await step("a photo with alt text is posted and seen by a friend", async () => {
  await visit(alice.page, `${A}/`);
  await liveReady(alice.page);
  await visit(bob.page, `${A}/`);
  await bob.page.getByLabel("What's on your mind?").fill("The picnic spot");
  await bob.page.getByLabel("Add a photo").setInputFiles({ name: "spot.png", mimeType: "image/png", buffer: png(640, 400) });
  await bob.page.getByLabel("Describe the photo for people who cannot see it").fill("A meadow by the river");
  await bob.page.getByRole("button", { name: "Post", exact: true }).click();
  await bob.page.locator("#feed .post", { hasText: "The picnic spot" }).waitFor();
  const img = alice.page.locator("#feed .post", { hasText: "The picnic spot" }).locator("img[alt='A meadow by the river']");
  await img.waitFor({ timeout: LIVE });
  const src = await img.getAttribute("src");
  assert(src && src.includes("/system/media/"), `photo from the media store: ${src}`);
});

await step("a comment appears live on the post's page", async () => {
  await visit(bob.page, `${A}${postPath}`);
  await liveReady(bob.page);
  await visit(alice.page, `${A}${postPath}`);
  await alice.page.getByLabel("Write a comment").fill("I'll bring the lemonade!");
  await alice.page.getByRole("button", { name: "Comment", exact: true }).click();
  await alice.page.locator(".comment-list .post", { hasText: "lemonade" }).waitFor();
  await bob.page.locator(".comment-list .post", { hasText: "lemonade" }).waitFor({ timeout: LIVE });
});

await step("a like updates the count live for the author", async () => {
  const main = (p) => p.page.locator(`article[data-id="${postPath.split("/").pop()}"]`).first();
  await main(alice).getByRole("button", { name: /Like/ }).click();
  await main(alice).locator('[aria-pressed="true"]').first().waitFor();
  await bob.page.waitForFunction(
    (id) => document.querySelector(`article[data-id="${id}"] [data-count="favourites"]`)?.textContent === "1",
    postPath.split("/").pop(),
    { timeout: LIVE },
  );
  await bob.page.locator('[data-unread="notifications"]:not([hidden])').waitFor({ timeout: LIVE });
  await visit(bob.page, `${A}/notifications`);
  assert((await bob.page.locator(".notification", { hasText: "liked your post" }).count()) >= 1, "like notification listed");
});

await step("messages are exchanged and appear live", async () => {
  const ap = alice.page;
  const bp = bob.page;
  await visit(bp, `${A}/messages`);
  await liveReady(bp);
  await visit(ap, `${A}/@bob`);
  await ap.getByRole("link", { name: "Message", exact: true }).click();
  await checkA11y(ap);
  await ap.getByLabel("Write a message").fill("Are you free on Saturday?");
  await ap.getByRole("button", { name: "Send" }).click();
  await ap.waitForURL(/\/messages\/\d+$/);
  conversationPath = new URL(ap.url()).pathname;
  await ap.locator(".msg", { hasText: "Saturday" }).waitFor();
  await checkA11y(ap, "conversation");
  await bp.locator('[data-unread="messages"]:not([hidden])').waitFor({ timeout: LIVE });
  await visit(bp, `${A}${conversationPath}`);
  await liveReady(bp);
  await liveReady(ap);
  await bp.getByLabel("Write a message").fill("Yes! Let's go hiking.");
  await bp.getByRole("button", { name: "Send" }).click();
  await ap.locator(".msg", { hasText: "hiking" }).waitFor({ timeout: LIVE });
  await visit(bp, `${A}${conversationPath}`);
  await liveReady(bp);
  await ap.getByLabel("Write a message").fill("Great, see you at nine.");
  await ap.getByRole("button", { name: "Send" }).click();
  await bp.locator(".msg", { hasText: "nine" }).waitFor({ timeout: LIVE });
});

await step("someone on instance A follows someone on instance B and sees their post", async () => {
  await signUp(carol);
  const hostB = new URL(B).host;
  const ap = alice.page;
  await visit(ap, `${A}/friends`);
  await ap.getByRole("searchbox", { name: "Find people" }).fill(`@carol@${hostB}`);
  await ap.getByRole("button", { name: "Search" }).click();
  await ap.locator(".person", { hasText: `@carol@${hostB}` }).waitFor();
  await ap.locator(".person", { hasText: `@carol@${hostB}` }).getByRole("button", { name: "Follow" }).click();
  // The request becomes a follow when B's Accept arrives.
  const deadline = Date.now() + 30_000;
  for (;;) {
    await visit(ap, `${A}/@carol@${hostB}`);
    if (await ap.getByRole("button", { name: "Unfollow" }).count()) break;
    assert(Date.now() < deadline, "B never accepted the follow");
    await ap.waitForTimeout(300);
  }
  await checkA11y(ap, "remote profile");
  await visit(ap, `${A}/`);
  await liveReady(ap);
  await visit(carol.page, `${B}/`);
  await carol.page.getByLabel("What's on your mind?").fill("Greetings from the hill, Riverside!");
  await carol.page.getByRole("button", { name: "Post", exact: true }).click();
  // Delivery is asynchronous; it shows live, or on a reload.
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      await ap.locator("#feed .post", { hasText: "Greetings from the hill" }).waitFor({ timeout: 3_000 });
      break;
    } catch (e) {
      assert(Date.now() < until, "carol's post never reached alice's feed");
      await visit(ap, `${A}/`);
    }
  }
});

await step("screenshots of feed, profile and conversation at 360 and 1280 px", async () => {
  await visit(alice.page, `${A}/`);
  await screenshots(alice.page, "feed");
  await visit(alice.page, `${A}/@bob`);
  await screenshots(alice.page, "profile");
  await visit(alice.page, `${A}${conversationPath}`);
  await screenshots(alice.page, "conversation");
});

await step("the other pages are accessible too", async () => {
  for (const p of ["/notifications", "/messages", "/settings/account", "/@bob/followers", "/friends?q=bob"]) {
    await visit(alice.page, `${A}${p}`);
  }
});

await step("an admin writes the description and rules, shown on the front page", async () => {
  const boss = await person(browser, A, "boss");
  await visit(boss.page, `${A}/login`);
  await boss.page.getByLabel("E-mail address or username").fill("boss");
  await boss.page.getByLabel("Password").fill("password-of-boss");
  await Promise.all([boss.page.waitForURL(`${A}/`), boss.page.getByRole("button", { name: "Log in" }).click()]);
  await visit(boss.page, `${A}/admin`);
  await boss.page.getByLabel("Description").fill("A club for people who row on the river.");
  await boss.page.getByLabel("Who may sign up").selectOption("approval");
  await Promise.all([boss.page.waitForURL(/\/admin/), boss.page.getByRole("button", { name: "Save settings" }).click()]);
  await boss.page.getByRole("status").filter({ hasText: "Settings saved" }).waitFor();
  await boss.page.locator("#new-rule").fill("Be kind to each other");
  await Promise.all([boss.page.waitForURL(/\/admin/), boss.page.getByRole("button", { name: "Add rule" }).click()]);
  assert((await boss.page.locator("#rules-h + ol input[name=text]").first().inputValue()) === "Be kind to each other", "the rule is listed");
  await checkA11y(boss.page, "admin with rules");
  await boss.page.screenshot({ path: path.join(OUT, "admin-1280.png"), fullPage: true });
  await boss.context.close();
  const visitor = await person(browser, A, "visitor");
  await visit(visitor.page, `${A}/`);
  await visitor.page.getByText("A club for people who row on the river.").waitFor();
  await visitor.page.getByRole("listitem").filter({ hasText: "Be kind to each other" }).waitFor();
  await visitor.page.getByText("Sign-ups are reviewed by the server's staff").waitFor();
  await screenshots(visitor.page, "landing");
  await visitor.context.close();
});

await step("log out", async () => {
  await visit(alice.page, `${A}/`);
  await alice.page.getByRole("button", { name: "Log out" }).click();
  await alice.page.getByRole("heading", { name: /Welcome to/ }).waitFor();
});

await browser.close();
console.log(`web: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
