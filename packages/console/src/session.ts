/**
 * The signed-in credentials live in this tab's sessionStorage only: never a cookie (which would
 * travel with every request) nor the URL (which is shared). Closing the tab or signing out forgets them.
 */
export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

const KEY = 'fwsign.console.session';

export function loadSession(storage: Storage = sessionStorage): Session | undefined {
  const raw = storage.getItem(KEY);
  if (!raw) return undefined;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (
      typeof s.accessKeyId === 'string' &&
      typeof s.secretAccessKey === 'string' &&
      typeof s.region === 'string'
    )
      return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, region: s.region };
  } catch {
    // A damaged entry is the same as none: sign in again.
  }
  storage.removeItem(KEY);
  return undefined;
}

export function saveSession(s: Session, storage: Storage = sessionStorage): void {
  storage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(storage: Storage = sessionStorage): void {
  storage.removeItem(KEY);
}
