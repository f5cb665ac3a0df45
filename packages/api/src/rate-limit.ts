import { ApiError } from './errors.js';

/**
 * Per-account token buckets: each account may send `ratePerSecond` requests per second on
 * average and `burst` at once, so one busy caller cannot starve the others.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) {
      throw new RangeError(
        `RateLimiter: expected ratePerSecond > 0 and burst >= 1, got ${ratePerSecond} and ${burst}`,
      );
    }
  }

  /** Takes one token for `key`; false when the account is over its rate. */
  take(key: string): boolean {
    const now = this.clock();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSecond);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/**
 * A server-wide budget of request-body bytes being read at once, so many parallel uploads cannot
 * take memory without bound: a body that does not fit is refused before it is read.
 */
export class ByteBudget {
  private used = 0;
  constructor(readonly capacity: number) {
    if (!(capacity > 0))
      throw new RangeError(`ByteBudget: expected a capacity > 0, got ${capacity}`);
  }

  /** Reserves `bytes`; returns the release (call once). Throws TooManyRequestsException when full. */
  take(bytes: number): () => void {
    if (this.used + bytes > this.capacity && this.used > 0) {
      throw new ApiError(
        'TooManyRequestsException',
        429,
        `Too many request bodies in flight (${this.used} of ${this.capacity} bytes reserved); retry shortly`,
      );
    }
    this.used += bytes;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.used -= bytes;
      }
    };
  }

  get inUse(): number {
    return this.used;
  }
}
