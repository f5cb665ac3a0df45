import { randomFillSync } from 'node:crypto';

const pool = Buffer.allocUnsafeSlow(16 * 256);
let poolAt = pool.length;
let lastMs = 0;
let counter = 0;

/**
 * A job id: an RFC 9562 UUID, version 7 (a 48-bit Unix-millisecond timestamp, a 12-bit counter
 * that keeps ids from one process in order within a millisecond, then 62 random bits). AWS hands
 * out version 4 ids; clients treat them as opaque strings. Time-ordered ids make each insert into
 * the job-id index, and into the object indexes (the signed object's key ends in the job id),
 * land on the B-tree's last page instead of a random one, so a batch of jobs rewrites a few pages
 * rather than several per job.
 */
export function newJobId(now = Date.now()): string {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = pool.subarray(poolAt, poolAt + 16);
  poolAt += 16;
  if (now > lastMs) {
    lastMs = now;
    // A random start leaves most of the 12 bits for ids made in the same millisecond.
    counter = b[6]! & 0x1ff;
  } else if (++counter > 0xfff) {
    // More than the counter holds in one millisecond: borrow the next one (order is kept).
    lastMs++;
    counter = 0;
  }
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (counter >> 8);
  b[7] = counter & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
