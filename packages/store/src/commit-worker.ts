/**
 * The commit worker's thread: writes each batch's segment and commits its rows on a connection of
 * its own, so the disk writes, the SQLite commit, its WAL fsync and checkpoints never hold up the
 * thread that signs. Started by CommitWriter; speaks the messages of commit-messages.ts.
 */
import { workerData } from 'node:worker_threads';
import type { CommitWorkerData, WriterReply, WriterRequest } from './commit-messages.js';
import { describeError, WRITER_CLOSED } from './commit-messages.js';
import { writeAndCommit } from './batch-commit.js';
import { connect } from './db.js';

const { dbFile, dirs, port, state } = workerData as CommitWorkerData;
const db = connect(dbFile);
const running = new Set<Promise<void>>();
const reply = (m: WriterReply): void => port.postMessage(m);

port.on('message', (m: WriterRequest) => {
  if (m.type === 'batch') {
    // Segments of later batches are written while this one commits; commits themselves are
    // serialised by SQLite's write lock and by this thread running one at a time.
    const done: Promise<void> = writeAndCommit(db, dirs, m.batch)
      .then(
        (r) => reply({ type: 'done', id: m.id, ...r }),
        (err: unknown) => reply({ type: 'failed', id: m.id, error: describeError(err) }),
      )
      .finally(() => running.delete(done));
    running.add(done);
    return;
  }
  // close: every reply is posted before the flag is raised, so the owner can drain them at once.
  void Promise.allSettled([...running]).then(() => {
    db.close();
    Atomics.store(state, 0, WRITER_CLOSED);
    Atomics.notify(state, 0);
  });
});
reply({ type: 'ready' });
