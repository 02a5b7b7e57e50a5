import test from "node:test";
import assert from "node:assert/strict";
import { plan } from "../../src/reconcile/plan.js";
import { downloadCommandKey, parameterKeyFor, parameterKeyForDesired } from "../../src/reconcile/parameter-key.js";
import type { DesiredState } from "../../src/policy/desired.types.js";
import type { Plan, PlanInput, PlanNote, PlanStep } from "../../src/reconcile/types.js";
import { DAY, HASH, NOW, PROV, QUIRKS, desired, dv, input, instance, inventory, reported, table, type P } from "../support/reconcile-builders.js";

// A key the CPE may carry that is not this desired state's (another revision, or another ACS).
const KEY = "cv1-0000000000000000";
/** The ParameterKey the CPE carries once this desired state was applied. */
const applied = (d: DesiredState): string => parameterKeyForDesired(d, HASH);
const MS = "Device.ManagementServer.";
const PII = `${MS}PeriodicInformInterval`;
const PIE = `${MS}PeriodicInformEnable`;
const URL = `${MS}URL`;
const PW = `${MS}Password`;
const T = "Device.NAT.PortMapping.";
const FRESH: Readonly<Record<string, P>> = {
  [PII]: ["300", "xsd:unsignedInt"],
  [PIE]: ["1", "xsd:boolean"],
  [URL]: ["http://acs.example/", "xsd:string"],
};
const PORT_KEYS = ["ExternalPort", "Protocol"];
const FW = {
  version: "2.0",
  url: "http://fw/2.0.bin",
  fileSize: 1000,
  fileType: "1 Firmware Upgrade Image",
  username: "",
  password: "",
  checksum: undefined,
  from: PROV,
};
const WO = desired({ values: [dv(PW, "s3cret", { writeOnly: true })] });
const PII_3600 = desired({ values: [dv(PII, "3600")] });
const ALL_FRESH = desired({
  values: [dv(PII, "300"), dv(PIE, "true"), dv(PW, "s3cret", { writeOnly: true })],
  attributes: [{ path: PII, notification: 2, from: PROV }],
});

/** The expected plan; its parameterKey is filled in per row (it is the key of the row's desired state). */
const result = (steps: PlanStep[], notes: PlanNote[] = [], converged = steps.length === 0 && notes.length === 0): Omit<Plan, "parameterKey"> => ({
  steps,
  notes,
  converged,
});
const set = (...values: [string, string, string][]): Extract<PlanStep, { kind: "setValues" }> => ({
  kind: "setValues",
  values: values.map(([name, value, type]) => ({ name, value, type: type as "xsd:string" })),
  from: values.map(() => PROV),
});

interface Row {
  readonly name: string;
  readonly input: PlanInput;
  readonly want: Omit<Plan, "parameterKey">;
}

const ROWS: readonly Row[] = [
  {
    name: "a value known to exist but never read is refreshed",
    input: input(desired({ values: [dv(PII, "3600")] }), reported({ names: { [PII]: true } })),
    want: result([{ kind: "refresh", paths: [PII], reason: "unknown" }]),
  },
  {
    name: "a value older than verify.every is refreshed as stale",
    input: input(desired({ values: [dv(PII, "3600")] }), reported({ params: { [PII]: ["3600", "xsd:unsignedInt", NOW - 2 * DAY] } })),
    want: result([{ kind: "refresh", paths: [PII], reason: "stale" }]),
  },
  {
    name: "an equal fresh value needs nothing",
    input: input(desired({ values: [dv(PII, "300")] }), reported({ params: FRESH })),
    want: result([]),
  },
  {
    name: "a differing value is set with the CPE's reported xsd type, not the policy's",
    input: input(desired({ values: [dv(PII, "3600", { type: "xsd:int" })] }), reported({ params: FRESH })),
    want: result([set([PII, "3600", "xsd:unsignedInt"])]),
  },
  {
    name: "boolean 1 reported vs true desired is equal",
    input: input(desired({ values: [dv(PIE, "true", { type: "xsd:boolean" })] }), reported({ params: FRESH })),
    want: result([]),
  },
  {
    name: "a boolean reported without xsi:type (xsd:string) still compares as the policy's boolean",
    input: input(desired({ values: [dv(PIE, "true", { type: "xsd:boolean" })] }), reported({ params: { [PIE]: ["1", "xsd:string"] } })),
    want: result([]),
  },
  {
    name: "strings compare exactly: 007 is not 7",
    input: input(desired({ values: [dv(URL, "007")] }), reported({ params: { [URL]: ["7", "xsd:string"] } })),
    want: result([set([URL, "007", "xsd:string"])]),
  },
  {
    name: "integers compare as integers: 007 equals 7 for unsignedInt",
    input: input(desired({ values: [dv(PII, "0300")] }), reported({ params: FRESH })),
    want: result([]),
  },
  {
    name: "a write-only value never set is set (and flagged write-only), whatever the CPE reads back",
    input: input(desired({ values: [dv(PW, "s3cret", { writeOnly: true })] }), reported({ params: { [PW]: ["", "xsd:string"] }, parameterKey: KEY })),
    want: result([{ ...set([PW, "s3cret", "xsd:string"]), writeOnly: [PW] }]),
  },
  {
    name: "a write-only value whose hash and ParameterKey match is not written",
    input: input(
      WO,
      reported({ params: { [PW]: ["", "xsd:string"] }, parameterKey: applied(WO) }),
      inventory({ writeOnlyHashes: new Map([[PW, HASH("s3cret")]]) }),
    ),
    want: result([]),
  },
  {
    name: "a write-only value is re-set when the ParameterKey says someone else wrote",
    input: input(
      desired({ values: [dv(PW, "s3cret", { writeOnly: true })] }),
      reported({ params: { [PW]: ["", "xsd:string"] }, parameterKey: "other-acs" }),
      inventory({ writeOnlyHashes: new Map([[PW, HASH("s3cret")]]) }),
    ),
    want: result([{ ...set([PW, "s3cret", "xsd:string"]), writeOnly: [PW] }]),
  },
  {
    name: "a write-only value whose hash matches is not re-sent when the desired state changed but the CPE carries a key we set",
    input: input(
      desired({ values: [dv(PW, "s3cret", { writeOnly: true }), dv(PII, "3600")] }),
      reported({ params: { [PW]: ["", "xsd:string"], ...FRESH }, parameterKey: KEY }),
      inventory({ writeOnlyHashes: new Map([[PW, HASH("s3cret")]]), appliedKeys: ["cv1-1111111111111111", KEY] }),
    ),
    want: result([set([PII, "3600", "xsd:unsignedInt"])]),
  },
  {
    name: "a write-only value is re-set when the CPE carries a key that is none of the ones we set",
    input: input(
      WO,
      reported({ params: { [PW]: ["", "xsd:string"] }, parameterKey: "op:abc" }),
      inventory({ writeOnlyHashes: new Map([[PW, HASH("s3cret")]]), appliedKeys: [KEY] }),
    ),
    want: result([{ ...set([PW, "s3cret", "xsd:string"]), writeOnly: [PW] }]),
  },
  {
    name: "a write-only value is re-set after a factory reset emptied the ParameterKey, whatever keys we remember",
    input: input(
      WO,
      reported({ params: { [PW]: ["", "xsd:string"] }, parameterKey: "" }),
      inventory({ writeOnlyHashes: new Map([[PW, HASH("s3cret")]]), appliedKeys: [KEY] }),
    ),
    want: result([{ ...set([PW, "s3cret", "xsd:string"]), writeOnly: [PW] }]),
  },
  {
    name: "a write-only value whose hash differs is re-set even when the CPE carries a key we set",
    input: input(
      desired({ values: [dv(PW, "n3w", { writeOnly: true })] }),
      reported({ params: { [PW]: ["", "xsd:string"] }, parameterKey: KEY }),
      inventory({ writeOnlyHashes: new Map([[PW, HASH("s3cret")]]), appliedKeys: [KEY] }),
    ),
    want: result([{ ...set([PW, "n3w", "xsd:string"]), writeOnly: [PW] }]),
  },
  {
    name: "a write-only value whose policy changed is re-set",
    input: input(
      desired({ values: [dv(PW, "n3w", { writeOnly: true })] }),
      reported({ params: { [PW]: ["", "xsd:string"] }, parameterKey: KEY }),
      inventory({ writeOnlyHashes: new Map([[PW, HASH("s3cret")]]) }),
    ),
    want: result([{ ...set([PW, "n3w", "xsd:string"]), writeOnly: [PW] }]),
  },
  {
    name: "ignored paths are never read, compared or set",
    input: input(
      desired({ values: [dv(PII, "3600"), dv(URL, "x")], ignore: [PII, "Device.*.URL"] }),
      reported({ names: { [PII]: true }, params: { [URL]: ["y", "xsd:string"] } }),
    ),
    want: result([]),
  },
  {
    name: "drift: report applies a value the device never got from us (a device that first matches), and remembers it",
    input: input(desired({ values: [dv(PII, "3600", { drift: "report" })] }), reported({ params: FRESH, parameterKey: KEY })),
    want: result([{ ...set([PII, "3600", "xsd:unsignedInt"]), report: [PII] }]),
  },
  {
    name: "drift: report, once applied: a later difference is reported, never reverted",
    input: input(
      desired({ values: [dv(PII, "3600", { drift: "report" })] }),
      reported({ params: FRESH, parameterKey: KEY }),
      inventory({ writeOnlyHashes: new Map([[PII, HASH("3600")]]) }),
    ),
    want: result([], [{ kind: "drift", path: PII, desired: "3600", reported: "300", healed: false }], false),
  },
  {
    name: "drift: report applies again when the desired value changes",
    input: input(
      desired({ values: [dv(PII, "3600", { drift: "report" })] }),
      reported({ params: FRESH, parameterKey: KEY }),
      inventory({ writeOnlyHashes: new Map([[PII, HASH("1800")]]) }),
    ),
    want: result([{ ...set([PII, "3600", "xsd:unsignedInt"]), report: [PII] }]),
  },
  {
    name: "drift: heal re-applies a value that moved after this revision was applied, and notes it",
    input: input(PII_3600, reported({ params: FRESH, parameterKey: applied(PII_3600) })),
    want: result([set([PII, "3600", "xsd:unsignedInt"])], [{ kind: "drift", path: PII, desired: "3600", reported: "300", healed: true }], false),
  },
  {
    name: "a read-only parameter that differs is a note, not a set",
    input: input(desired({ values: [dv(PII, "3600")] }), reported({ params: { [PII]: ["300", "xsd:unsignedInt", NOW - 1000, false] } })),
    want: result([], [{ kind: "not-writable", path: PII }], false),
  },
  {
    name: "a backing-off path is skipped with a note and does not block the others",
    input: input(
      desired({ values: [dv(PII, "3600"), dv(URL, "http://new/")] }),
      reported({ params: FRESH }),
      inventory({ backoff: new Map([[PII, { until: NOW + 5000, code: 9007, attempts: 1 }]]) }),
    ),
    want: result([set([URL, "http://new/", "xsd:string"])], [{ kind: "backoff", path: PII, until: NOW + 5000, code: 9007 }], false),
  },
  {
    name: "an expired backoff is retried",
    input: input(
      desired({ values: [dv(PII, "3600")] }),
      reported({ params: FRESH }),
      inventory({ backoff: new Map([[PII, { until: NOW, code: 9007, attempts: 1 }]]) }),
    ),
    want: result([set([PII, "3600", "xsd:unsignedInt"])]),
  },
  {
    name: "a parameter under objects never seen is read directly: one GetParameterValues answers existence, type and value",
    input: input(
      desired({ values: [dv("Device.WiFi.SSID.1.SSID", "home"), dv(`${MS}PeriodicInformTime`, "2024-01-01T00:00:00Z")] }),
      reported({ params: FRESH }),
    ),
    want: result([{ kind: "refresh", paths: ["Device.WiFi.SSID.1.SSID", `${MS}PeriodicInformTime`], reason: "unknown" }]),
  },
  {
    name: "a parameter missing from its freshly enumerated object is unsupported",
    input: input(desired({ values: [dv(`${MS}NoSuchThing`, "1")] }), reported({ params: FRESH, discovered: { [MS]: NOW - 1000 } })),
    want: result([], [{ kind: "unsupported", path: `${MS}NoSuchThing`, message: `not in ${MS} on this device` }], false),
  },
  {
    name: "an enumeration older than verify.every proves nothing: the parameter is read",
    input: input(desired({ values: [dv(`${MS}NoSuchThing`, "1")] }), reported({ params: FRESH, discovered: { [MS]: NOW - 2 * DAY } })),
    want: result([{ kind: "refresh", paths: [`${MS}NoSuchThing`], reason: "unknown" }]),
  },
  {
    name: "a write-only parameter of unknown type is read once (for its xsd type), then set",
    input: input(desired({ values: [dv(PW, "s3cret", { writeOnly: true })] }), reported({ params: FRESH })),
    want: result([{ kind: "refresh", paths: [PW], reason: "unknown" }]),
  },
  {
    name: "a table whose existence is unknown is enumerated directly, one level",
    input: input(desired({ tables: [table(T, PORT_KEYS, [])] }), reported({ params: FRESH })),
    want: result([{ kind: "discover", path: T, reason: "unknown" }]),
  },
  {
    name: "a table missing from its freshly enumerated parent is unsupported",
    input: input(desired({ tables: [table(T, PORT_KEYS, [])] }), reported({ params: FRESH, discovered: { "Device.NAT.": NOW - 1000 } })),
    want: result([], [{ kind: "unsupported", path: T, message: "not in Device.NAT. on this device" }], false),
  },
  {
    name: "a table enumerated longer ago than verify.every is enumerated again",
    input: input(desired({ tables: [table(T, PORT_KEYS, [])] }), reported({ objects: [T], discovered: { [T]: NOW - 2 * DAY } })),
    want: result([{ kind: "discover", path: T, reason: "stale" }]),
  },
  {
    name: "a table backing off (its enumeration faulted) is skipped with a note",
    input: input(
      desired({ tables: [table(T, PORT_KEYS, [])] }),
      reported(),
      inventory({ backoff: new Map([[T, { until: NOW + 10, code: 9005, attempts: 1 }]]) }),
    ),
    want: result([], [{ kind: "backoff", path: T, until: NOW + 10, code: 9005 }], false),
  },
  {
    name: "a desired table not yet enumerated is discovered (GetParameterNames on the table)",
    input: input(desired({ tables: [table(T, PORT_KEYS, [instance({ ExternalPort: "80", Protocol: "TCP" })])] }), reported({ objects: [T] })),
    want: result([{ kind: "discover", path: T, reason: "unknown" }]),
  },
  {
    name: "instance keys are read before matching",
    input: input(
      desired({ tables: [table(T, PORT_KEYS, [instance({ ExternalPort: "80", Protocol: "TCP" })])] }),
      reported({ objects: [T, `${T}1.`], discovered: { [T]: NOW - 1000 } }),
    ),
    want: result([{ kind: "refresh", paths: [`${T}1.ExternalPort`, `${T}1.Protocol`], reason: "unknown" }]),
  },
  {
    name: "a missing keyed instance is added",
    input: input(
      desired({ tables: [table(T, PORT_KEYS, [instance({ ExternalPort: "80", Protocol: "TCP" }, { InternalPort: "8080" })])] }),
      reported({ objects: [T], discovered: { [T]: NOW - 1000 } }),
    ),
    want: result([{ kind: "addObject", table: T, key: { ExternalPort: "80", Protocol: "TCP" }, from: PROV }]),
  },
  {
    name: "an instance matched by key values gets its values set under its own instance number",
    input: input(
      desired({ tables: [table(T, PORT_KEYS, [instance({ ExternalPort: "80", Protocol: "TCP" }, { InternalPort: "8080" })])] }),
      reported({
        discovered: { [T]: NOW - 1000 },
        params: {
          [`${T}4.ExternalPort`]: ["22", "xsd:unsignedInt"],
          [`${T}4.Protocol`]: ["TCP", "xsd:string"],
          [`${T}7.ExternalPort`]: ["080", "xsd:unsignedInt"],
          [`${T}7.Protocol`]: ["TCP", "xsd:string"],
          [`${T}7.InternalPort`]: ["80", "xsd:unsignedInt"],
        },
        objects: [`${T}4.`, `${T}7.`],
      }),
    ),
    want: result([set([`${T}7.InternalPort`, "8080", "xsd:unsignedInt"])]),
  },
  {
    name: "an instance we added (keys still default) is claimed: its keys and values are set",
    input: input(
      desired({ tables: [table(T, PORT_KEYS, [instance({ ExternalPort: "80", Protocol: "TCP" }, { InternalPort: "8080" })])] }),
      reported({
        discovered: { [T]: NOW - 1000 },
        objects: [`${T}3.`],
        params: { [`${T}3.ExternalPort`]: ["0", "xsd:unsignedInt"], [`${T}3.Protocol`]: ["", "xsd:string"], [`${T}3.InternalPort`]: ["0", "xsd:unsignedInt"] },
      }),
      inventory({ created: new Map([[T, [3]]]) }),
    ),
    want: result([
      set([`${T}3.ExternalPort`, "80", "xsd:unsignedInt"], [`${T}3.Protocol`, "TCP", "xsd:string"], [`${T}3.InternalPort`, "8080", "xsd:unsignedInt"]),
    ]),
  },
  {
    name: "prune deletes only unmatched instances Converge created, never the CPE's own",
    input: input(
      desired({ tables: [table(T, PORT_KEYS, [], { prune: true })] }),
      reported({
        discovered: { [T]: NOW - 1000 },
        objects: [`${T}1.`, `${T}2.`],
        params: {
          [`${T}1.ExternalPort`]: ["22", "xsd:unsignedInt"],
          [`${T}1.Protocol`]: ["TCP", "xsd:string"],
          [`${T}2.ExternalPort`]: ["80", "xsd:unsignedInt"],
          [`${T}2.Protocol`]: ["TCP", "xsd:string"],
        },
      }),
      inventory({ created: new Map([[T, [2, 9]]]) }),
    ),
    want: result([{ kind: "deleteObject", object: `${T}2.`, from: PROV }]),
  },
  {
    name: "a created instance no longer declared is reused for a new desired instance rather than deleted and re-added",
    input: input(
      desired({ tables: [table(T, PORT_KEYS, [instance({ ExternalPort: "443", Protocol: "TCP" })], { prune: true })] }),
      reported({
        discovered: { [T]: NOW - 1000 },
        objects: [`${T}2.`],
        params: { [`${T}2.ExternalPort`]: ["80", "xsd:unsignedInt"], [`${T}2.Protocol`]: ["TCP", "xsd:string"] },
      }),
      inventory({ created: new Map([[T, [2]]]) }),
    ),
    want: result([set([`${T}2.ExternalPort`, "443", "xsd:unsignedInt"])]),
  },
  {
    name: "without prune, unmatched created instances stay",
    input: input(
      desired({ tables: [table(T, PORT_KEYS, [])] }),
      reported({
        discovered: { [T]: NOW - 1000 },
        objects: [`${T}2.`],
        params: { [`${T}2.ExternalPort`]: ["80", "xsd:unsignedInt"], [`${T}2.Protocol`]: ["TCP", "xsd:string"] },
      }),
      inventory({ created: new Map([[T, [2]]]) }),
    ),
    want: result([]),
  },
  {
    name: "firmware: a different SoftwareVersion plans a Download with a CommandKey",
    input: input(desired({ firmware: FW }), reported({ softwareVersion: "1.0" })),
    want: result([
      {
        kind: "download",
        version: "2.0",
        url: FW.url,
        fileSize: 1000,
        commandKey: downloadCommandKey("2.0", NOW),
        fileType: FW.fileType,
        username: "",
        password: "",
        from: PROV,
      },
    ]),
  },
  {
    name: "firmware: an outstanding download of that version within the timeout is pending",
    input: input(
      desired({ firmware: FW }),
      reported({ softwareVersion: "1.0" }),
      inventory({ download: { commandKey: "fw-x", version: "2.0", startedAt: NOW - 60_000 } }),
    ),
    want: result(
      [],
      [{ kind: "pending", what: "transfer", message: `download of 2.0 (CommandKey fw-x) outstanding since ${new Date(NOW - 60_000).toISOString()}` }],
      false,
    ),
  },
  {
    name: "firmware: the pinned version reported means nothing to do",
    input: input(desired({ firmware: FW }), reported({ softwareVersion: "2.0" })),
    want: result([]),
  },
  {
    name: "firmware: a failing download backs off",
    input: input(
      desired({ firmware: FW }),
      reported({ softwareVersion: "1.0" }),
      inventory({ backoff: new Map([["#firmware", { until: NOW + 1, code: 9010, attempts: 1 }]]) }),
    ),
    want: result([], [{ kind: "backoff", path: "#firmware", until: NOW + 1, code: 9010 }], false),
  },
  {
    name: "reboot pending and allowed: Reboot is the last step",
    input: input(desired({ allowReboot: true, values: [dv(URL, "http://new/")] }), reported({ params: FRESH }), inventory({ rebootPending: true })),
    want: result([
      set([URL, "http://new/", "xsd:string"]),
      { kind: "reboot", reason: "a change applies after a reboot (status 1)", from: { policy: "converge:reboot", file: "(built in)", line: 0 } },
    ]),
  },
  {
    name: "reboot pending but not allowed: Pending, no Reboot",
    input: input(desired({ allowReboot: false }), reported({ params: FRESH }), inventory({ rebootPending: true })),
    want: result(
      [],
      [{ kind: "pending", what: "reboot", message: "the CPE applies a change after a reboot; policy does not allow Converge to reboot it" }],
      false,
    ),
  },
  {
    name: "ParameterKey matches and every value is fresh and equal: zero steps, converged",
    input: input(
      ALL_FRESH,
      reported({ params: { ...FRESH, [PII]: ["300", "xsd:unsignedInt", NOW - 1000, true, 2], [PW]: ["", "xsd:string"] }, parameterKey: applied(ALL_FRESH) }),
      inventory({ writeOnlyHashes: new Map([[PW, HASH("s3cret")]]) }),
    ),
    want: result([]),
  },
  {
    name: "reads are batched by gpvBatchSize and writes by spvBatchSize",
    input: input(
      desired({ values: [dv("Device.X.A", "1"), dv("Device.X.B", "1"), dv("Device.X.C", "1"), dv(PII, "1"), dv(PIE, "false"), dv(URL, "u")] }),
      reported({ params: FRESH, names: { "Device.X.A": true, "Device.X.B": true, "Device.X.C": true } }),
      inventory(),
      { quirks: { ...QUIRKS, gpvBatchSize: 2, spvBatchSize: 2 } },
    ),
    want: result([
      { kind: "refresh", paths: ["Device.X.A", "Device.X.B"], reason: "unknown" },
      { kind: "refresh", paths: ["Device.X.C"], reason: "unknown" },
      set([PII, "1", "xsd:unsignedInt"], [PIE, "false", "xsd:boolean"]),
      set([URL, "u", "xsd:string"]),
    ]),
  },
  {
    name: "paths set but not read back are re-read before they are compared again",
    input: input(desired({ values: [dv(PII, "3600")] }), reported({ params: FRESH }), inventory({ readback: new Map([[PII, "3600"]]) })),
    want: result([{ kind: "refresh", paths: [PII], reason: "readback" }]),
  },
  {
    name: "paths under bisection are batched in their own groups",
    input: input(
      desired({ values: [dv("Device.X.A", "1"), dv("Device.X.B", "1"), dv("Device.X.C", "1")] }),
      reported({ names: { "Device.X.A": true, "Device.X.B": true, "Device.X.C": true } }),
      inventory({ bisect: [["Device.X.B"], ["Device.X.A"]] }),
    ),
    want: result([
      { kind: "refresh", paths: ["Device.X.B"], reason: "unknown" },
      { kind: "refresh", paths: ["Device.X.A"], reason: "unknown" },
      { kind: "refresh", paths: ["Device.X.C"], reason: "unknown" },
    ]),
  },
  {
    name: "notification unknown: read attributes; differing: set attributes",
    input: input(
      desired({
        attributes: [
          { path: PII, notification: 2, from: PROV },
          { path: URL, notification: 1, from: PROV },
        ],
      }),
      reported({ params: { [PII]: ["300", "xsd:unsignedInt"], [URL]: ["u", "xsd:string", NOW - 1000, true, 0] } }),
    ),
    want: result([
      { kind: "readAttributes", paths: [PII] },
      { kind: "setAttributes", attributes: [{ path: URL, notification: 1 }], from: [PROV] },
    ]),
  },
  {
    name: "policy conflicts and unresolved templates become notes; shadowed values do not",
    input: input(
      desired({
        notes: [
          { kind: "conflict", path: URL, message: "a and b disagree", from: [PROV, PROV] },
          { kind: "unresolved-template", path: PII, message: "vars.x undefined", from: [PROV] },
          { kind: "shadowed", path: PIE, message: "lower priority", from: [PROV] },
        ],
      }),
      reported({ params: FRESH }),
    ),
    want: result(
      [],
      [
        { kind: "conflict", path: URL, message: "a and b disagree" },
        { kind: "unresolved-template", path: PII, message: "vars.x undefined" },
      ],
      false,
    ),
  },
  {
    name: "the fixed order: discover, read, delete, add, set, attributes, download, reboot",
    input: input(
      desired({
        allowReboot: true,
        firmware: FW,
        values: [dv(URL, "new"), dv("Device.WiFi.SSID.1.SSID", "x"), dv(PIE, "true")],
        attributes: [
          { path: URL, notification: 2, from: PROV },
          { path: PII, notification: 1, from: PROV },
        ],
        tables: [
          table(T, PORT_KEYS, [instance({ ExternalPort: "80", Protocol: "TCP" }), instance({ ExternalPort: "443", Protocol: "TCP" })], { prune: true }),
          table("Device.Hosts.Host.", ["PhysAddress"], []),
        ],
      }),
      reported({
        params: {
          ...FRESH,
          [URL]: ["old", "xsd:string", NOW - 1000, true, 0],
          [PIE]: ["1", "xsd:boolean", NOW - 2 * DAY],
          [`${T}2.ExternalPort`]: ["80", "xsd:unsignedInt"],
          [`${T}2.Protocol`]: ["TCP", "xsd:string"],
          [`${T}5.ExternalPort`]: ["80", "xsd:unsignedInt"], // a duplicate we created: pruned, not reused
          [`${T}5.Protocol`]: ["TCP", "xsd:string"],
        },
        objects: [`${T}2.`, `${T}5.`],
        discovered: { [T]: NOW - 1000 },
      }),
      inventory({ created: new Map([[T, [2, 5]]]), rebootPending: true }),
    ),
    want: result([
      { kind: "discover", path: "Device.Hosts.Host.", reason: "unknown" },
      { kind: "refresh", paths: ["Device.WiFi.SSID.1.SSID"], reason: "unknown" },
      { kind: "refresh", paths: [PIE], reason: "stale" },
      { kind: "readAttributes", paths: [PII] },
      { kind: "deleteObject", object: `${T}5.`, from: PROV },
      { kind: "addObject", table: T, key: { ExternalPort: "443", Protocol: "TCP" }, from: PROV },
      set([URL, "new", "xsd:string"]),
      { kind: "setAttributes", attributes: [{ path: URL, notification: 2 }], from: [PROV] },
      {
        kind: "download",
        version: "2.0",
        url: FW.url,
        fileSize: 1000,
        commandKey: downloadCommandKey("2.0", NOW),
        fileType: FW.fileType,
        username: "",
        password: "",
        from: PROV,
      },
      { kind: "reboot", reason: "a change applies after a reboot (status 1)", from: { policy: "converge:reboot", file: "(built in)", line: 0 } },
    ]),
  },
];

for (const row of ROWS) {
  void test(`plan: ${row.name}`, () => {
    const { hashWriteOnly, ...data } = row.input;
    const before = structuredClone(data);
    assert.deepStrictEqual(plan(row.input), { ...row.want, parameterKey: parameterKeyForDesired(row.input.desired, HASH) });
    assert.deepStrictEqual({ ...row.input, hashWriteOnly: undefined }, { ...before, hashWriteOnly: undefined }, "plan() does not mutate its input");
    assert.equal(row.input.hashWriteOnly, hashWriteOnly);
  });
}

void test("parameterKeyForDesired follows what the device should hold, not the revision or where a line sits", () => {
  const a = desired({ revision: "r1", values: [dv(PII, "300")] });
  assert.equal(parameterKeyForDesired(a, HASH), parameterKeyForDesired({ ...a, revision: "r2" }, HASH));
  assert.equal(parameterKeyForDesired(a, HASH), parameterKeyForDesired(desired({ values: [dv(PII, "300", { from: { ...PROV, line: 99 } })] }), HASH));
  assert.notEqual(parameterKeyForDesired(a, HASH), parameterKeyForDesired(desired({ values: [dv(PII, "301")] }), HASH));
  assert.ok(parameterKeyForDesired(a, HASH).length <= 32);
});

void test("parameterKeyFor is deterministic, distinct per revision, and fits string(32)", () => {
  assert.equal(parameterKeyFor("abc"), parameterKeyFor("abc"));
  assert.notEqual(parameterKeyFor("abc"), parameterKeyFor("abd"));
  for (const r of ["", "x", "0123456789abcdef0123456789abcdef0123456789", "é".repeat(100)]) assert.ok(parameterKeyFor(r).length <= 32);
});
