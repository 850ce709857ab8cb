/**
 * Classic-script entry (`dist/botect.js`, served at `/sdk/botect.js`): defines `window.Botect`
 * and starts itself from the script tag's data attributes:
 *   <script src="https://botect.example.com/sdk/botect.js" data-site-key="pk_…"
 *           data-endpoint="https://…" data-transport="rest|grpc-web"></script>
 */
import { VERSION, flush, getSessionToken, init, setDefaultEndpoint } from "./botect";

const w = window as any;
if (!w.Botect) {
  const s = document.currentScript as HTMLScriptElement | null;
  if (s) setDefaultEndpoint(s.src);
  w.Botect = { init, flush, getSessionToken, version: VERSION };
  const d = s && s.dataset;
  if (d && d.siteKey) init({ siteKey: d.siteKey, endpoint: d.endpoint, transport: d.transport as any });
}
