// CI's short version of the real-browser evaluation (docs/evaluation.md has the full table).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBotect, tenant, customerSite, shopPage } from "./harness.mjs";
import { plainHeadless, stealthGhost, DEMO } from "../scenarios.mjs";

let botect, t, site;
before(async () => {
  botect = await startBotect();
  t = await tenant(botect);
  site = await customerSite(() => shopPage({ base: botect.base, siteKey: t.siteKey, transport: "rest" }));
});
after(() => {
  site?.close();
  botect?.stop();
});

test("plain headless Chromium is definite", async () => {
  const v = await plainHeadless(botect, t, `${site.origin}/checkout`);
  assert.equal(v.verdict, "definite", JSON.stringify(v));
  assert.equal(v.score, 1);
});

test("puppeteer-extra stealth + ghost-cursor is caught (likely_automated or definite)", async () => {
  const v = await stealthGhost(botect, t, `${site.origin}/checkout`);
  assert.ok(["likely_automated", "definite"].includes(v.verdict), JSON.stringify(v));
});

test("on Botect's own /demo page: plain headless is definite, stealth + ghost-cursor is caught", async () => {
  const demo = `${botect.base}/demo?site_key=${t.siteKey}`;
  const plain = await plainHeadless(botect, t, demo);
  assert.equal(plain.verdict, "definite", JSON.stringify(plain));
  const stealth = await stealthGhost(botect, t, demo, { sel: DEMO });
  assert.ok(["likely_automated", "definite"].includes(stealth.verdict), JSON.stringify(stealth));
});
