/** Shared builders for the store tests (not a test file itself). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deviceIdOf, type DeviceId } from "../../src/domain/device.js";
import type { XsdType } from "../../src/domain/xsd.js";
import type { EventStruct } from "../../src/cwmp/types.js";
import { after, test } from "node:test";
import { openStore, type OpenStoreOptions } from "../../src/store/open.js";
import type { InformFacts, Store } from "../../src/domain/store.js";
import { pgAvailability, startPg, type PgCluster } from "../support/pg-cluster.js";

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

/**
 * The store contract runs on every backend: a private in-memory SQLite, a real SQLite WAL file, and PostgreSQL
 * (a throwaway cluster per test file, a fresh database per test). Without a PostgreSQL server the PostgreSQL
 * cases are one skipped test saying how to run them; with CONVERGE_TEST_PG_REQUIRED=1 that test fails instead.
 */
export type Backend = "memory" | "file" | "pg";
const pgMissing = pgAvailability();
export const BACKENDS: readonly Backend[] = pgMissing === undefined ? ["memory", "file", "pg"] : ["memory", "file"];

if (pgMissing !== undefined) {
  if (process.env["CONVERGE_TEST_PG_REQUIRED"] === "1")
    test("[pg] the store contract on PostgreSQL", () => {
      throw new Error(`CONVERGE_TEST_PG_REQUIRED=1 but ${pgMissing}`);
    });
  else test("[pg] the store contract on PostgreSQL", { skip: pgMissing }, () => undefined);
}

let cluster: Promise<PgCluster> | undefined;
after(async () => {
  if (cluster !== undefined) await (await cluster).stop();
});

/** The file's PostgreSQL cluster, started on first use. */
export function pgCluster(): Promise<PgCluster> {
  return (cluster ??= startPg());
}

let databases = 0;
/** A fresh, empty PostgreSQL database URL in the file's cluster. */
export async function freshPgUrl(): Promise<string> {
  databases += 1;
  return (await pgCluster()).createDatabase(`contract_${process.pid}_${databases}`);
}

/** A store URL or path for `backend`, fresh and empty, and how to clean it up. */
export async function freshTarget(backend: Backend): Promise<{ readonly target: string; readonly cleanup: () => void }> {
  if (backend === "memory") return { target: ":memory:", cleanup: () => undefined };
  if (backend === "pg") return { target: await freshPgUrl(), cleanup: () => undefined };
  const t = tempDir();
  return { target: join(t.dir, "nested", "converge.db"), cleanup: t.cleanup };
}

export async function withStore(backend: Backend, body: (store: Store) => Promise<void>, options: OpenStoreOptions = {}): Promise<void> {
  const t = await freshTarget(backend);
  const { store } = await openStore(t.target, options);
  try {
    await body(store);
  } finally {
    await store.close();
    t.cleanup();
  }
}
