import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseCsv, parseDataModelCsv } from "../../src/datamodel/csv.js";

const CSV_CASES: readonly (readonly [string, string, string[][]])[] = [
  [
    "plain fields",
    "a,b,c\n1,2,3\n",
    [
      ["a", "b", "c"],
      ["1", "2", "3"],
    ],
  ],
  [
    "no final newline",
    "a,b\n1,2",
    [
      ["a", "b"],
      ["1", "2"],
    ],
  ],
  [
    "CRLF records",
    "a,b\r\n1,2\r\n",
    [
      ["a", "b"],
      ["1", "2"],
    ],
  ],
  ["empty fields", ",a,,\n", [["", "a", "", ""]]],
  ["trailing empty field without newline", "a,", [["a", ""]]],
  ["quoted comma", '"Huawei Technologies Co., Ltd",x\n', [["Huawei Technologies Co., Ltd", "x"]]],
  ["doubled quotes", '"say ""hi""",b\n', [['say "hi"', "b"]]],
  [
    "newline inside quotes",
    '"line1\nline2",b\nc,d\n',
    [
      ["line1\nline2", "b"],
      ["c", "d"],
    ],
  ],
  ["CRLF inside quotes kept", '"a\r\nb"\n', [["a\r\nb"]]],
  ["empty quoted field", '"",x\n', [["", "x"]]],
  ["UTF-8 BOM dropped", "\uFEFFParameter,Object\n", [["Parameter", "Object"]]],
  ["quote inside unquoted field kept", 'ab"c,d\n', [['ab"c', "d"]]],
  ["blank line is one empty record", "a\n\nb\n", [["a"], [""], ["b"]]],
  ["spaces are data", " a , b \n", [[" a ", " b "]]],
  ["empty input", "", []],
];

for (const [name, text, want] of CSV_CASES) {
  void test(`parseCsv: ${name}`, () => assert.deepStrictEqual(parseCsv(text), want));
}

void test("parseCsv: unterminated quote throws", () => {
  assert.throws(() => parseCsv('a,"unterminated\n'), /unterminated/);
});

const FIVE_COL = [
  "Parameter,Object,Writable,Value,Value type",
  'DeviceID.Manufacturer,false,false,"Acme, Inc.",xsd:string',
  "DeviceID.OUI,false,false,A1B2C3,xsd:string",
  "DeviceID.ProductClass,false,false,Box1,xsd:string",
  "DeviceID.SerialNumber,false,false,SN1,xsd:string",
  "InternetGatewayDevice,true,false,,",
  "InternetGatewayDevice.DeviceInfo,true,false,,",
  "InternetGatewayDevice.DeviceInfo.SerialNumber,false,false,0,xsd:string",
  "InternetGatewayDevice.LANDevice.10,true,true,,",
  "InternetGatewayDevice.LANDevice.2,true,true,,",
  "InternetGatewayDevice.LANDevice.2.Enable,false,true,1,xsd:Boolean",
  "InternetGatewayDevice.LANDevice,true,true,,",
  "InternetGatewayDevice.LANDevice-X.Odd,false,false,v,xsd:unsignedint",
].join("\n");

void test("5-column format: identity from DeviceID rows, those rows skipped", () => {
  const m = parseDataModelCsv(FIVE_COL);
  assert.deepStrictEqual(m.identity, { manufacturer: "Acme, Inc.", oui: "A1B2C3", productClass: "Box1", serialNumber: "SN1" });
  assert.equal(m.skippedRows, 4);
  assert.equal(m.root, "InternetGatewayDevice.");
  assert.equal(m.kind, "tr098");
});

void test("objects end with '.', instances sort numerically, subtrees are contiguous", () => {
  const m = parseDataModelCsv(FIVE_COL);
  assert.deepStrictEqual(
    m.nodes.map((n) => n.path),
    [
      "InternetGatewayDevice.",
      "InternetGatewayDevice.DeviceInfo.",
      "InternetGatewayDevice.DeviceInfo.SerialNumber",
      "InternetGatewayDevice.LANDevice.",
      "InternetGatewayDevice.LANDevice.2.",
      "InternetGatewayDevice.LANDevice.2.Enable",
      "InternetGatewayDevice.LANDevice.10.",
      "InternetGatewayDevice.LANDevice-X.",
      "InternetGatewayDevice.LANDevice-X.Odd",
    ],
  );
  const lan = m.index.get("InternetGatewayDevice.LANDevice.") ?? -1;
  assert.equal(m.subtreeEnd[lan], m.index.get("InternetGatewayDevice.LANDevice-X."));
  assert.equal(m.subtreeEnd[0], m.nodes.length);
});

void test("types are normalised case-insensitively; missing ancestors are synthesised", () => {
  const m = parseDataModelCsv(FIVE_COL);
  const node = (p: string) => m.nodes[m.index.get(p) ?? -1];
  assert.equal(node("InternetGatewayDevice.LANDevice.2.Enable")?.type, "xsd:boolean");
  assert.equal(node("InternetGatewayDevice.LANDevice-X.Odd")?.type, "xsd:unsignedInt");
  assert.deepStrictEqual(node("InternetGatewayDevice.LANDevice-X."), {
    path: "InternetGatewayDevice.LANDevice-X.",
    object: true,
    writable: false,
    value: "",
    type: "xsd:string",
  });
});

void test("12-column format: notification column, identity from DeviceInfo when no DeviceID rows", () => {
  const h =
    "Parameter,Object,Object timestamp,Writable,Writable timestamp,Value,Value type,Value timestamp,Notification,Notification timestamp,Access list,Access list timestamp";
  const t = "2023-05-25T22:24:29.364Z";
  const text = [
    h,
    `Device,true,${t},false,${t},"",,,,,,`,
    `Device.DeviceInfo,true,${t},false,${t},"",,,,,,`,
    `Device.DeviceInfo.Manufacturer,false,${t},false,${t},"TP-Link",xsd:string,${t},,,,`,
    `Device.DeviceInfo.ManufacturerOUI,false,${t},false,${t},"9CA2F4",xsd:string,${t},,,,`,
    `Device.DeviceInfo.ProductClass,false,${t},false,${t},"EC220-G5",xsd:string,${t},,,,`,
    `Device.DeviceInfo.SerialNumber,false,${t},false,${t},"22275K2000315",xsd:string,${t},2,${t},Subscriber,${t}`,
    `Events.Inform,false,${t},false,${t},"${t}",xsd:dateTime,${t},,,,`,
  ].join("\n");
  const m = parseDataModelCsv(text);
  assert.equal(m.kind, "tr181");
  assert.deepStrictEqual(m.identity, { manufacturer: "TP-Link", oui: "9CA2F4", productClass: "EC220-G5", serialNumber: "22275K2000315" });
  assert.equal(m.notifications.get("Device.DeviceInfo.SerialNumber"), 2);
  assert.equal(m.skippedRows, 1);
});

void test("unknown header is rejected", () => {
  assert.throws(() => parseDataModelCsv("Name,Val\nA,1\n"), /unrecognised header/);
});

void test("the model is immutable", () => {
  const m = parseDataModelCsv(FIVE_COL);
  assert.ok(Object.isFrozen(m) && Object.isFrozen(m.nodes) && Object.isFrozen(m.nodes[0]));
});

const DIR = new URL("../fixtures/datamodels/", import.meta.url);

// Expected figures were counted independently of the parser (python csv module over the same files).
const MODELS = [
  ["huawei-bm632w-tr098.csv", "InternetGatewayDevice.", 1002, 792, { oui: "202BC1", productClass: "BM632w", serialNumber: "8KA8WA1151100043" }],
  ["huawei-eg8145v5-tr098.csv", "InternetGatewayDevice.", 3790, 3147, { oui: "00259E", productClass: "EG8145V5", serialNumber: "48575443A94196A5" }],
  ["nokia-g1425ga-tr098.csv", "InternetGatewayDevice.", 3751, 3188, { oui: "9075BC", productClass: "G-1425G-A", serialNumber: "ALCLFC265D6F" }],
  ["zte-h199a-tr098.csv", "InternetGatewayDevice.", 1741, 1457, { oui: "C0B101", productClass: "ZXHN H199A", serialNumber: "ZTEYH86LCN10105" }],
  ["tplink-ex220-tr181.csv", "Device.", 5229, 4413, { oui: "1C61B4", productClass: "Device2", serialNumber: "2226469000523" }],
  ["tplink-ec220g5v3-tr181.csv", "Device.", 935, 753, { oui: "9CA2F4", productClass: "EC220-G5", serialNumber: "22275K2000315" }],
] as const;

for (const [file, root, nodes, params, id] of MODELS) {
  void test(`real model ${file} loads with its counts and identity`, () => {
    const m = parseDataModelCsv(readFileSync(new URL(file, DIR), "utf8"));
    assert.equal(m.root, root);
    assert.equal(m.nodes.length, nodes);
    assert.equal(m.nodes.filter((n) => !n.object).length, params);
    assert.equal(m.identity.oui, id.oui);
    assert.equal(m.identity.productClass, id.productClass);
    assert.equal(m.identity.serialNumber, id.serialNumber);
    assert.ok(m.nodes.every((n) => n.path.startsWith(root)));
    assert.ok(m.nodes.every((n) => n.object === n.path.endsWith(".")));
    assert.equal(m.index.size, m.nodes.length);
  });
}
