// The SDK delivers from a customer's origin over REST and over gRPC-web, stores its session in
// the first-party `botect_session` cookie, and the backend then reads the session's verdict.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, startBotect, tenant, customerSite, shopPage, scoredVerdict, wander } from "./harness.mjs";

let botect, t, browser;
before(async () => {
  botect = await startBotect();
  t = await tenant(botect);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});
after(async () => {
  await browser?.close();
  botect?.stop();
});

for (const transport of ["rest", "grpc-web"]) {
  test(`SDK over ${transport} from another origin`, async () => {
    const site = await customerSite(() => shopPage({ base: botect.base, siteKey: t.siteKey, transport }));
    const context = await browser.newContext();
    const page = await context.newPage();
    const ingestCalls = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().startsWith(botect.base)) ingestCalls.push(r.url());
    });
    try {
      await page.goto(`${site.origin}/checkout`);
      await page.waitForFunction(() => window.Botect && typeof window.Botect.flush === "function");
      await wander(page, [[120, 200, 12], [340, 260, 25], [300, 330, 9], [180, 420, 17]]);
      await page.click("#email");
      await page.keyboard.type("someone@example.com", { delay: 60 });
      await page.mouse.wheel(0, 400);
      await page.click("#terms");
      await page.evaluate(() => window.Botect.flush());
      const session = await page.evaluate(() => window.Botect.getSessionToken());
      assert.match(session, /^sess_/);
      const cookie = (await context.cookies(site.origin)).find((c) => c.name === "botect_session");
      assert.equal(cookie?.value, session, "the session is kept in the first-party botect_session cookie");
      // Batches, and the proof-of-work challenge fetched at init.
      const [events, challenge] =
        transport === "rest"
          ? ["/v1/events", "/v1/challenges"]
          : ["/botect.v1.IngestService/IngestEvents", "/botect.v1.IngestService/CreateChallenge"];
      assert.ok(ingestCalls.some((u) => u.includes(events)), `${transport}: ${ingestCalls}`);
      assert.ok(ingestCalls.some((u) => u.includes(challenge)), `${transport}: ${ingestCalls}`);
      assert.ok(ingestCalls.every((u) => u.includes(events) || u.includes(challenge)), `${transport}: ${ingestCalls}`);
      const v = await scoredVerdict(botect.base, t.privateKey, session);
      assert.deepEqual(Object.keys(v), ["verdict", "score", "action", "detection_ids", "reason"]);
      assert.ok(v.score >= 1 && v.score <= 99, JSON.stringify(v));
      // A reload reuses the session from the cookie.
      await page.reload();
      await page.waitForFunction(() => window.Botect && window.Botect.getSessionToken());
      assert.equal(await page.evaluate(() => window.Botect.getSessionToken()), session);
    } finally {
      await context.close();
      site.close();
    }
  });
}
