/** What the REST API needs; the composition root (cli/serve.ts) wires the real parts in. */
import type { ClusterHealth } from "../cluster-membership.js";
import type { DeviceId } from "../../domain/device.js";
import type { XsdType } from "../../domain/xsd.js";
import type { Store } from "../../domain/store.js";
import type { RolloutView } from "../../rollout/view.js";
import type { ControlAction } from "../../rollout/manager.js";
import type { Explanation } from "../../plan/explain.js";
import type { FleetPlanView } from "../fleet-plan-job.js";

export interface PolicySummary {
  readonly revision: string | undefined;
  readonly loadedAt: number | undefined;
  readonly policies: readonly {
    readonly name: string;
    readonly file: string;
    readonly priority: number;
    readonly matches?: number;
    /** The version most devices converge to, and the one a rollout in progress brings (else null). */
    readonly stableRevision?: string | null;
    readonly canaryRevision?: string | null;
    readonly rollout?: { readonly id: string; readonly state: string; readonly wave: number; readonly waves: number } | null;
  }[];
  readonly errors: readonly unknown[];
  readonly lastErrorAt: number | undefined;
  /** The last rejected change since start, kept after a later good load (the overview shows it). */
  readonly lastRejected: { readonly at: number; readonly errors: readonly unknown[] } | undefined;
  /** "missing" when the policies folder is gone (deleted, or a symlink swap in progress): hot reload waits for it. */
  readonly folder: "present" | "missing";
}

/** Staged rollouts as the API sees them (JSON views from src/rollout/view.ts). */
export interface RolloutApi {
  list(state?: string): Promise<readonly RolloutView[]>;
  get(id: string, devices: boolean): Promise<RolloutView | undefined>;
  control(
    id: string,
    action: ControlAction,
  ): Promise<{ readonly ok: true; readonly rollout: RolloutView } | { readonly ok: false; readonly code: "not_found" | "conflict"; readonly message: string }>;
  /** Per governed policy: the revision a device is pinned to and the one it applied. */
  deviceVersions(id: string): readonly unknown[];
}

export interface ApiDeps {
  readonly rollouts?: RolloutApi;
  /** This node among the nodes sharing the database (server/cluster-membership.ts). */
  readonly cluster?: () => ClusterHealth;
  readonly store: Store;
  readonly clock: () => number;
  readonly policies: {
    summary(): Promise<PolicySummary>;
    /** The serving revision alone (what /api/health reports: no per-policy counts for a liveness probe). */
    revision(): string | undefined;
    /** Whether the policies folder is there (see PolicySummary.folder). */
    folder(): "present" | "missing";
    reload(): Promise<{ readonly ok: boolean; readonly revision: string | undefined; readonly errors: readonly unknown[] }>;
  };
  /** The plan the next session would run, with the desired-vs-reported diff; undefined for unknown devices. */
  readonly planFor: (id: DeviceId) => Promise<unknown>;
  /**
   * For each `{ path, sha256 }` (the SHA-256 hex of a value the client holds): whether it is the write-only value
   * Converge last set at `path` (`known`: a hash is stored at all). The stored keyed hash is never returned.
   */
  readonly compareWriteOnly: (
    id: DeviceId,
    values: readonly { readonly path: string; readonly sha256: string }[],
  ) => Promise<readonly { readonly path: string; readonly known: boolean; readonly applied: boolean }[]>;
  /** Explain: matched policies and the merged desired state with provenance; undefined without a policy set. */
  readonly explain: (id: DeviceId) => Promise<Explanation | undefined>;
  readonly connectionRequest?: (id: DeviceId, waitMs: number) => Promise<{ readonly status: number; readonly body: unknown }>;
  /** Queues connection requests, paced by kick.perSecond and kick.concurrency (bulk "converge now"). */
  readonly kick?: (ids: Iterable<DeviceId>) => void;
  readonly metrics?: () => Promise<string>;
  /** Bearer-token check; undefined = API bound to loopback without tokens. */
  readonly auth?: (
    authorization: string | undefined,
    scope: "read" | "write",
  ) => { readonly ok: true; readonly name?: string } | { readonly ok: false; readonly status: 401 | 403; readonly message: string };
  /** Types parameters of device `id` (typed tasks): each one's reported type, else the standard data model's. */
  readonly paramTypes: (id: DeviceId) => Promise<(name: string) => XsdType | undefined>;
  readonly rateLimit?: (clientKey: string) => { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };
  readonly openMetrics: boolean;
  readonly debugDevices: Set<string>;
  /**
   * The operator changed something about the device (task, tags, debug, delete): its next visit takes the full
   * path on every node (resolved once the change is recorded cluster-wide).
   */
  readonly changed: (id: DeviceId) => Promise<void> | void;
  /** Clear secret values to scrub from a response (policy secrets; the device's stored credentials when `id`). */
  readonly secretValues: (id: DeviceId | undefined) => Promise<readonly string[]>;
  /** The serving policy set's plan over the stored fleet (computed in the background, see fleet-plan-job.ts). */
  readonly fleetPlan: () => FleetPlanView;
  /** Where the console's bundle is (index.html and assets); undefined: no console. */
  readonly consoleDir?: string;
  readonly liveSessions: () => readonly { readonly id: string; readonly deviceId: string; readonly startedAt: number; readonly rpcCount: number }[];
  /**
   * Takes the device's lease as a session would (several nodes: refused while another live node's session holds
   * it, and no node opens one until `release`): a delete runs under it.
   */
  readonly holdDevice?: (id: DeviceId) => Promise<{ readonly ok: true; release(): Promise<void> } | { readonly ok: false; readonly node: string }>;
}
