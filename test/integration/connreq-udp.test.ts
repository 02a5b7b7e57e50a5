import test from "node:test";
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { parseUdpConnectionRequest, sendUdpConnectionRequest, type UdpConnReqParse } from "../../src/connreq/udp.js";

const CREDS = { username: "cpe-0001", password: "Zx8q2LmN4pR7tV1wY3bC5dEf" };

interface Listener {
  readonly socket: Socket;
  readonly port: number;
  readonly received: { msg: Buffer; from: AddressInfo }[];
  waitFor(n: number, ms: number): Promise<void>;
}

async function listen(): Promise<Listener> {
  const socket = createSocket("udp4");
  const received: Listener["received"] = [];
  socket.on("message", (msg, from) => received.push({ msg, from }));
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  return {
    socket,
    port: socket.address().port,
    received,
    async waitFor(n, ms) {
      const end = Date.now() + ms;
      while (received.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    },
  };
}

/** The simulated CPE's rule: accept a message only if newer than the last one accepted. */
function acceptAll(msgs: readonly Buffer[], password: string): UdpConnReqParse[] {
  let last: { ts: number; id: number } | undefined;
  return msgs.map((m) => {
    const r = parseUdpConnectionRequest(m, (u) => (u === CREDS.username ? password : undefined), {
      nowSeconds: Math.floor(Date.now() / 1000),
      maxSkewSeconds: 300,
      ...(last ? { lastAccepted: last } : {}),
    });
    if (r.ok) last = { ts: r.ts, id: r.id };
    return r;
  });
}

void test("UDP connection request: repeated identical copies arrive, the first verifies, the copies are ignored as duplicates", async () => {
  const cpe = await listen();
  try {
    const out = await sendUdpConnectionRequest(`127.0.0.1:${cpe.port}`, CREDS, { repeats: 3, intervalMs: 20 });
    assert.equal(out.kind, "sent");
    await cpe.waitFor(3, 2_000);
    assert.equal(cpe.received.length, 3);
    const texts = new Set(cpe.received.map((r) => r.msg.toString("utf8")));
    assert.equal(texts.size, 1, "copies are identical (same ts, id, cn)");
    const verdicts = acceptAll(
      cpe.received.map((r) => r.msg),
      CREDS.password,
    );
    assert.deepEqual(
      verdicts.map((v) => (v.ok ? "accepted" : v.reason)),
      ["accepted", "duplicate id", "duplicate id"],
    );
    assert.equal(verdicts[0]?.ok && verdicts[0].id, out.kind === "sent" && out.id);
  } finally {
    cpe.socket.close();
  }
});

void test("UDP connection request: a CPE with a different password rejects every copy", async () => {
  const cpe = await listen();
  try {
    await sendUdpConnectionRequest(`127.0.0.1:${cpe.port}`, CREDS, { repeats: 2, intervalMs: 5 });
    await cpe.waitFor(2, 2_000);
    assert.deepEqual(
      acceptAll(
        cpe.received.map((r) => r.msg),
        "other",
      ).map((v) => (v.ok ? "accepted" : v.reason)),
      ["bad signature", "bad signature"],
    );
  } finally {
    cpe.socket.close();
  }
});

void test("UDP connection request: sent from the given socket (the STUN port), so the NAT binding matches", async () => {
  const cpe = await listen();
  const stun = createSocket("udp4");
  await new Promise<void>((r) => stun.bind(0, "127.0.0.1", r));
  try {
    await sendUdpConnectionRequest(`127.0.0.1:${cpe.port}`, CREDS, { repeats: 1, intervalMs: 0, socket: stun });
    await cpe.waitFor(1, 2_000);
    assert.equal(cpe.received[0]?.from.port, stun.address().port);
    // The caller's socket stays open for the next request.
    await sendUdpConnectionRequest(`127.0.0.1:${cpe.port}`, CREDS, { repeats: 1, intervalMs: 0, socket: stun });
    await cpe.waitFor(2, 2_000);
    assert.equal(cpe.received.length, 2);
    assert.equal(stun.listenerCount("error"), 0, "no listeners pile up on the caller's socket");
  } finally {
    stun.close();
    cpe.socket.close();
  }
});

void test("UDP connection request: two requests in a row are both accepted by the CPE (new id each time)", async () => {
  const cpe = await listen();
  try {
    await sendUdpConnectionRequest(`127.0.0.1:${cpe.port}`, CREDS, { repeats: 1, intervalMs: 0 });
    await sendUdpConnectionRequest(`127.0.0.1:${cpe.port}`, CREDS, { repeats: 1, intervalMs: 0 });
    await cpe.waitFor(2, 2_000);
    assert.deepEqual(
      acceptAll(
        cpe.received.map((r) => r.msg),
        CREDS.password,
      ).map((v) => v.ok),
      [true, true],
    );
  } finally {
    cpe.socket.close();
  }
});

void test("UDP connection request: an invalid address is reported, not thrown", async () => {
  const out = await sendUdpConnectionRequest("nonsense", CREDS, { repeats: 3, intervalMs: 0 });
  assert.equal(out.kind, "unreachable");
});
