/**
 * Behavioural signals: listeners that count and time interaction, and `collect()`, which
 * turns one batch window into `mouse`, `first_input`, `scroll`, `visibility` and `snapshot`
 * payloads. Numbers only: no key values, no text, no coordinates leave this module
 * (positions and key codes stay in memory only to compute the aggregates).
 *
 * Additivity rule (docs/ingest.md): counts in `mouse`, `first_input`, `scroll` and
 * `visibility` events cover one window each, so summing them over a session gives its totals;
 * `snapshot` carries only values that are not additive (durations so far, the deepest scroll).
 */
import { type KeyStroke, type PointerSample, keyFeatures, pointerFeatures, round } from "./aggregate";
import type { EventType, Json } from "./proto";

type Payload = { [k: string]: Json };

/** At most this many pointer samples per window (counters go on counting). */
const MAX_SAMPLES = 2000;

const now = () => performance.now();

let samples: PointerSample[] = [];
let mouseMoves = 0;
let pointerMoves = 0;
let clicks = 0;
let touches = 0;
let types: string[] = [];
let keys: KeyStroke[] = [];
/** Pressed keys by code, only to pair keydown with keyup; cleared on keyup. */
let pressed: Record<string, KeyStroke> = {};
let scrolls = 0;
let scrollDist = 0;
let scrollTime = 0;
let lastScroll: { t: number; y: number; el: unknown } | null = null;
let depth = 0;
let vis = 0;
let visibleMs = 0;
let visibleSince: number | null = null;
let first: Payload | null = null;
let firstSent = false;
let active = false;
let lastSnapshot = -1e9;

let mouseDowns = 0;
let pressureless = 0;
/** Per window: the range of `screen − client` offsets and of client positions of trusted
 *  moves ([min x, max x, min y, max y] each), and how many were seen. */
let offsets: number[] = [];
let extent: number[] = [];
let offsetN = 0;
const widen = (r: number[], x: number, y: number): number[] =>
  r.length ? [Math.min(r[0], x), Math.max(r[1], x), Math.min(r[2], y), Math.max(r[3], y)] : [x, x, y, y];

function sample(e: MouseEvent): void {
  if (samples.length < MAX_SAMPLES) samples.push({ x: e.clientX, y: e.clientY, t: e.timeStamp, trusted: e.isTrusted });
  if (e.isTrusted) {
    offsets = widen(offsets, e.screenX - e.clientX, e.screenY - e.clientY);
    extent = widen(extent, e.clientX, e.clientY);
    offsetN++;
  }
}

/**
 * How far the viewport's offset on the screen, as the window's pointer events report it,
 * exceeds the window's own chrome (`outer − inner` size), in px: ≤ 0 in any real browser
 * window (the viewport lies inside the window); positive when the page's viewport is emulated
 * larger than the window's content area. Only from the top frame, with ≥ 10 trusted moves
 * over ≥ 50 px whose offsets are constant (no page zoom, no pinch).
 */
function screenOffsetGap(): number | undefined {
  const o = offsets;
  const x = extent;
  if (offsetN < 10 || o[1] - o[0] > 1 || o[3] - o[2] > 1 || Math.max(x[1] - x[0], x[3] - x[2]) < 50) return;
  try {
    if (window.top !== window) return;
    const gap = Math.max(
      o[1] - screenX - (outerWidth - innerWidth),
      o[3] - screenY - (outerHeight - innerHeight),
    );
    return Math.max(-9999, Math.min(9999, Math.round(gap)));
  } catch {
    return;
  }
}

/** The deepest point of the page seen so far, in % of its height. */
function pageDepth(): number {
  try {
    const h = document.documentElement.scrollHeight;
    if (h > 0) depth = Math.max(depth, Math.min(100, ((scrollY + innerHeight) / h) * 100));
  } catch {
    /* no layout */
  }
  return round(depth, 1);
}

function firstInput(e: Event): void {
  if (first) return;
  const t = now();
  const ts = e.timeStamp > 0 && e.timeStamp <= t ? e.timeStamp : t;
  first = { first_input_delay_ms: round(t - ts, 1), time_to_first_input_ms: round(ts, 1) };
}

/** Starts listening; `onHide` runs when the page is hidden or unloaded. */
export function listen(onHide: () => void): void {
  const d = document;
  const on = (t: EventTarget, names: string, f: (e: any) => void) => {
    for (const n of names.split(" ")) t.addEventListener(n, f, { capture: true, passive: true });
  };
  const hasPointer = typeof PointerEvent != "undefined";
  visibleSince = d.visibilityState == "hidden" ? null : now();
  on(d, "pointermove", (e: PointerEvent) => {
    pointerMoves++;
    const t = e.pointerType;
    if ((t == "mouse" || t == "touch" || t == "pen") && !types.includes(t)) types.push(t);
    if (t != "touch") sample(e);
  });
  on(d, "mousemove", (e: MouseEvent) => {
    mouseMoves++;
    if (!hasPointer) sample(e);
  });
  on(d, "click", () => clicks++);
  // A mouse button held down has pressure 0.5 on hardware without pressure (Pointer Events);
  // DevTools-dispatched presses without a `force` report 0 in Chromium.
  const chromium = /Chrome\//.test(navigator.userAgent);
  on(d, "pointerdown", (e: PointerEvent) => {
    if (!chromium || !e.isTrusted || e.pointerType != "mouse" || !e.buttons) return;
    mouseDowns++;
    if (e.pressure === 0) pressureless++;
  });
  on(d, "touchstart touchmove", () => touches++);
  on(d, "pointerdown mousedown touchstart keydown", firstInput);
  on(d, "keydown", (e: KeyboardEvent) => {
    if (e.repeat) return;
    const k = { down: e.timeStamp };
    keys.push(k);
    pressed[e.code || e.keyCode] = k;
  });
  on(d, "keyup", (e: KeyboardEvent) => {
    const c = e.code || e.keyCode;
    if (pressed[c]) pressed[c].up = e.timeStamp;
    delete pressed[c];
  });
  on(d, "scroll", (e: Event) => {
    scrolls++;
    const t = e.timeStamp;
    const el: any = e.target == d ? d.scrollingElement || d.documentElement : e.target;
    const y = (el && el.scrollTop) || 0;
    const l = lastScroll;
    if (l && l.el == el && t > l.t && t - l.t < 1000) {
      scrollDist += Math.abs(y - l.y);
      scrollTime += t - l.t;
    }
    lastScroll = { t, y, el };
    pageDepth();
  });
  on(d, "visibilitychange", () => {
    vis++;
    if (d.visibilityState == "hidden") {
      if (visibleSince != null) visibleMs += now() - visibleSince;
      visibleSince = null;
      onHide();
    } else if (visibleSince == null) visibleSince = now();
  });
  on(globalThis, "pagehide", onHide);
}

/**
 * Closes the current window: its events (empty windows produce none), plus a `snapshot` when
 * `snap` is set and something happened since the last one, or when the last snapshot is more
 * than `gap` ms old.
 */
export function collect(snap: boolean, gap = 1 / 0): [EventType, Payload][] {
  const out: [EventType, Payload][] = [];
  if (pointerMoves || mouseMoves || clicks || touches || mouseDowns) {
    const p: Payload = { ...pointerFeatures(samples), mouse_moves: mouseMoves, pointer_moves: pointerMoves, click_events: clicks };
    if (touches) p.touch_events = touches;
    if (types.length) p.pointer_types = types;
    if (mouseDowns) Object.assign(p, { mouse_downs: mouseDowns, pressureless_downs: pressureless });
    const gap = screenOffsetGap();
    if (gap !== undefined) p.screen_offset_gap = gap;
    out.push(["mouse", p]);
    samples = [];
    types = [];
    offsets = [];
    extent = [];
    mouseMoves = pointerMoves = clicks = touches = mouseDowns = pressureless = offsetN = 0;
  }
  if (keys.length || (first && !firstSent)) {
    const p: Payload = keys.length ? keyFeatures(keys) : {};
    if (first && !firstSent) {
      Object.assign(p, first);
      firstSent = true;
    }
    out.push(["first_input", p]);
    keys = [];
  }
  if (scrolls) {
    const p: Payload = { scroll_events: scrolls, scroll_max_depth_pct: pageDepth() };
    // px per second of active scrolling (gaps ≥ 1 s between scroll events excluded).
    if (scrollTime > 0) p.scroll_velocity = round((scrollDist / scrollTime) * 1000, 1);
    out.push(["scroll", p]);
    scrolls = scrollDist = scrollTime = 0;
  }
  if (vis) {
    out.push(["visibility", { visibility_changes: vis }]);
    vis = 0;
  }
  if (out.length) active = true;
  const t = now();
  if ((snap && active) || t - lastSnapshot > gap) {
    active = false;
    lastSnapshot = t;
    out.push([
      "snapshot",
      {
        total_ms: Math.round(t),
        visible_ms: Math.round(visibleMs + (visibleSince == null ? 0 : t - visibleSince)),
        scroll_max_depth_pct: pageDepth(),
      },
    ]);
  }
  return out;
}
