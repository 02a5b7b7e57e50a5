/**
 * Connection-request targets (issue 10 point 10) as pure tables: address parsing and classification, CIDR
 * matching, the verdict (never link-local/metadata, unspecified, multicast, broadcast; never the ACS's own
 * ports; only allowedNetworks when set), and the guard's per-target rate limit and userinfo stripping with an
 * injected resolver. No packet is sent anywhere.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { classify, inCidr, parseCidr, parseIp, targetVerdict, type TargetPolicy } from "../../src/connreq/targets.js";
import { allowedNetworksProblem, createConnReqGuard } from "../../src/server/connreq-guard.js";

const CLASS_ROWS: readonly [string, string][] = [
  ["169.254.169.254", "link_local"],
  ["169.254.0.1", "link_local"],
  ["fe80::1", "link_local"],
  ["[fe80::1%25eth0]", "link_local"],
  ["febf:ffff::1", "link_local"],
  ["::ffff:169.254.169.254", "link_local"],
  ["::ffff:a9fe:a9fe", "link_local"],
  ["0.0.0.0", "unspecified"],
  ["::", "unspecified"],
  ["224.0.0.1", "multicast"],
  ["ff02::1", "multicast"],
  ["255.255.255.255", "broadcast"],
  ["127.0.0.1", "loopback"],
  ["127.255.0.9", "loopback"],
  ["::1", "loopback"],
  ["[::1]", "loopback"],
  ["::ffff:127.0.0.1", "loopback"],
  ["10.1.2.3", "other"],
  ["192.0.2.10", "other"],
  ["2001:db8::7", "other"],
  ["fec0::1", "other"],
];
for (const [text, want] of CLASS_ROWS) {
  void test(`classify ${text}: ${want}`, () => {
    const ip = parseIp(text);
    assert.ok(ip, text);
    assert.equal(classify(ip), want);
  });
}

for (const bad of ["", "1.2.3", "1.2.3.256", "01234.1.1.1", "::g", "1::2::3", "1:2:3:4:5:6:7:8:9", "localhost", "a.b.c.d"]) {
  void test(`not an address: ${JSON.stringify(bad)}`, () => assert.equal(parseIp(bad), undefined));
}

void test("CIDR matching, both families; bad networks are a start-up problem", () => {
  const rows: readonly [string, string, boolean][] = [
    ["10.0.0.0/8", "10.200.3.4", true],
    ["10.0.0.0/8", "11.0.0.1", false],
    ["100.64.0.0/10", "100.127.255.255", true],
    ["100.64.0.0/10", "100.128.0.0", false],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["0.0.0.0/0", "203.0.113.9", true],
    ["192.0.2.7", "192.0.2.7", true],
    ["10.0.0.0/8", "::ffff:10.0.0.1", true],
  ];
  for (const [net, addr, want] of rows) {
    const c = parseCidr(net);
    const ip = parseIp(addr);
    assert.ok(c && ip, `${net} ${addr}`);
    assert.equal(inCidr(ip, c), want, `${addr} in ${net}`);
  }
  assert.equal(allowedNetworksProblem(["10.0.0.0/8", "2001:db8::/32"]), undefined);
  assert.match(allowedNetworksProblem(["10.0.0.0/33", "nope"]) ?? "", /10\.0\.0\.0\/33, nope/);
});

void test("verdicts: never-targeted addresses, the ACS's own ports, allowedNetworks", () => {
  const open: TargetPolicy = { allowedNetworks: [], ownPorts: new Set([7547, 7557]), ownAddresses: [parseIp("192.0.2.1") ?? assert.fail()] };
  const prod: TargetPolicy = { ...open, allowedNetworks: [parseCidr("10.0.0.0/8"), parseCidr("2001:db8::/32")].map((c) => c ?? assert.fail()) };
  const rows: readonly [TargetPolicy, string, number, boolean][] = [
    [open, "169.254.169.254", 80, false],
    [open, "fe80::1", 7547, false],
    [open, "::ffff:169.254.169.254", 80, false],
    [open, "224.0.0.251", 5353, false],
    [open, "0.0.0.0", 7547, false],
    [open, "127.0.0.1", 7557, false],
    [open, "::1", 7547, false],
    [open, "192.0.2.1", 7557, false],
    [open, "127.0.0.1", 30005, true],
    [open, "192.0.2.1", 30005, true],
    [open, "198.51.100.4", 7547, true],
    [prod, "10.9.8.7", 7547, true],
    [prod, "2001:db8::42", 7547, true],
    [prod, "127.0.0.1", 30005, false],
    [prod, "198.51.100.4", 7547, false],
    [prod, "169.254.169.254", 80, false],
  ];
  for (const [policy, addr, port, want] of rows) {
    const ip = parseIp(addr) ?? assert.fail(addr);
    const v = targetVerdict(ip, port, policy);
    assert.equal(v.ok, want, `${addr}:${port} ${policy === prod ? "(allowedNetworks)" : ""} ${v.ok ? "" : v.reason}`);
  }
});

void test("the guard pins a resolved host, checks every address it resolves to, drops userinfo, rate-limits per target", async () => {
  const names: Record<string, readonly string[]> = { "cpe.example": ["192.0.2.50"], "rebind.example": ["192.0.2.51", "169.254.169.254"] };
  const guard = createConnReqGuard({ allowedNetworks: [], perTargetPerMinute: 3, ownPorts: () => [7547], resolve: async (h) => names[h] ?? [] });
  const now = 1_700_000_000_000;
  const pinned = await guard.http("http://admin:secret@cpe.example:30005/cr?x=1", now);
  assert.ok(pinned.ok);
  assert.equal(pinned.value.url, "http://192.0.2.50:30005/cr?x=1", "pinned to the checked address, no userinfo");
  assert.equal(pinned.value.host, "cpe.example:30005");
  const rebind = await guard.http("http://rebind.example/", now);
  assert.equal(rebind.ok, false, "one bad address among those a name resolves to refuses the target");
  assert.equal((await guard.http("http://nowhere.example/", now)).ok, false);
  assert.equal((await guard.http("https://cpe.example/", now)).ok, false);
  const outcomes = [];
  for (let i = 0; i < 5; i++) {
    const r = await guard.http("http://192.0.2.60:7547/", now);
    outcomes.push(r.ok ? "ok" : r.kind);
  }
  assert.deepEqual(outcomes, ["ok", "ok", "ok", "rate_limited", "rate_limited"]);
  assert.equal((await guard.http("http://192.0.2.60:7547/", now + 20_001)).ok, true, "the bucket refills at perTargetPerMinute");
  assert.equal((await guard.udp("169.254.169.254:7547", now)).ok, false);
  const udp = await guard.udp("[2001:db8::9]:7547", now);
  assert.ok(udp.ok);
  assert.equal(udp.value, "[2001:db8::9]:7547");
});
