/** API errors shown as the AWS console shows them: an alert naming the error code and its message. */
import Alert from '@cloudscape-design/components/alert';
import { useCallback, useEffect, useState } from 'react';

export interface ShownError {
  code: string;
  message: string;
}

export function toShownError(err: unknown): ShownError {
  if (err && typeof err === 'object') {
    const e = err as { name?: string; Code?: string; message?: string; $metadata?: unknown };
    const code = e.Code ?? e.name ?? 'Error';
    return { code, message: e.message ?? fields(err) };
  }
  return { code: 'Error', message: String(err) };
}

/** A thrown object without a message, shown by its fields rather than as "[object Object]". */
function fields(o: object): string {
  try {
    return JSON.stringify(o);
  } catch {
    return Object.prototype.toString.call(o);
  }
}

export function ErrorAlert({
  error,
  header,
  onDismiss,
}: {
  error: unknown;
  header?: string;
  onDismiss?: () => void;
}) {
  if (!error) return null;
  const e = toShownError(error);
  return (
    <Alert
      type="error"
      header={header ?? e.code}
      dismissible={onDismiss !== undefined}
      {...(onDismiss ? { onDismiss } : {})}
    >
      <span data-testid="error-code">{e.code}</span>: {e.message}
    </Alert>
  );
}

/** Runs `load` when `deps` change; `reload()` runs it again. */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (data) => live && setState({ data, error: undefined, loading: false }),
      (error: unknown) => live && setState({ data: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** Formats an SDK timestamp the way the console tables show them. */
export function when(d: Date | undefined): string {
  return d
    ? d
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')
    : '-';
}

/** A form's submit: busy while `action` runs, and its rejection kept to show as an alert. */
export function useSubmit(): {
  busy: boolean;
  error: unknown;
  run: (action: () => Promise<void>) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}
