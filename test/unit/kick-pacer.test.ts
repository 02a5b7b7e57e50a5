/**
 * The kick pacer (kick-on-reload) on a fake clock: the real token bucket, tick and concurrency cap, with time
 * moved by the test one millisecond at a time, so every figure below is exact and nothing depends on how busy
 * the machine is. The same pacer runs in the server (server/reach.ts); test/integration/kick-pacing.test.ts
 * drives it there with real connection requests.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createKickPacer, kickMaxCredit, kickTickMs } from "../../src/server/kick-pacer.js";
import { deviceIdOf, type DeviceId } from "../../src/domain/device.js";
import { FakeClock, flush } from "../support/fake-clock.js";

const ids = (n: number): DeviceId[] =>
  Array.from({ length: n }, (_, i) => deviceIdOf({ manufacturer: "M", oui: "A1B2C3", productClass: "PC", serialNumber: `SN${i}` }));
const quiet = { info: () => undefined, error: () => undefined };

/** Runs a pacer over `n` devices, stepping the clock 1 ms at a time; returns each send's (fake) time. */
async function paced(rate: number, n: number, concurrency = 16): Promise<{ times: number[]; order: DeviceId[]; startedAt: number }> {
  const clock = new FakeClock();
  const times: number[] = [];
  const order: DeviceId[] = [];
  const pacer = createKickPacer({
    perSecond: rate,
    concurrency,
    timers: clock,
    log: quiet,
    send: (id) => (times.push(clock.now()), order.push(id), Promise.resolve("ok")),
  });
  try {
    const startedAt = clock.now();
    pacer.kick(ids(n), "test");
    const bound = ((n / rate) * 1000 + 10 * kickTickMs(rate)) | 0;
    for (let ms = 0; ms < bound && times.length < n; ms++) {
      clock.advance(1);
      await flush(2);
    }
    return { times, order, startedAt };
  } finally {
    pacer.close();
  }
}

describe("kick pacer on a fake clock", () => {
  for (const rate of [5, 20, 100, 400, 1000]) {
    it(`${rate}/s: every device once, in order, never faster than the rate (+ banked credit), and not slower`, async () => {
      const n = 136;
      const { times, order, startedAt } = await paced(rate, n);
      assert.equal(times.length, n);
      assert.deepEqual(order, ids(n));
      const credit = kickMaxCredit(rate);
      // In any span [t_i, t_j]: at most the banked credit plus what the rate earns in it.
      for (let i = 0; i < n; i++)
        for (let j = i; j < n; j++) {
          const earned = (((times[j] as number) - (times[i] as number)) * rate) / 1000;
          assert.ok(j - i + 1 <= credit + earned + 1e-9, `${j - i + 1} kicks within ${(times[j] as number) - (times[i] as number)} ms at ${rate}/s`);
        }
      // Not slower: the last kick leaves within one tick of n / rate after the start.
      const last = (times[n - 1] as number) - startedAt;
      assert.ok(last <= (n / rate) * 1000 + kickTickMs(rate), `the last of ${n} kicks at ${last} ms, ideal ${(n / rate) * 1000} ms`);
    });
  }

  it("a late timer (an overloaded event loop) sends at most the banked credit at once", async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const rate = 400;
    const pacer = createKickPacer({
      perSecond: rate,
      concurrency: 100,
      timers: clock,
      log: quiet,
      send: () => (times.push(clock.now()), Promise.resolve("ok")),
    });
    try {
      pacer.kick(ids(200), "late");
      clock.advance(kickTickMs(rate));
      await flush();
      const first = times.length;
      assert.equal(first, (kickTickMs(rate) * rate) / 1000, "one tick's worth first");
      clock.advance(1_000, { late: true }); // one tick fires, a second late
      await flush();
      assert.equal(times.length - first, kickMaxCredit(rate), "then the 50 ms bank, not a second's worth");
    } finally {
      pacer.close();
    }
  });

  it("never more than `concurrency` sends in flight; the rest wait for a send to settle", async () => {
    const clock = new FakeClock();
    const open: (() => void)[] = [];
    let most = 0;
    let sent = 0;
    const pacer = createKickPacer({
      perSecond: 1000,
      concurrency: 3,
      timers: clock,
      log: quiet,
      send: () =>
        new Promise<string>((resolve) => {
          sent++;
          open.push(() => resolve("ok"));
          most = Math.max(most, open.length);
        }),
    });
    try {
      pacer.kick(ids(10), "cap");
      for (let i = 0; i < 20; i++) {
        clock.advance(10);
        await flush();
        assert.equal(pacer.state().inFlight, open.length);
        if (i % 4 === 3) for (const r of open.splice(0)) r();
        await flush();
      }
      assert.equal(sent, 10);
      assert.equal(most, 3);
    } finally {
      pacer.close();
    }
  });

  it("an idle pacer banks nothing: a kick after a long quiet starts at the rate, without a burst", async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const pacer = createKickPacer({ perSecond: 100, concurrency: 16, timers: clock, log: quiet, send: () => (times.push(clock.now()), Promise.resolve("ok")) });
    try {
      for (let i = 0; i < 100; i++) clock.advance(10); // a second of idle ticks
      await flush();
      pacer.kick(ids(5), "after idle");
      clock.advance(10);
      await flush();
      assert.equal(times.length, 1, "one tick's worth (1 at 100/s), not a banked burst");
    } finally {
      pacer.close();
    }
  });

  it("logs a run's start and, once every device has an outcome, the counts (kick done, fake-clock ms)", async () => {
    const clock = new FakeClock();
    const lines: { msg: string; obj: Record<string, unknown> }[] = [];
    const log = { info: (obj: object, msg: string) => void lines.push({ msg, obj: obj as Record<string, unknown> }), error: quiet.error };
    let i = 0;
    const pacer = createKickPacer({ perSecond: 100, concurrency: 4, timers: clock, log, send: () => Promise.resolve(i++ % 2 === 0 ? "ok" : "busy") });
    try {
      pacer.kick(ids(4), "r1 -> r2");
      for (let t = 0; t < 10; t++) {
        clock.advance(10);
        await flush();
      }
      const done = lines.find((l) => l.msg === "kick done");
      assert.deepEqual(done?.obj, { kick: "r1 -> r2", devices: 4, outcomes: { ok: 2, busy: 2 }, ms: 40 });
    } finally {
      pacer.close();
    }
  });
});
