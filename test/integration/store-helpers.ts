/** Shared builders for the store tests (not a test file itself). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deviceIdOf, type DeviceId } from "../../src/domain/device.js";
import type { XsdType } from "../../src/domain/xsd.js";
import type { EventStruct } from "../../src/cwmp/types.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import type { InformFacts, Store } from "../../src/domain/store.js";

export const BOOT: EventStruct = { code: "1 BOOT", commandKey: "" };
export const BOOTSTRAP: EventStruct = { code: "0 BOOTSTRAP", commandKey: "" };
export const PERIODIC: EventStruct = { code: "2 PERIODIC", commandKey: "" };

export function idOf(serial: string, productClass = "HG8245"): DeviceId {
  return deviceIdOf({ manufacturer: "Huawei", oui: "00259E", productClass, serialNumber: serial });
}

export function facts(serial: string, over: Partial<InformFacts> = {}): InformFacts {
  const productClass = over.productClass ?? "HG8245";
  return {
    deviceId: idOf(serial, productClass),
    manufacturer: "Huawei",
    oui: "00259E",
    productClass,
    serialNumber: serial,
    softwareVersion: "V3R017C10S100",
    hardwareVersion: "15AD.A",
    ip: "10.0.0.7",
    connectionRequestUrl: "http://10.0.0.7:7547/cr",
    udpConnectionRequestAddress: "",
    parameterKey: "",
    dataModel: "tr098",
    events: [PERIODIC],
    parameters: [
      p("InternetGatewayDevice.DeviceInfo.SoftwareVersion", over.softwareVersion ?? "V3R017C10S100"),
      p("InternetGatewayDevice.ManagementServer.PeriodicInformInterval", "3600", "xsd:unsignedInt"),
    ],
    ...over,
  };
}

export function p(name: string, value: string, type: XsdType = "xsd:string"): { name: string; value: string; type: XsdType } {
  return { name, value, type };
}

/** A fresh temp directory, removed by `cleanup`. */
export function tempDir(): { readonly dir: string; readonly cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "converge-store-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Both backends every behaviour must hold on: a private in-memory database and a real WAL file. */
export const BACKENDS = ["memory", "file"] as const;

export async function withStore(backend: (typeof BACKENDS)[number], body: (store: Store) => Promise<void>): Promise<void> {
  if (backend === "memory") {
    const store = openSqliteStore(":memory:");
    try {
      await body(store);
    } finally {
      await store.close();
    }
    return;
  }
  const t = tempDir();
  const store = openSqliteStore(join(t.dir, "nested", "converge.db"));
  try {
    await body(store);
  } finally {
    await store.close();
    t.cleanup();
  }
}
