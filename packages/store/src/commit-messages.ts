import type { MessagePort } from 'node:worker_threads';
import type { BatchJob, CommittedBatch } from './batch-commit.js';
import { StoreError } from './errors.js';
import type { SegmentDirs } from './segment-files.js';

/** What the commit worker is started with. */
export interface CommitWorkerData {
  dbFile: string;
  dirs: SegmentDirs;
  /** Requests in, replies out. */
  port: MessagePort;
  /** One Int32 over a SharedArrayBuffer: the worker sets it to WRITER_CLOSED when it has finished and closed its connection. */
  state: Int32Array;
}

export const WRITER_OPEN = 0;
export const WRITER_CLOSED = 1;

export type WriterRequest = { type: 'batch'; id: number; batch: BatchJob[] } | { type: 'close' };

export type WriterReply =
  | { type: 'ready' }
  | ({ type: 'done'; id: number } & CommittedBatch)
  | { type: 'failed'; id: number; error: SerializedError };

export interface SerializedError {
  message: string;
  code?: string;
  httpStatus?: number;
}

/** Errors cross the thread boundary as data; a StoreError keeps its AWS code and HTTP status. */
export function describeError(err: unknown): SerializedError {
  const e = err as { message?: unknown; code?: unknown; httpStatus?: unknown } | null;
  return {
    message: typeof e?.message === 'string' ? e.message : String(err),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(err instanceof StoreError ? { httpStatus: err.httpStatus } : {}),
  };
}

export function rebuildError(e: SerializedError): Error {
  if (e.httpStatus !== undefined && e.code !== undefined)
    return new StoreError(e.code, e.httpStatus, e.message);
  return Object.assign(new Error(e.message), e.code === undefined ? {} : { code: e.code });
}
