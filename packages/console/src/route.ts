/** Hash routing (`#/profiles/NAME`): a page's URL can be shared and survives a reload. */
import { useEffect, useState } from 'react';
import { parseHash } from './hash.js';

export { href, parseHash } from './hash.js';

export function navigate(to: string): void {
  window.location.hash = to.slice(1);
}

export function useRoute(): string[] {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = (): void => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parseHash(hash);
}
