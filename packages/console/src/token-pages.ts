/**
 * Pages of a list API that paginates with `nextToken`: page i is fetched with the token page i-1
 * returned, so going back re-asks for a page with its own token rather than trusting a cache.
 */
import { useCallback, useEffect, useState } from 'react';

export interface TokenPages<T> {
  items: T[];
  loading: boolean;
  error: unknown;
  pageIndex: number;
  /** Pages known so far; more may follow while `openEnd`. */
  pagesCount: number;
  openEnd: boolean;
  goTo(page: number): void;
  reload: () => void;
}

export function useTokenPages<T>(
  fetchPage: (token: string | undefined) => Promise<{ items: T[]; nextToken?: string | undefined }>,
  deps: unknown[],
): TokenPages<T> {
  // tokens[i] is the token that fetches page i (page 0: none).
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const [pageIndex, setPageIndex] = useState(0);
  const [state, setState] = useState<{ items: T[]; loading: boolean; error: unknown }>({
    items: [],
    loading: true,
    error: undefined,
  });
  const [tick, setTick] = useState(0);
  // A new filter starts again at page one.
  useEffect(() => {
    setTokens([undefined]);
    setPageIndex(0);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    fetchPage(tokens[pageIndex]).then(
      (r) => {
        if (!live) return;
        setState({ items: r.items, loading: false, error: undefined });
        setTokens((t) => {
          const next = t.slice(0, pageIndex + 1);
          if (r.nextToken) next.push(r.nextToken);
          return next;
        });
      },
      (error: unknown) => live && setState({ items: [], loading: false, error }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pageIndex, tick, ...deps]);
  const goTo = useCallback((page: number) => setPageIndex(page), []);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return {
    ...state,
    pageIndex,
    pagesCount: tokens.length,
    openEnd: tokens.length > pageIndex + 1,
    goTo,
    reload,
  };
}

/** `value` once it has stopped changing for `ms`: a typed filter asks the API once, not per key. */
export function useDebounced<T>(value: T, ms = 400): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}
