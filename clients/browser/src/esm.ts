/** ESM entry (`dist/botect.mjs`): `import Botect from ".../botect.mjs"; Botect.init({ siteKey })`. */
import { VERSION, flush, getSessionToken, init, setDefaultEndpoint } from "./botect";

try {
  setDefaultEndpoint(import.meta.url);
} catch {
  /* not a URL */
}

export { flush, getSessionToken, init, VERSION as version };
export type { Options } from "./botect";
export default { init, flush, getSessionToken, version: VERSION };
