// Person stand-ins beyond desktop Chromium with a mouse: Firefox ESR and GNOME Web (WebKitGTK)
// with recorded human mouse movements, keyboard-only visitors and scroll-only readers in Chromium and Firefox (input from
// the X server), and a phone (touch, a virtual keyboard). None may land in a bot band on that
// account (docs/evaluation.md, "People without a mouse" and "Other browsers").
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBotect, tenant } from "./harness.mjs";
import { personStandIn } from "../scenarios.mjs";
import { PEOPLE } from "../people.mjs";

let botect, t;
before(async () => {
  botect = await startBotect();
  t = await tenant(botect);
});
after(() => botect?.stop());

for (const [browser, name] of [["firefox", "Firefox ESR"], ["webkit", "GNOME Web (WebKitGTK)"]]) {
  test(`person stand-in in ${name} (xdotool, recorded human movements) is likely_human`, async (c) => {
    const p = await personStandIn(botect, t, { browser });
    c.diagnostic(`seed ${p.seed}: ${JSON.stringify(p.verdict)}`);
    assert.deepEqual(p.fields, { ...p.typed, terms: true }, `seed ${p.seed}`);
    assert.equal(p.verdict.verdict, "likely_human", `seed ${p.seed}: ${JSON.stringify(p.verdict)}`);
    assert.deepEqual(p.verdict.detection_ids, [], `seed ${p.seed}`);
  });
}

for (const [name, run] of Object.entries(PEOPLE)) {
  test(`${name} is likely_human`, async (c) => {
    const p = await run(botect, t);
    c.diagnostic(`seed ${p.seed}: ${JSON.stringify(p.verdict)}`);
    if (p.typed) assert.deepEqual(p.fields, { ...p.typed, terms: true }, `the input reached the page (seed ${p.seed})`);
    assert.equal(p.verdict.verdict, "likely_human", `seed ${p.seed}: ${JSON.stringify(p.verdict)}`);
    assert.deepEqual(p.verdict.detection_ids, [], `seed ${p.seed}`);
  });
}
