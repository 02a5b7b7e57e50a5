/**
 * The parameter state of one simulated CPE: its tree (shared base + overlay), attributes, ParameterKey and the
 * few values the device itself owns (its listening URL, its firmware version, its serial), plus the switches
 * tests use to inject faults.
 */
import type { DataModel, DataModelNode } from "../datamodel/types.js";
import type { DeviceIdStruct } from "../domain/device.js";
import type { NotificationLevel } from "../cwmp/types.js";
import { DeviceTree } from "./tree.js";
import { renderValue } from "./values.js";
import type { SimQuirks } from "./types.js";
import { modelPaths, type ModelPaths } from "./model-paths.js";

export interface Attribute {
  readonly notification: NotificationLevel;
  readonly accessList: readonly string[];
}

// TR-069 / TR-106 "hidden" parameters (passwords, keys) MUST read back as the null value.
const HIDDEN = /(Password|Passphrase|PreSharedKey|WEPKey)$/;

export class DeviceParams {
  readonly tree: DeviceTree;
  readonly paths: ModelPaths;
  readonly identity: DeviceIdStruct;
  readonly quirks: SimQuirks;
  #parameterKey: string;
  // Fault-injection switches, created on first use: an untouched fleet device pays nothing for them.
  #failPaths: Map<string, number> | undefined;
  #failValues: Map<string, Map<string, number>> | undefined;
  #rebootRequiredPaths: Set<string> | undefined;
  #notificationRejectPaths: Set<string> | undefined;
  #softwareVersion: string | undefined;
  #connectionRequestUrl: string | undefined;
  #attributes: Map<string, Attribute> | undefined;

  constructor(model: DataModel, identity: DeviceIdStruct, quirks: SimQuirks) {
    this.tree = new DeviceTree(model);
    this.paths = modelPaths(model);
    this.identity = identity;
    this.quirks = quirks;
    this.#parameterKey = quirks.noParameterKey === true ? "" : (this.tree.value(this.paths.parameterKey) ?? "");
  }

  /**
   * TR-069 A.3.2.1: set by a successful SPV/AddObject/DeleteObject; quirk noParameterKey: never stored; quirk
   * fixedParameterKey: always that one (a vendor constant), never the ACS's.
   */
  get parameterKey(): string {
    return this.quirks.fixedParameterKey ?? this.#parameterKey;
  }

  set parameterKey(key: string) {
    if (this.quirks.noParameterKey !== true && this.quirks.fixedParameterKey === undefined) this.#parameterKey = key;
  }

  /** SPV/AddObject/DeleteObject on these paths fault with the given code. */
  get failPaths(): Map<string, number> {
    return (this.#failPaths ??= new Map());
  }

  /** SPV touching these paths answers Status 1 (applied after reboot). */
  get rebootRequiredPaths(): Set<string> {
    return (this.#rebootRequiredPaths ??= new Set());
  }

  /** SetParameterAttributes asking for notification on these paths faults with 9009. */
  get notificationRejectPaths(): Set<string> {
    return (this.#notificationRejectPaths ??= new Set());
  }

  /** The injected fault for a path, without allocating the map. */
  /** SPV of one of these values on the path faults with the code (a firmware that rejects a new value). */
  get failValues(): Map<string, Map<string, number>> {
    return (this.#failValues ??= new Map());
  }

  injectedFault(path: string, value?: string): number | undefined {
    const byValue = value === undefined ? undefined : this.#failValues?.get(path)?.get(value);
    return byValue ?? this.#failPaths?.get(path);
  }

  rebootRequired(path: string): boolean {
    return this.#rebootRequiredPaths?.has(path) === true;
  }

  notificationRejected(path: string): boolean {
    return this.#notificationRejectPaths?.has(path) === true;
  }

  get softwareVersion(): string {
    return this.#softwareVersion ?? this.tree.value(this.paths.softwareVersion) ?? "";
  }

  set softwareVersion(v: string) {
    this.#softwareVersion = v;
  }

  /**
   * A simulated CPE lives on this machine: until a listener gives it a URL, it reports a loopback one nobody
   * answers (port 9), never the address its exported model carried (e.g. http://192.168.0.1:7547/), so an ACS
   * kicking simulated devices only ever sends traffic to 127.0.0.1.
   */
  get connectionRequestUrl(): string {
    return this.#connectionRequestUrl ?? `http://127.0.0.1:9/cr/${encodeURIComponent(this.identity.serialNumber)}`;
  }

  set connectionRequestUrl(url: string) {
    this.#connectionRequestUrl = url;
  }

  private baseValue(path: string): string | undefined {
    const i = this.tree.base.index.get(path);
    return i === undefined ? undefined : this.tree.base.nodes[i]?.value;
  }

  /** The stored value of a parameter, including the device-owned ones; undefined if unknown or an object. */
  value(path: string): string | undefined {
    const stored = this.tree.value(path);
    if (stored === undefined) return undefined;
    if (path === this.paths.parameterKey) return this.parameterKey;
    if (path === this.paths.softwareVersion) return this.softwareVersion;
    if (path === this.paths.connectionRequestUrl) return this.connectionRequestUrl;
    if (path === this.paths.serialNumber) return this.identity.serialNumber;
    // Like the ConnectionRequestURL: a UDP address from the exported model (a real LAN address) is not ours.
    if (path.endsWith(".ManagementServer.UDPConnectionRequestAddress") && stored === this.baseValue(path)) return "";
    return stored;
  }

  /** The value as the device reports it on the wire: hidden values empty, booleans per quirk. */
  reported(node: DataModelNode): string {
    if (!this.quirks.revealPasswords && HIDDEN.test(node.path)) return "";
    return renderValue(node.type, this.value(node.path) ?? "", this.quirks.booleanAsDigit === true);
  }

  /** Stores a validated value (booleans in canonical form). */
  write(node: DataModelNode, value: string): void {
    // Quirk ignoresCrUsername: the write is accepted (SPV status 0) and silently not kept.
    if (this.quirks.ignoresCrUsername === true && node.path === this.paths.connectionRequestUsername) return;
    this.tree.setValue(node.path, renderValue(node.type, value, false));
  }

  notification(path: string): NotificationLevel {
    return this.#attributes?.get(path)?.notification ?? this.tree.base.notifications.get(path) ?? 0;
  }

  accessList(path: string): readonly string[] {
    return this.#attributes?.get(path)?.accessList ?? [];
  }

  setAttribute(path: string, attribute: Attribute): void {
    this.#attributes ??= new Map();
    this.#attributes.set(path, attribute);
  }

  /** Drops attributes under a deleted instance. */
  forgetAttributes(prefix: string): void {
    for (const path of [...(this.#attributes?.keys() ?? [])]) {
      if (path.startsWith(prefix)) this.#attributes?.delete(path);
    }
  }

  /** TR-069 FactoryReset: configuration and attributes back to the model, ParameterKey empty; firmware stays. */
  factoryReset(): void {
    this.tree.reset();
    this.#attributes = undefined;
    this.parameterKey = "";
  }

  /** Keeps `<Table>NumberOfEntries` in step with the table after AddObject/DeleteObject. */
  updateEntryCount(tablePath: string): void {
    const counter = `${tablePath.slice(0, -1)}NumberOfEntries`;
    const node = this.tree.node(counter);
    if (node !== undefined && !node.object) this.tree.setValue(counter, String(this.tree.instances(tablePath).length));
  }
}
