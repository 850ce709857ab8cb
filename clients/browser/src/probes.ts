/**
 * The `js_probe` event: facts about the JS environment that separate automation from
 * people's browsers (BotD, CreepJS, rebrowser-bot-detector). Flags and counts only; see
 * docs/ingest.md ("Botect additions") for what each key means and how deterministic it is.
 */
import { sha256 } from "./util";
import type { Json } from "./proto";

type P = { [k: string]: Json };

/** Window or document own property names left by automation frameworks. */
const GLOBALS =
  /^(\$?cdc_|\$wdc_|__(webdriver|selenium|fxdriver|driver_|nightmare|playwright|pwInitScripts|puppeteer|lastWatir)|_Selenium_IDE|_selenium|callSelenium|callPhantom|_phantom$|domAutomation|_WEBDRIVER_ELEM_CACHE)/;
const NATIVE = /^function [\w$ ]*\(\) \{\s*\[native code\]\s*\}$/;

const desc = Object.getOwnPropertyDescriptor;
const fnToString = Function.prototype.toString;

/** True if `f` shows signs of replacement: non-native source, a `prototype`, a Proxy. */
function tampered(f: unknown, getter?: boolean): boolean {
  if (typeof f != "function") return false;
  if (!NATIVE.test(fnToString.call(f)) || Object.prototype.hasOwnProperty.call(f, "prototype")) return true;
  // A Proxy escapes the prototype-cycle check, so the lookup below recurses until the stack
  // overflows (RangeError / InternalError); a real function throws a TypeError at once.
  const proto = Object.getPrototypeOf(f);
  let proxy = false;
  try {
    Object.setPrototypeOf(f, Object.create(f)).toString();
  } catch (e) {
    proxy = !(e instanceof TypeError);
  } finally {
    try {
      Object.setPrototypeOf(f, proto);
    } catch {
      /* frozen */
    }
  }
  if (proxy) return true;
  if (getter) {
    // Native getters reject a foreign receiver ("Illegal invocation").
    try {
      f.call({});
      return true;
    } catch {
      /* expected */
    }
  }
  return false;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function probe(version: string): Promise<P> {
  let ok = true;
  const p: P = { collector_version: version, plugins: [] };
  const run = (f: () => void) => {
    try {
      f();
    } catch {
      ok = false;
    }
  };
  const w = window as any;
  const n = navigator as any;
  const ua: string = n.userAgent || "";
  const chrome = /Chrome\/\d/.test(ua);
  const desktop = !/Mobile|Android| wv\)/.test(ua);
  const ud = n.userAgentData;
  const brands: { brand: string; version: string }[] = (ud && ud.brands) || [];

  run(() => {
    p.ua_hash = sha256(ua).slice(0, 32);
    p.webdriver = n.webdriver === true;
    p.headless_ua = /HeadlessChrome|PhantomJS|SlimerJS|Electron\//.test(ua);
    p.headless =
      (p.headless_ua as boolean) ||
      brands.some((b) => /Headless/.test(b.brand)) ||
      (chrome && desktop && !w.chrome);
  });
  run(() => {
    p.zero_viewport =
      w.outerWidth === 0 && w.outerHeight === 0 && (document.visibilityState == "visible" || document.hasFocus());
    const sz = (a: number, b: number) => (a == 800 && b == 600) || (a == 1280 && b == 720);
    p.automation_viewport = sz(w.innerWidth, w.innerHeight) || sz(w.outerWidth, w.outerHeight);
  });
  run(() => {
    const pl = n.plugins;
    const mt = n.mimeTypes;
    p.missing_plugins = !pl || (pl.length === 0 && desktop);
    p.plugins_inconsistent =
      !!pl &&
      ((w.PluginArray && !(pl instanceof w.PluginArray)) ||
        !mt ||
        (pl.length === 0) !== (mt.length === 0) ||
        Array.prototype.some.call(
          mt,
          (m: any) => m.enabledPlugin && !Array.prototype.some.call(pl, (x: any) => x.name == m.enabledPlugin.name),
        ));
  });
  run(() => {
    const l = n.languages;
    p.languages_empty = !l || !l.length;
    p.languages = Array.prototype.filter.call(l || [], (x: unknown) => typeof x == "string" && /^[\w-]{1,35}$/.test(x)).slice(0, 10);
  });
  run(() => {
    p.max_touch_points = Math.max(0, n.maxTouchPoints | 0);
    const mm = (q: string) => !!w.matchMedia && w.matchMedia(q).matches;
    p.coarse_pointer = mm("(pointer: coarse)") ? 1 : 0;
    const t: string[] = [];
    if (mm("(any-pointer: fine)")) t.push("mouse");
    if (mm("(any-pointer: coarse)")) t.push("touch");
    p.pointer_types = t;
  });
  run(() => {
    const pf: string = n.platform || "";
    const os = (u: RegExp, q: RegExp) => pf != "" && u.test(ua) != q.test(pf);
    const hc = n.hardwareConcurrency;
    p.navigator_anomaly =
      os(/Windows/, /^Win/) || os(/Macintosh/, /^Mac/) || (typeof hc == "number" && !(hc >= 1));
  });
  run(() => {
    let found = false;
    for (const o of [w, document]) for (const k of Object.getOwnPropertyNames(o)) if (GLOBALS.test(k)) found = true;
    const de = document.documentElement;
    for (const a of ["webdriver", "selenium", "driver"]) if (de && de.getAttribute(a) != null) found = true;
    p.automation_globals = found;
  });
  run(() => {
    const len = eval.toString().length;
    const want = /Firefox\//.test(ua) ? 37 : /Trident|MSIE/.test(ua) ? 39 : /Chrome\/|Safari\/|CriOS/.test(ua) ? 33 : 0;
    p.eval_length_mismatch = want > 0 && len != want;
  });
  run(() => {
    const c = document.createElement("canvas");
    const g = (c.getContext("webgl") || c.getContext("experimental-webgl")) as WebGLRenderingContext | null;
    if (g) {
      // Firefox reports the real renderer in RENDERER and deprecates the extension.
      const x = !/Firefox\//.test(ua) && g.getExtension("WEBGL_debug_renderer_info");
      const r = String(g.getParameter(x ? x.UNMASKED_RENDERER_WEBGL : g.RENDERER));
      p.webgl_software = /SwiftShader|llvmpipe|softpipe|Mesa OffScreen|Software Rasterizer|Basic Render/i.test(r);
      const lose = g.getExtension("WEBGL_lose_context");
      if (lose) lose.loseContext();
    }
  });
  run(() => {
    let count = 0;
    const proto = (C: any, k: string, get?: boolean) => {
      const d = C && C.prototype && desc(C.prototype, k);
      return d && (get ? d.get : d.value);
    };
    const fns: [unknown, boolean?][] = [
      [fnToString],
      [desc],
      [proto(w.Permissions, "query")],
      [proto(w.HTMLCanvasElement, "toDataURL")],
      [proto(w.HTMLCanvasElement, "getContext")],
      [proto(w.WebGLRenderingContext, "getParameter")],
      [proto(w.Navigator, "webdriver", true), true],
      [proto(w.Navigator, "languages", true), true],
      [proto(w.Navigator, "plugins", true), true],
      [proto(w.Navigator, "hardwareConcurrency", true), true],
      [proto(w.Navigator, "userAgent", true), true],
    ];
    for (const [f, g] of fns) if (tampered(f, g)) count++;
    // Descriptor oddities: own properties on the navigator instance, a missing or reshaped
    // `webdriver` accessor in Chrome (stealth plugins delete or redefine it).
    if (Object.getOwnPropertyNames(n).length) count++;
    const wd = w.Navigator && desc(w.Navigator.prototype, "webdriver");
    if (wd ? !wd.get || !wd.configurable || !wd.enumerable : chrome && !("webdriver" in n)) count++;
    p.native_tampered = count;
  });
  run(() => {
    if (!ud) return;
    const m = ua.match(/Chrome\/(\d+)/);
    const cr = brands.find((b) => b.brand == "Chromium");
    const os: Record<string, RegExp> = {
      Windows: /Windows/,
      macOS: /Macintosh/,
      Linux: /Linux|X11/,
      Android: /Android|Linux|X11/,
      "Chrome OS": /CrOS/,
    };
    const re = os[ud.platform];
    p.ua_data_mismatch = !m || (!!cr && cr.version != m[1]) || (!!re && !re.test(ua));
  });
  // Devtools protocol: with Runtime.enable on (Puppeteer, Playwright, Selenium CDP), console
  // calls serialize their arguments, which reads the error's `stack`.
  // Skipped when console.debug is wrapped (page loggers may read `stack` themselves).
  let cdp = false;
  run(() => {
    if (!NATIVE.test(fnToString.call(console.debug))) return;
    const e = new Error();
    Object.defineProperty(e, "stack", {
      get() {
        cdp = true;
        return "";
      },
    });
    console.debug(e);
  });
  // Notification quirk: permission 'denied' while the Permissions API says 'prompt'.
  try {
    if (w.Notification && n.permissions) {
      const st = await Promise.race([
        n.permissions.query({ name: "notifications" }).then((s: any) => s.state),
        sleep(500),
      ]);
      p.notification_quirk = w.Notification.permission == "denied" && st == "prompt";
    }
  } catch {
    ok = false;
  }
  p.cdp_detected = cdp;
  p.js_passed = ok;
  return p;
}
