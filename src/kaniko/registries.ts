/**
 * Registry flags that become buildkitd.toml settings per host (BuildKit `docs/buildkitd.toml.md`): plain HTTP, TLS
 * without verification, CAs, client key pairs, mirrors. Each function plans one use of its flag; STOP ends the flag.
 */
import { registry } from '../plan/build-plan.js';
import {
  displayText,
  dropPrefix,
  lit,
  literalPrefix,
  splitAll,
  splitFirst,
  staticText,
  type ShellText,
} from '../shell/quote.js';
import { shownText, STOP } from './define.js';
import type { CallState, FlagUse } from './types.js';

type Apply = (ctx: CallState, value: ShellText, use: FlagUse) => typeof STOP | void;

function stripScheme(text: ShellText): ShellText {
  const m = /^[a-z]+:\/\//i.exec(literalPrefix(text));
  return m ? dropPrefix(text, m[0].length) : text;
}

function hostOf(text: ShellText): ShellText {
  return splitFirst(text, '/')?.[0] ?? text;
}

export const insecureRegistry: Apply = (ctx, host) => {
  registry(ctx.plan, host).http = true;
};

export const skipTlsVerifyRegistry: Apply = (ctx, host) => {
  registry(ctx.plan, host).insecure = true;
};

/** `HOST=/path/ca.crt` → `ca = ["/path/ca.crt"]`. */
export const registryCertificate: Apply = (ctx, value, use) => {
  const parts = splitFirst(value, '=');
  if (!parts) {
    ctx.report('KB301', `--registry-certificate ${shownText(value)}: expected HOST=/path/ca.crt`, use);
    return STOP;
  }
  registry(ctx.plan, parts[0]).ca.push(parts[1]);
};

/** `HOST=/path/cert,/path/key` → `[[registry."HOST".keypair]]`. */
export const registryClientCert: Apply = (ctx, value, use) => {
  const parts = splitFirst(value, '=');
  const pair = parts && splitFirst(parts[1], ',');
  if (!parts || !pair) {
    ctx.report('KB301', `--registry-client-cert ${shownText(value)}: expected HOST=/path/cert,/path/key`, use);
    return STOP;
  }
  registry(ctx.plan, parts[0]).keypairs.push({ cert: pair[0], key: pair[1] });
};

/** A Docker Hub mirror, its scheme stripped (an `http://` one also gets plain HTTP for its host). */
export const registryMirror: Apply = (ctx, value) => {
  const http = /^http:\/\//.test(displayText(value));
  const mirror = stripScheme(value);
  registry(ctx.plan, lit('docker.io')).mirrors.push(mirror);
  if (http) registry(ctx.plan, hostOf(mirror)).http = true;
};

/** `ORIGINAL=MIRROR[;…]`; Kaniko's `index.docker.io` is BuildKit's `docker.io`. */
export const registryMap: Apply = (ctx, value, use) => {
  for (const pair of splitAll(value, ';')) {
    const parts = splitFirst(pair, '=');
    if (!parts) {
      ctx.report('KB301', `--registry-map ${displayText(value)}: expected ORIGINAL=MIRROR`, use);
      return STOP;
    }
    const orig = staticText(parts[0]) === 'index.docker.io' ? lit('docker.io') : parts[0];
    registry(ctx.plan, orig).mirrors.push(stripScheme(parts[1]));
  }
};
