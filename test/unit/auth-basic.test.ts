import test from "node:test";
import assert from "node:assert/strict";
import { basicAuthorization, parseBasic, verifyBasic } from "../../src/auth/basic.js";

const USERS: Record<string, string> = { "00147F-CP0611JTLNW": "", alice: "wonder:land", jürgen: "pässword" };
const lookup = (u: string): string | undefined => USERS[u];

const PARSE = [
  // Thomson CPE capture (cwmp-notes §6.1): OUI-Serial with an empty password.
  ["Basic MDAxNDdGLUNQMDYxMUpUTE5XOg==", { username: "00147F-CP0611JTLNW", password: "" }],
  ["basic YWxpY2U6d29uZGVyOmxhbmQ=", { username: "alice", password: "wonder:land" }],
  ["Basic   YWxpY2U6d29uZGVyOmxhbmQ=", { username: "alice", password: "wonder:land" }],
  [basicAuthorization("jürgen", "pässword"), { username: "jürgen", password: "pässword" }],
  ["Basic bm9jb2xvbg==", undefined], // "nocolon"
  ["Basic !!!", undefined],
  ['Digest username="alice"', undefined],
  ["Basic", undefined],
  ["", undefined],
] as const;

for (const [header, want] of PARSE) {
  void test(`parseBasic(${JSON.stringify(header)})`, () => assert.deepEqual(parseBasic(header), want));
}

const VERIFY = [
  ["right password", basicAuthorization("alice", "wonder:land"), { ok: true, username: "alice" }],
  ["empty password matches an empty configured password", "Basic MDAxNDdGLUNQMDYxMUpUTE5XOg==", { ok: true, username: "00147F-CP0611JTLNW" }],
  ["wrong password", basicAuthorization("alice", "wonder"), { ok: false, reason: "wrong credentials" }],
  ["password prefix is not enough", basicAuthorization("alice", "wonder:lan"), { ok: false, reason: "wrong credentials" }],
  ["unknown user", basicAuthorization("mallory", ""), { ok: false, reason: "unknown user" }],
  ["not Basic", "Bearer abc", { ok: false, reason: "no Basic credentials" }],
] as const;

for (const [name, header, want] of VERIFY) {
  void test(`verifyBasic: ${name}`, () => assert.deepEqual(verifyBasic(header, lookup), want));
}
