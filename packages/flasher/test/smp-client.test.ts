import { describe, expect, it } from 'vitest';
import { SmpGroup, SmpOp, SmpOsCommand } from '@fwsign/protocol';
import {
  ConsoleFrameDecoder,
  decodeCborMap,
  decodeSmpPacket,
  encodeCbor,
  encodeConsoleFrame,
  encodeSmpPacket,
  FlasherError,
  SmpClient,
  type SmpHeader,
  type Transport,
  type TransportListener,
} from '../src/index.js';

/** A scripted peer: records requests and lets the test answer them in any order. */
class ScriptedPeer implements Transport {
  readonly requests: Array<{ header: SmpHeader; body: Record<string, unknown> }> = [];
  private readonly decoder = new ConsoleFrameDecoder();
  private listener: TransportListener | undefined;
  onRequest: (() => void) | undefined;

  async write(bytes: Uint8Array): Promise<void> {
    for (const e of this.decoder.push(bytes)) {
      if (e.kind !== 'packet') continue;
      const p = decodeSmpPacket(e.body);
      this.requests.push({ header: p.header, body: decodeCborMap(p.payload) });
      this.onRequest?.();
    }
  }
  subscribe(l: TransportListener): () => void {
    this.listener = l;
    return () => (this.listener = undefined);
  }
  async close(): Promise<void> {
    this.listener?.closed?.();
  }
  answer(i: number, body: Record<string, unknown>, patch: Partial<SmpHeader> = {}): void {
    const h = this.requests[i]!.header;
    const rsp = encodeSmpPacket(
      {
        op: (h.op + 1) as SmpHeader['op'],
        version: h.version,
        flags: 0,
        group: h.group,
        seq: h.seq,
        id: h.id,
        ...patch,
      },
      encodeCbor(body as never),
    );
    this.listener!.data(encodeConsoleFrame(rsp));
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('SmpClient', () => {
  it('matches answers to requests by sequence number, whatever order they come in', async () => {
    const peer = new ScriptedPeer();
    const client = new SmpClient(peer, { timeoutMs: 1000 });
    const a = client.send(SmpOp.WRITE, SmpGroup.OS, SmpOsCommand.ECHO, { d: 'a' });
    const b = client.send(SmpOp.WRITE, SmpGroup.OS, SmpOsCommand.ECHO, { d: 'b' });
    await tick();
    expect(peer.requests.map((r) => r.body.d)).toEqual(['a', 'b']);
    expect(peer.requests[1]!.header.seq).toBe((peer.requests[0]!.header.seq + 1) & 0xff);
    peer.answer(1, { r: 'b' });
    peer.answer(0, { r: 'a' });
    expect((await a.response).body.r).toBe('a');
    expect((await b.response).body.r).toBe('b');
    client.close();
  });

  it('ignores a duplicated answer and one whose group or command does not match its seq', async () => {
    const peer = new ScriptedPeer();
    const client = new SmpClient(peer, { timeoutMs: 1000 });
    const a = client.send(SmpOp.READ, SmpGroup.OS, SmpOsCommand.MCUMGR_PARAMS, {});
    await tick();
    peer.answer(0, { wrong: true }, { group: SmpGroup.IMAGE });
    peer.answer(0, { buf_size: 1024, buf_count: 4 });
    peer.answer(0, { buf_size: 1, buf_count: 1 });
    expect((await a.response).body).toEqual({ buf_size: 1024, buf_count: 4 });
    expect(client.strays).toBe(2);
    client.close();
  });

  it('retries a timed-out request with a new seq, and a late answer to the old seq is not taken for the new one', async () => {
    const peer = new ScriptedPeer();
    const client = new SmpClient(peer, { timeoutMs: 50, retries: 2 });
    peer.onRequest = () => {
      if (peer.requests.length === 2) {
        peer.answer(0, { r: 'late' });
        peer.answer(1, { r: 'fresh' });
      }
    };
    const rsp = await client.request(SmpOp.WRITE, SmpGroup.OS, SmpOsCommand.ECHO, { d: 'x' });
    expect(rsp.body.r).toBe('fresh');
    expect(peer.requests[0]!.header.seq).not.toBe(peer.requests[1]!.header.seq);
    client.close();
  });

  it('gives up after the bounded retries with a Timeout that says what went unanswered', async () => {
    const peer = new ScriptedPeer();
    const client = new SmpClient(peer, { timeoutMs: 20, retries: 2 });
    const started = performance.now();
    const err = await client
      .request(SmpOp.READ, SmpGroup.OS, SmpOsCommand.MCUMGR_PARAMS, {})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlasherError);
    expect((err as FlasherError).code).toBe('Timeout');
    expect((err as Error).message).toMatch(
      /SMP read group 0 command 6 \(seq \d+\): no answer within 20 ms; gave up after 3 attempts/,
    );
    expect(peer.requests).toHaveLength(3);
    expect(performance.now() - started).toBeLessThan(2000);
    client.close();
  });

  it('turns a non-zero rc (v1 or v2 style) into a DeviceError or NotSupported naming the command', async () => {
    const peer = new ScriptedPeer();
    const client = new SmpClient(peer, { timeoutMs: 500 });
    peer.onRequest = () => {
      const i = peer.requests.length - 1;
      if (i === 0) peer.answer(0, { rc: 8 });
      else peer.answer(i, { err: { group: 1, rc: 3 } });
    };
    const e1 = (await client
      .write('echo', SmpGroup.OS, SmpOsCommand.ECHO, { d: 'x' })
      .catch((e: unknown) => e)) as FlasherError;
    expect(e1.code).toBe('NotSupported');
    expect(e1.smpRc).toBe(8);
    expect(e1.message).toBe('echo: device answered MGMT_ERR_ENOTSUP (8)');
    const e2 = (await client
      .write('upload', SmpGroup.IMAGE, 1, {})
      .catch((e: unknown) => e)) as FlasherError;
    expect(e2.code).toBe('DeviceError');
    expect(e2.message).toBe('upload: device answered MGMT_ERR_EINVAL (3)');
    client.close();
  });

  it('rejects everything pending at once when the link closes', async () => {
    const peer = new ScriptedPeer();
    const client = new SmpClient(peer, { timeoutMs: 10_000 });
    const a = client.send(SmpOp.WRITE, SmpGroup.OS, SmpOsCommand.ECHO, { d: 'x' });
    await tick();
    await peer.close();
    const err = (await a.response.catch((e: unknown) => e)) as FlasherError;
    expect(err.code).toBe('TransportClosed');
    client.close();
  });
});
