/** What the REST API needs; the composition root (cli/serve.ts) wires the real parts in. */
import type { DeviceId } from "../../domain/device.js";
import type { Store } from "../../domain/store.js";

export interface PolicySummary {
  readonly revision: string | undefined;
  readonly loadedAt: number | undefined;
  readonly policies: readonly { readonly name: string; readonly file: string; readonly priority: number; readonly matches?: number }[];
  readonly errors: readonly unknown[];
  readonly lastErrorAt: number | undefined;
}

export interface ApiDeps {
  readonly store: Store;
  readonly clock: () => number;
  readonly policies: {
    summary(): Promise<PolicySummary>;
    reload(): Promise<{ readonly ok: boolean; readonly revision: string | undefined; readonly errors: readonly unknown[] }>;
  };
  /** The plan the next session would run, with the desired-vs-reported diff; undefined for unknown devices. */
  readonly planFor: (id: DeviceId) => Promise<unknown>;
  /** Explain: matched policies and the merged desired state with provenance. */
  readonly explain: (id: DeviceId) => Promise<unknown>;
  readonly connectionRequest?: (id: DeviceId, waitMs: number) => Promise<{ readonly status: number; readonly body: unknown }>;
  readonly metrics?: () => Promise<string>;
  /** Bearer-token check; undefined = API bound to loopback without tokens. */
  readonly auth?: (authorization: string | undefined, scope: "read" | "write") => { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly message: string };
  readonly rateLimit?: (clientKey: string) => { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };
  readonly openMetrics: boolean;
  readonly debugDevices: Set<string>;
  /** The operator changed something about the device (task, tags, debug): its next visit takes the full path. */
  readonly changed: (id: DeviceId) => void;
  readonly liveSessions: () => readonly { readonly id: string; readonly deviceId: string; readonly startedAt: number; readonly rpcCount: number }[];
}
