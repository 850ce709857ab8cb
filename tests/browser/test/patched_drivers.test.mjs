// Patched drivers (patchright, rebrowser-puppeteer) replaying recorded human trajectories with
// human typing: what CI asserts of them (docs/evaluation.md, "Patched drivers", has the rates
// over 20 runs each, from `node patched.mjs --runs 20`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBotect, tenant } from "./harness.mjs";
import { CONFIGS } from "../patched.mjs";
import { BOT_BANDS } from "../scenarios.mjs";

const AUTOMATION_HTTP_UA = 16777217;
const EMULATED_VIEWPORT_INPUT = 33554447;
const PRESSURELESS_MOUSE_DOWNS = 33554448;

let botect, t;
before(async () => {
  botect = await startBotect();
  t = await tenant(botect);
});
after(() => botect?.stop());

/** Runs a config, checks that the forger's input really reached the page, returns the verdict. */
async function run(name) {
  const r = await CONFIGS[name](botect, t, {});
  assert.equal(r.fields.email, r.typed.email, `the email was typed (seed ${r.seed})`);
  assert.equal(r.fields.notes, r.typed.notes, `the notes were typed (seed ${r.seed})`);
  assert.equal(r.fields.terms, true, `the box was ticked (seed ${r.seed})`);
  return r.verdict;
}

for (const driver of ["patchright", "rebrowser-puppeteer"]) {
  test(`${driver} headless is definite by its HeadlessChrome user agent`, async () => {
    const v = await run(`${driver} headless`);
    assert.equal(v.verdict, "definite", JSON.stringify(v));
    assert.ok(v.detection_ids.includes(AUTOMATION_HTTP_UA), JSON.stringify(v));
  });
}

test("patchright headed with its default viewport: input into an emulated viewport", async () => {
  const v = await run("patchright headed (Xvfb)");
  assert.ok(BOT_BANDS.includes(v.verdict), JSON.stringify(v));
  assert.ok(v.detection_ids.includes(EMULATED_VIEWPORT_INPUT), JSON.stringify(v));
});

test("rebrowser-puppeteer headed: mouse presses without pressure", async () => {
  const v = await run("rebrowser-puppeteer headed (Xvfb)");
  assert.ok(BOT_BANDS.includes(v.verdict), JSON.stringify(v));
  assert.ok(v.detection_ids.includes(PRESSURELESS_MOUSE_DOWNS), JSON.stringify(v));
});
