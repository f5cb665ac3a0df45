/**
 * Loading PKCS#11 modules through pkcs11js, finding the token a URI names, and reading its PIN.
 * A module is loaded and C_Initialize'd once per process (PKCS#11 allows one initialisation per
 * application) and shared by every key on it. pkcs11js is a native addon, loaded on first use
 * with require so that nothing in the engine pays for it (or needs it built) until a token is
 * used; bundles keep it external and resolve it from node_modules at run time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Pkcs11Js from 'pkcs11js';
import { describeKeyRef, type Pkcs11Uri } from './pkcs11-uri.js';
import { TokenError } from './token-errors.js';

export type Pkcs11Binding = typeof Pkcs11Js;
export type Pkcs11 = Pkcs11Js.PKCS11;
export type Handle = Buffer;

let binding: Pkcs11Binding | undefined;

/** The pkcs11js binding, required on first use. */
export function pkcs11js(): Pkcs11Binding {
  if (!binding) {
    try {
      binding = createRequire(import.meta.url)('pkcs11js') as Pkcs11Binding;
    } catch (err) {
      throw new TokenError(
        'ModuleLoadFailed',
        `PKCS#11: the pkcs11js binding does not load (${(err as Error).message}); reinstall with pnpm install`,
      );
    }
  }
  return binding;
}

/** The CKR_… name of a pkcs11js error, or undefined for anything else. */
export function ckrOf(err: unknown): string | undefined {
  const m = /CKR_[A-Z_]+/.exec(err instanceof Error ? err.message : '');
  return m?.[0];
}

/**
 * A loaded module. `generation` counts re-initialisations: session handles of an older generation
 * are void (a new session may reuse the number), so a key holding them drops them unused.
 * `inFlight` counts operations running on libuv's threads, which a re-initialisation must not
 * pull the module from under.
 */
export interface LoadedModule {
  readonly lib: Pkcs11;
  generation: number;
  inFlight: number;
  lastRefresh: number;
}

const libraries = new Map<string, LoadedModule>();

/** Re-initialisations of a module at most this often: a pulled token does not make it thrash. */
const REFRESH_INTERVAL_MS = 1000;

/** Where keys come from: the URI's module-path, else FWSIGN_PKCS11_MODULE. */
export function modulePathFor(uri: Pkcs11Uri, env: NodeJS.ProcessEnv = process.env): string {
  const path = uri.modulePath ?? env.FWSIGN_PKCS11_MODULE;
  if (!path)
    throw new TokenError(
      'ModuleNotConfigured',
      `PKCS#11: no module for ${describeKeyRef(uri)}: set FWSIGN_PKCS11_MODULE to the token's PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so) or add module-path to the URI`,
    );
  return path;
}

/** The module at `path`, loaded and initialised (once per process). */
export function loadModule(path: string): LoadedModule {
  const known = libraries.get(path);
  if (known) return known;
  const p = pkcs11js();
  const lib = new p.PKCS11();
  try {
    lib.load(path);
  } catch (err) {
    throw new TokenError(
      'ModuleLoadFailed',
      `PKCS#11: module ${path} does not load (${(err as Error).message.split('\n')[0]})`,
    );
  }
  try {
    // OS locking: pkcs11js runs the *Async calls on libuv's thread pool, several at once.
    lib.C_Initialize({ flags: p.CKF_OS_LOCKING_OK });
  } catch (err) {
    if (ckrOf(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      lib.close();
      throw new TokenError(
        'ModuleLoadFailed',
        `PKCS#11: module ${path} refused C_Initialize (${ckrOf(err) ?? (err as Error).message})`,
        ckrOf(err),
      );
    }
  }
  const loaded = { lib, generation: 0, inFlight: 0, lastRefresh: Date.now() };
  libraries.set(path, loaded);
  return loaded;
}

/**
 * C_Finalize and C_Initialize again, so the module looks for tokens anew: many modules (SoftHSM
 * among them) see a token that came back only then. Skipped while operations run on the module,
 * or when it was refreshed within REFRESH_INTERVAL_MS; returns whether it happened. `lookingFor`
 * names the key whose token was missing, for the error a user sees when re-initialising fails.
 */
export function refreshModule(m: LoadedModule, lookingFor: string): boolean {
  const now = Date.now();
  if (m.inFlight > 0 || now - m.lastRefresh < REFRESH_INTERVAL_MS) return false;
  m.lastRefresh = now;
  m.generation++;
  try {
    m.lib.C_Finalize();
  } catch {
    // already finalised or broken: initialising again is the repair either way
  }
  try {
    m.lib.C_Initialize({ flags: pkcs11js().CKF_OS_LOCKING_OK });
  } catch (err) {
    if (ckrOf(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED')
      throw new TokenError(
        'TokenFailure',
        `PKCS#11: ${lookingFor} is not present and module ${m.lib.libPath} refused C_Initialize when looking for it again (${ckrOf(err) ?? (err as Error).message})`,
        ckrOf(err),
      );
  }
  return true;
}

const trimmed = (s: string): string => s.replace(/[\s\0]+$/, '');

/**
 * The first slot whose token matches the URI's token attributes (label, serial, manufacturer,
 * model, slot attributes); a TokenError('TokenNotFound') listing the tokens present otherwise.
 */
export function findSlot(lib: Pkcs11, uri: Pkcs11Uri): Handle {
  let slots: Handle[];
  try {
    slots = lib.C_GetSlotList(true);
  } catch (err) {
    throw new TokenError(
      'TokenFailure',
      `PKCS#11: listing the slots for ${describeKeyRef(uri)} failed (${ckrOf(err) ?? (err as Error).message})`,
      ckrOf(err),
    );
  }
  const seen: string[] = [];
  for (const slot of slots) {
    let info: Pkcs11Js.TokenInfo;
    let slotInfo: Pkcs11Js.SlotInfo;
    try {
      info = lib.C_GetTokenInfo(slot);
      slotInfo = lib.C_GetSlotInfo(slot);
    } catch {
      continue; // pulled between the list and the look: not a match
    }
    const label = trimmed(info.label);
    seen.push(JSON.stringify(label));
    const wanted: Array<[string | undefined, string]> = [
      [uri.token, label],
      [uri.serial, trimmed(info.serialNumber)],
      [uri.manufacturer, trimmed(info.manufacturerID)],
      [uri.model, trimmed(info.model)],
      [uri.slotDescription, trimmed(slotInfo.slotDescription)],
      [uri.slotManufacturer, trimmed(slotInfo.manufacturerID)],
    ];
    const slotIdMatches = uri.slotId === undefined || slotNumber(slot) === uri.slotId;
    if (slotIdMatches && wanted.every(([want, have]) => want === undefined || want === have))
      return slot;
  }
  throw new TokenError(
    'TokenNotFound',
    `PKCS#11: no token matches ${describeKeyRef(uri)} (tokens present: ${seen.length ? seen.join(', ') : 'none'}); is it plugged in and initialised?`,
  );
}

function slotNumber(slot: Handle): number {
  return slot.length >= 8 ? Number(slot.readBigUInt64LE(0)) : slot.readUInt32LE(0);
}

/**
 * The user PIN: the URI's pin-value, else the file its pin-source names, else FWSIGN_PKCS11_PIN.
 * Read at each login, never kept: a corrected PIN file takes effect without a restart.
 */
export function readPin(uri: Pkcs11Uri, env: NodeJS.ProcessEnv = process.env): string {
  if (uri.pinValue !== undefined) return uri.pinValue;
  if (uri.pinSource !== undefined) {
    const src = uri.pinSource;
    const path = src.startsWith('file://')
      ? src.slice(7)
      : src.startsWith('file:')
        ? src.slice(5)
        : src;
    if (!path.startsWith('/'))
      throw new TokenError(
        'InvalidUri',
        `PKCS#11 URI: "pin-source" expected file:/absolute/path, got ${JSON.stringify(src)}`,
      );
    try {
      return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new TokenError(
        'PinMissing',
        `PKCS#11: the PIN file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  const pin = env.FWSIGN_PKCS11_PIN;
  if (pin === undefined || pin === '')
    throw new TokenError(
      'PinMissing',
      `PKCS#11: no PIN for ${describeKeyRef(uri)}: set FWSIGN_PKCS11_PIN or add pin-source=file:/path to the URI`,
    );
  return pin;
}
