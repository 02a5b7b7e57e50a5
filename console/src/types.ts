/** The API's shapes as the console reads them (see /openapi.json). */
export interface Condition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
  lastTransition: number;
}
export interface Device {
  deviceId: string;
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
  softwareVersion: string;
  hardwareVersion: string;
  ip: string;
  connectionRequestUrl: string;
  udpConnectionRequestAddress: string;
  parameterKey: string;
  dataModel?: string;
  firstSeen: number;
  lastInform: number;
  lastBoot?: number;
  lastEvents: { code: string; commandKey: string }[];
  tags: string[];
  status?: { conditions: Condition[]; matchedPolicies: string[]; appliedRevision?: string; attemptedRevision?: string; lastTransition: number };
}
export interface SessionRecord {
  id: string;
  startedAt: number;
  endedAt?: number;
  outcome: string;
  rpcCount: number;
  events: string[];
  revision?: string;
}
export interface FaultRecord {
  id: number;
  code: string;
  message: string;
  path?: string;
  policy?: string;
  sessionId?: string;
  retryable: boolean;
  at: number;
}
export interface TaskRecord {
  id: number;
  request: { method: string } & Record<string, unknown>;
  state: string;
  createdAt: number;
  doneAt?: number;
  outcome: unknown;
}
export interface DeviceDetail {
  device: Device;
  debug: boolean;
  backoff: { path: string; until: number; code: number; attempts: number }[];
  parameters: Record<string, { value: string; type: string; writable: boolean | null; observedAt: number | null }>;
  sessions: SessionRecord[];
  faults: FaultRecord[];
  tasks: TaskRecord[];
}
export interface DiffEntry {
  path: string;
  desired: string;
  reported: string | null;
  state: "equal" | "differs" | "unknown" | "write-only";
  policy: string;
}
export interface DevicePlan {
  revision?: string;
  matched: string[];
  plan?: { steps: { kind: string }[] };
  diff: DiffEntry[];
}
export interface Overview {
  devices: number;
  conditions: Record<string, number>;
  byPolicy: Record<string, number>;
  byModel: { productClass: string; softwareVersion: string; devices: number }[];
  policies: { revision: string | null; loadedAt: number | null; count: number; failing: boolean; lastRejected: { at: number; errors: PolicyError[] } | null };
  activeSessions: number;
}
export interface PolicyError {
  file?: string;
  line?: number;
  column?: number;
  message?: string;
  severity?: string;
  code?: string;
}
export interface Activity {
  from: number;
  to: number;
  bucketMs: number;
  buckets: { at: number; sessions: number; failedSessions: number; faults: number }[];
}
export interface TopFault {
  code: string;
  faults: number;
  devices: number;
  lastAt: number;
  message: string;
}
export interface PolicyList {
  revision?: string;
  loadedAt?: number;
  policies: { name: string; file: string; priority: number; matches?: number }[];
  errors: PolicyError[];
  lastErrorAt?: number;
}
export interface Bucket {
  devices: number;
  steps: Record<string, number>;
  disruptive: number;
}
export interface PlanView {
  revision: string | null;
  result: null | {
    revision: string;
    computedAt: number;
    durationMs: number;
    summary: {
      devices: number;
      changing: number;
      disruptiveDevices: number;
      unmatched: number;
      byPolicy: Record<string, Bucket>;
      byModel: Record<string, Bucket>;
      steps: Record<string, number>;
    };
    devices: { deviceId: string; productClass: string; writes: { kind: string }[]; disruptive: boolean; policies: string[] }[];
  };
  running: null | { revision: string; startedAt: number; planned: number; total: number };
  error: null | { message: string };
}
export interface Me {
  scope: "read" | "write";
  tokens: boolean;
}
