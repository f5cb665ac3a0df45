/**
 * The commit worker's thread: writes each batch's segment and commits its rows on a connection of
 * its own, so the disk writes, the SQLite commit, its WAL fsync and checkpoints never hold up the
 * thread that signs. Started by CommitWriter; speaks the messages of commit-messages.ts.
 *
 * A batch is handled start to finish with blocking calls, one at a time: the thread has nothing
 * else to do, and the asynchronous version (the segment written on libuv's thread pool while the
 * previous batch commits) cost more in thread hand-offs than the overlap won (store bench, two
 * pairs of runs: 0.54 / 0.57 against 0.45 / 0.50 of the ceiling, ~35 µs more CPU per job).
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { writeAndCommit } from './batch-commit.js';
import type { CommitWorkerData, WriterReply, WriterRequest } from './commit-messages.js';
import { describeError, WRITER_CLOSED } from './commit-messages.js';
import { connect } from './db.js';
import { objectBytesFor } from './object-bytes-for.js';

const { dbFile, dirs, port, state } = workerData as CommitWorkerData;
const db = connect(dbFile);
// On PostgreSQL the bytes go in with the rows, on this connection; on SQLite, into segment files.
const bytes = objectBytesFor(db, dirs);
const reply = (m: WriterReply): void => port.postMessage(m);

port.on('message', (first: WriterRequest) => {
  // Batches that queued up while the last one was being written go to disk together: one
  // segment, one transaction, one fsync of each, however many the owner sent meanwhile.
  const batches: Array<Extract<WriterRequest, { type: 'batch' }>> = [];
  let close = false;
  for (
    let m: WriterRequest | undefined = first;
    m;
    m = receiveMessageOnPort(port)?.message as WriterRequest | undefined
  ) {
    if (m.type === 'close') {
      close = true;
      break;
    }
    batches.push(m);
  }
  if (batches.length > 0) commit(batches);
  if (close) {
    // Messages arrive in order, so every batch before this one has been answered: the owner can
    // drain the replies as soon as the flag is up.
    db.close();
    Atomics.store(state, 0, WRITER_CLOSED);
    Atomics.notify(state, 0);
  }
});

function commit(batches: Array<Extract<WriterRequest, { type: 'batch' }>>): void {
  try {
    const { file, outcomes } = writeAndCommit(
      db,
      bytes,
      batches.flatMap((b) => b.batch),
    );
    let at = 0;
    for (const b of batches) {
      const mine = outcomes.slice(at, (at += b.batch.length));
      reply({
        type: 'done',
        id: b.id,
        outcomes: mine,
        ...(file !== undefined && mine.some((o) => o.wroteObject) ? { file } : {}),
      });
    }
  } catch (err) {
    for (const b of batches) reply({ type: 'failed', id: b.id, error: describeError(err) });
  }
}
reply({ type: 'ready' });
