import test from "node:test";
import assert from "node:assert/strict";
import { compileSelector, matchesDevice, selectorsDisjoint } from "../../src/policy/match.js";
import type { RawMatch } from "../../src/policy/raw.js";
import type { MatchSubject } from "../../src/policy/desired.types.js";
import { eg8145 } from "../support/policy-fixtures.js";

const params = (o: Record<string, string>): ReadonlyMap<string, string> => new Map(Object.entries(o));

// [behaviour, match, facts overrides, matches?]
const CASES: readonly [string, RawMatch, Partial<MatchSubject>, boolean][] = [
  ["empty match selects every device", {}, {}, true],
  ["manufacturer exact", { manufacturer: "Huawei Technologies Co., Ltd" }, {}, true],
  ["manufacturer is case-insensitive", { manufacturer: "HUAWEI TECHNOLOGIES CO., LTD" }, {}, true],
  ["manufacturer glob", { manufacturer: "Huawei*" }, {}, true],
  ["manufacturer literal is not a prefix", { manufacturer: "Huawei" }, {}, false],
  ["manufacturer regex", { manufacturer: { pattern: "^huawei" } }, {}, true],
  ["oui exact, case-insensitive", { oui: "00259e" }, {}, true],
  ["oui list (any of)", { oui: ["9075BC", "00259E"] }, {}, true],
  ["oui mismatch", { oui: "9075BC" }, {}, false],
  ["productClass list", { productClass: ["EG8145V5", "EG8145X6"] }, {}, true],
  ["productClass is case-sensitive", { productClass: "eg8145v5" }, {}, false],
  ["productClass glob ?", { productClass: "EG8145V?" }, {}, true],
  ["productClass with spaces (ZTE)", { productClass: "ZXHN H199A" }, { productClass: "ZXHN H199A" }, true],
  ["hardwareVersion glob", { hardwareVersion: "159D.*" }, {}, true],
  ["hardwareVersion mismatch", { hardwareVersion: "160*" }, {}, false],
  ["softwareVersion range holds", { softwareVersion: ">=V5R020C00 <V5R021" }, {}, true],
  ["softwareVersion range fails", { softwareVersion: ">=V5R020C10" }, {}, false],
  ["softwareVersion glob", { softwareVersion: "V5R020*" }, {}, true],
  ["softwareVersion exact", { softwareVersion: "V5R020C00S280" }, {}, true],
  ["softwareVersion list mixes range and glob", { softwareVersion: [">=V6", "V5R020C00*"] }, {}, true],
  ["softwareVersion on TP-Link build strings", { softwareVersion: ">=1.12.0" }, { softwareVersion: "1.12.0 Build 220820 Rel.52419n(4252)" }, true],
  ["serialNumber glob", { serialNumber: "4857544*" }, {}, true],
  ["serialNumber regex", { serialNumber: { pattern: "A5$" } }, {}, true],
  ["serialNumber mismatch", { serialNumber: "ALCL*" }, {}, false],
  ["dataModel tr098", { dataModel: "tr098" }, {}, true],
  ["dataModel tr181 on a TR-098 device", { dataModel: "tr181" }, {}, false],
  ["dataModel on a device whose model is unknown", { dataModel: "tr098" }, { dataModel: undefined }, false],
  ["tags.all present", { tags: { all: ["residential", "fiber"] } }, { tags: ["fiber", "residential", "x"] }, true],
  ["tags.all missing one", { tags: { all: ["residential", "fiber"] } }, { tags: ["residential"] }, false],
  ["tags.any one present", { tags: { any: ["a", "b"] } }, { tags: ["b"] }, true],
  ["tags.any none present", { tags: { any: ["a", "b"] } }, { tags: ["c"] }, false],
  ["tags.none present excludes", { tags: { none: ["lab"] } }, { tags: ["lab"] }, false],
  ["tags.none absent", { tags: { none: ["lab"] } }, { tags: ["prod"] }, true],
  ["parameters.equals", { parameters: { "InternetGatewayDevice.X.A": { equals: "on" } } }, { parameters: params({ "InternetGatewayDevice.X.A": "on" }) }, true],
  [
    "parameters.equals boolean true = 1",
    { parameters: { "InternetGatewayDevice.X.A": { equals: true } } },
    { parameters: params({ "InternetGatewayDevice.X.A": "1" }) },
    true,
  ],
  [
    "parameters.equals number vs '007'",
    { parameters: { "InternetGatewayDevice.X.A": { equals: 7 } } },
    { parameters: params({ "InternetGatewayDevice.X.A": "007" }) },
    false,
  ],
  [
    "parameters.pattern",
    { parameters: { "InternetGatewayDevice.X.A": { pattern: "^15" } } },
    { parameters: params({ "InternetGatewayDevice.X.A": "159D.A" }) },
    true,
  ],
  ["parameters.in", { parameters: { "InternetGatewayDevice.X.A": { in: ["a", "b"] } } }, { parameters: params({ "InternetGatewayDevice.X.A": "b" }) }, true],
  [
    "parameters.in mismatch",
    { parameters: { "InternetGatewayDevice.X.A": { in: ["a", "b"] } } },
    { parameters: params({ "InternetGatewayDevice.X.A": "c" }) },
    false,
  ],
  [
    "parameters.exists true",
    { parameters: { "InternetGatewayDevice.X.A": { exists: true } } },
    { parameters: params({ "InternetGatewayDevice.X.A": "" }) },
    true,
  ],
  ["parameters.exists false", { parameters: { "InternetGatewayDevice.X.A": { exists: false } } }, {}, true],
  ["parameters.equals on an unreported path", { parameters: { "InternetGatewayDevice.X.A": { equals: "x" } } }, {}, false],
  ["several conditions AND (one fails)", { oui: "00259E", productClass: "EG8145V5", softwareVersion: ">=V9" }, {}, false],
  ["several conditions AND (all hold)", { oui: "00259E", productClass: "EG8145V5", softwareVersion: "<V9", tags: { none: ["lab"] } }, {}, true],
];

for (const [name, match, over, want] of CASES) {
  void test(`match: ${name}`, () => {
    const { selector, issues } = compileSelector(match, "");
    assert.deepEqual(issues, []);
    assert.equal(matchesDevice(selector, eg8145(over)), want);
  });
}

void test("an invalid regex and an unparseable range are issues at their pointers", () => {
  const { issues } = compileSelector({ serialNumber: { pattern: "([" }, softwareVersion: ["V5*", ">=V5 <"] }, "");
  assert.deepEqual(
    issues.map((i) => [i.code, i.pointer]),
    [
      ["invalid-version-range", "/match/softwareVersion/1"],
      ["invalid-regex", "/match/serialNumber/pattern"],
    ],
  );
});

// [behaviour, a, b, provably disjoint?]
const DISJOINT: readonly [string, RawMatch, RawMatch, boolean][] = [
  ["different literal productClass", { productClass: "EG8145V5" }, { productClass: "G-1425G-A" }, true],
  ["overlapping productClass lists", { productClass: ["A", "B"] }, { productClass: ["B", "C"] }, false],
  ["literal vs glob that cannot match", { manufacturer: "ZTE" }, { manufacturer: "Huawei*" }, true],
  ["literal vs glob that matches", { productClass: "EG8145V5" }, { productClass: "EG*" }, false],
  ["two globs: assume overlap", { productClass: "EG*" }, { productClass: "*V5" }, false],
  ["different fields: may overlap", { productClass: "EG8145V5" }, { manufacturer: "Huawei*" }, false],
  ["oui compared case-insensitively", { oui: "00259e" }, { oui: "00259E" }, false],
  ["different dataModel", { dataModel: "tr098" }, { dataModel: "tr181" }, true],
  ["tags.all vs tags.none", { tags: { all: ["lab"] } }, { tags: { none: ["lab"] } }, true],
  ["tags.any covered by none", { tags: { any: ["a", "b"] } }, { tags: { none: ["a", "b"] } }, true],
  ["disjoint parameter equals", { parameters: { "Device.X.A": { equals: "1" } } }, { parameters: { "Device.X.A": { in: ["2", "3"] } } }, true],
  ["exists true vs false", { parameters: { "Device.X.A": { exists: true } } }, { parameters: { "Device.X.A": { exists: false } } }, true],
  ["literal version vs range it satisfies", { softwareVersion: "V5R020C10S115" }, { softwareVersion: ">=V5R020C10" }, false],
  ["literal version vs range it fails", { softwareVersion: "V5R020C00S280" }, { softwareVersion: ">=V5R020C10" }, true],
  ["empty selectors overlap", {}, {}, false],
];

for (const [name, a, b, want] of DISJOINT) {
  void test(`disjoint: ${name}`, () => {
    const sa = compileSelector(a, "").selector,
      sb = compileSelector(b, "").selector;
    assert.equal(selectorsDisjoint(sa, sb, a.dataModel, b.dataModel), want);
    assert.equal(selectorsDisjoint(sb, sa, b.dataModel, a.dataModel), want);
  });
}
