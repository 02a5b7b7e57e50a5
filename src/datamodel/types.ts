/**
 * A device's parameter tree as loaded from an export. One `DataModel` is an immutable base shared by every
 * simulated device of that model; per-device changes live in an overlay (src/sim/tree.ts), never here.
 */
import type { DataModel as DataModelKind, DeviceIdStruct } from "../domain/device.js";
import type { XsdType } from "../domain/xsd.js";
import type { NotificationLevel } from "../cwmp/types.js";

/** One parameter or object. Object paths end with "." (CWMP partial-path convention). */
export interface DataModelNode {
  readonly path: string;
  readonly object: boolean;
  /** Parameters: settable by SPV. Tables: AddObject allowed. Instances: DeleteObject allowed. */
  readonly writable: boolean;
  /** Raw value text; "" for objects. */
  readonly value: string;
  /** xsd type; "xsd:string" for objects and for rows without a type. */
  readonly type: XsdType;
}

export interface DataModel {
  /** "InternetGatewayDevice." or "Device." */
  readonly root: string;
  readonly kind: DataModelKind;
  /** Depth-first order, parents before children, siblings by name (instance numbers numerically). */
  readonly nodes: readonly DataModelNode[];
  /** path -> position in `nodes`. */
  readonly index: ReadonlyMap<string, number>;
  /** For node i, the exclusive end of its subtree in `nodes` (i + 1 for parameters). */
  readonly subtreeEnd: Int32Array;
  /** Default identity: the export's DeviceID.* rows, else the DeviceInfo parameters. */
  readonly identity: DeviceIdStruct;
  /** Non-zero notification attributes recorded in the export. */
  readonly notifications: ReadonlyMap<string, NotificationLevel>;
  /** Rows outside the root (GenieACS virtual DeviceID.*, Events.*, Tags.*) that were not loaded. */
  readonly skippedRows: number;
}
