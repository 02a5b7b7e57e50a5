// Generated from schemas/config.schema.json by scripts/render-schemas.ts: edit the schema, then run it.
export const CONFIG_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://converge.dev/schemas/config.schema.json",
  title: "Converge server configuration",
  description: "converge.yaml (or the file named by CONVERGE_CONFIG). Environment variables override it.",
  type: "object",
  additionalProperties: false,
  properties: {
    bind: {
      type: "string",
      description: "Address the CWMP listener binds to.",
    },
    cwmp: {
      type: "object",
      additionalProperties: false,
      properties: {
        port: {
          type: "integer",
          minimum: 0,
          maximum: 65535,
        },
        bind: {
          type: "string",
        },
        path: {
          type: "string",
          description: "URL path CPEs post to (ManagementServer.URL). '/' accepts any path.",
        },
        holdRequests: {
          type: "boolean",
          description:
            "TR-069 A.4.1: send HoldRequests=true with every ACS request, so the CPE sends no requests of its own while the ACS drives the session (default false).",
        },
        omitXmlDeclaration: {
          type: "array",
          description:
            "Models whose messages go without the <?xml ...?> declaration (some embedded parsers cannot read it). Each entry matches by OUI, productClass and/or manufacturer (all given must match; an empty entry matches every device). Env CONVERGE_OMIT_XML_DECLARATION: OUI, OUI/ProductClass or */ProductClass, comma separated; * for every device.",
          items: {
            $ref: "#/$defs/modelMatch",
          },
          maxItems: 1000,
        },
      },
    },
    api: {
      type: "object",
      additionalProperties: false,
      properties: {
        port: {
          type: "integer",
          minimum: 0,
          maximum: 65535,
        },
        bind: {
          type: "string",
          description: "Defaults to 127.0.0.1; binding elsewhere requires tokens.",
        },
        tokens: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["name", "sha256", "scope"],
            properties: {
              name: {
                type: "string",
                minLength: 1,
              },
              sha256: {
                type: "string",
                pattern: "^[0-9a-f]{64}$",
              },
              scope: {
                enum: ["read", "write"],
              },
            },
          },
        },
        openMetrics: {
          type: "boolean",
          description: "Serve /metrics without a token.",
        },
        rateLimit: {
          type: "object",
          additionalProperties: false,
          properties: {
            perSecond: {
              type: "number",
              exclusiveMinimum: 0,
            },
            burst: {
              type: "integer",
              minimum: 1,
            },
          },
        },
      },
    },
    db: {
      type: "string",
      description: "The store: a SQLite file path (or ':memory:'), or a postgres:// URL (the same as store.url; store.url wins when both are set).",
    },
    store: {
      type: "object",
      additionalProperties: false,
      properties: {
        url: {
          type: "string",
          description: "postgres://user:password@host:5432/db selects PostgreSQL; a file path selects SQLite; any other URL scheme is refused.",
        },
        poolSize: {
          type: "integer",
          minimum: 1,
          maximum: 1000,
          description: "PostgreSQL: connections the pool of each node opens at most.",
        },
        groupCommit: {
          type: "boolean",
          description:
            "SQLite: the session steps of devices whose answers arrive in the same event-loop turn commit in one transaction, each answered after that commit (fewer WAL pages per step in a storm). false: one transaction per step.",
        },
      },
    },
    policies: {
      type: "string",
      description: "Policies folder.",
    },
    secretsFile: {
      type: "string",
      description: "YAML map of secrets, kept outside git.",
    },
    logLevel: {
      enum: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
    },
    cpeAuth: {
      type: "object",
      additionalProperties: false,
      properties: {
        mode: {
          enum: ["open", "basic", "digest", "any"],
        },
        realm: {
          type: "string",
        },
        allowBasicOverHttp: {
          type: "boolean",
        },
        username: {
          type: "string",
        },
        password: {
          type: "string",
        },
        clientCert: {
          description:
            "TLS client certificates of CPEs (needs tls.requestClientCert and tls.ca): off; accept = a verified certificate authenticates the CPE instead of HTTP auth; require = 403 without one, HTTP auth per mode still applies",
          enum: ["off", "accept", "require"],
        },
        perRequest: {
          type: "boolean",
          description:
            "Authenticate every request of a session (default false: the Inform authenticates the session, its later requests are trusted on its cookie and connection).",
        },
      },
    },
    tls: {
      type: "object",
      additionalProperties: false,
      properties: {
        cert: {
          type: "string",
        },
        key: {
          type: "string",
        },
        ca: {
          type: "string",
        },
        requestClientCert: {
          type: "boolean",
        },
      },
    },
    limits: {
      type: "object",
      additionalProperties: false,
      properties: {
        maxSessions: {
          type: "integer",
          minimum: 1,
        },
        maxRpcsPerSession: {
          type: "integer",
          minimum: 1,
        },
        maxReplanRounds: {
          type: "integer",
          minimum: 1,
        },
        sessionIdleMs: {
          type: "integer",
          minimum: 100,
        },
        maxBodyBytes: {
          type: "integer",
          minimum: 1024,
        },
        downloadTimeoutMs: {
          type: "integer",
          minimum: 1000,
        },
        firmwareApplyInforms: {
          description:
            "After a TransferComplete reporting success, Informs that may still report the old SoftwareVersion before the fault firmware_not_applied",
          type: "integer",
          minimum: 1,
        },
        firmwareApplyTimeoutMs: {
          description: "After a TransferComplete reporting success, how long (ms) the new SoftwareVersion may take before the fault firmware_not_applied",
          type: "integer",
          minimum: 1000,
        },
        maxSessionsPerSource: {
          type: "integer",
          minimum: 1,
          description: "Sessions one source may hold at once: an authenticated device identity, else one IP address (default 64).",
        },
        unauthenticatedIdleMs: {
          type: "integer",
          minimum: 100,
          description: "Idle bound of a session without an authenticated identity (default 10000, at most sessionIdleMs).",
        },
        maxCpeRequestsPerSession: {
          type: "integer",
          minimum: 1,
          description:
            "CPE-initiated requests (TransferComplete, GetRPCMethods, ...) per session; beyond, the session ends with too_many_cpe_requests (default 32).",
        },
        maxStoredValueChars: {
          type: "integer",
          minimum: 256,
          description:
            "Longest string a CPE message may make the ACS store (values, names, keys); a longer one refuses the message with value_too_large (default 65536).",
        },
        maxFaultStringChars: {
          type: "integer",
          minimum: 64,
          description: "Fault strings are cut to this many characters before they are stored (default 1024).",
        },
      },
    },
    kick: {
      type: "object",
      additionalProperties: false,
      properties: {
        onReload: {
          type: "boolean",
        },
        perSecond: {
          type: "number",
          exclusiveMinimum: 0,
        },
        concurrency: {
          type: "integer",
          minimum: 1,
        },
      },
    },
    files: {
      type: "object",
      description:
        "Firmware and configuration files served to CPEs on the CWMP listener under /files/ (CONVERGE_FILES_DIR, CONVERGE_FILES_PUBLIC_URL, CONVERGE_FILES_AUTH).",
      additionalProperties: false,
      properties: {
        dir: {
          type: "string",
          description: "The folder served (default ./files).",
        },
        publicUrl: {
          type: "string",
          pattern: "^https?://[^/?#]+/?$",
          description:
            "The base URL CPEs reach the CWMP listener at (scheme, host, port); a policy's firmware.file becomes <publicUrl>/files/<name>. Default: the CWMP listener's own URL.",
        },
        auth: {
          enum: ["open", "cpe"],
          description:
            "open (default): any client may fetch; cpe: the credentials CPEs use for CWMP (shared or per-device), which Converge puts in the Download.",
        },
      },
    },
    reloadDebounceMs: {
      type: "integer",
      minimum: 0,
    },
    connectionRequest: {
      type: "object",
      additionalProperties: false,
      description: "Reaching devices on demand (TR-069 §3.2.2, TR-111).",
      properties: {
        provisionCredentials: {
          type: "boolean",
          description: "Provision per-device random ConnectionRequestUsername/Password through the reconciler (default true).",
        },
        allowBasic: {
          type: "boolean",
          description: "Answer a Basic-only challenge from a CPE (default false: Digest only).",
        },
        timeoutMs: {
          type: "integer",
          minimum: 100,
        },
        allowedNetworks: {
          type: "array",
          items: {
            type: "string",
            maxLength: 64,
          },
          maxItems: 1000,
          description:
            "CIDR networks connection requests may target (e.g. the CPE access networks); empty or absent: any address except the never-targeted ones (link-local/metadata, multicast, unspecified, the ACS's own ports). Set it in production.",
        },
        perTargetPerMinute: {
          type: "integer",
          minimum: 1,
          description: "Connection requests sent to one target (host:port) per minute (default 6).",
        },
      },
    },
    rollout: {
      type: "object",
      additionalProperties: false,
      description: "Staged rollouts (docs/rollouts.md).",
      properties: {
        default: {
          type: ["string", "object"],
          description:
            'Strategy of policies without a rollout: key: "immediate" (default: a change reaches every matched device at its next visit), "staged" (the built-in staged strategy) or a strategy mapping { waves, canaryPerModel, soak, gate, window, onFailure, kickOnWave }. Env CONVERGE_ROLLOUT_DEFAULT (a word or JSON).',
        },
        tickMs: {
          type: "integer",
          minimum: 100,
          maximum: 3600000,
          description: "How often rollout gates are judged (ms, default 5000). Env CONVERGE_ROLLOUT_TICK_MS.",
        },
      },
    },
    quirks: {
      type: "array",
      maxItems: 1000,
      description:
        'Per-model CPE quirk switches: each entry\'s match selects devices by oui, productClass and/or manufacturer (all given must match; {} matches every device); every matching entry applies, later entries over earlier ones, over the global settings (cwmp.omitXmlDeclaration, cpeAuth.perRequest) and the defaults. Env CONVERGE_QUIRKS: the list as JSON. docs/operations.md "Per-model quirks".',
      items: {
        type: "object",
        additionalProperties: false,
        required: ["match"],
        properties: {
          match: {
            $ref: "#/$defs/modelMatch",
            description: "The models this entry applies to: oui (case-insensitive), productClass, manufacturer (exact).",
          },
          omitXmlDeclaration: {
            type: "boolean",
            description: "Send messages without the <?xml ...?> declaration (embedded parsers that cannot read it).",
          },
          authPerRequest: {
            type: "boolean",
            description: "Authenticate (Digest) every request of the device's sessions, not only the Inform.",
          },
          booleanAsDigit: {
            type: "boolean",
            description: "Write xsd:boolean values as 1/0 instead of true/false.",
          },
          datetimeMilliseconds: {
            type: "boolean",
            description: "Write xsd:dateTime values with milliseconds (default true; false: whole seconds).",
          },
          gpvBatchSize: {
            type: "integer",
            minimum: 1,
            maximum: 1024,
            description: "Parameters per GetParameterValues (default 64).",
          },
          spvBatchSize: {
            type: "integer",
            minimum: 1,
            maximum: 1024,
            description: "Parameters per SetParameterValues (default 32).",
          },
          parameterKey: {
            enum: ["learn", "kept", "ignored"],
            description:
              "How the model treats the ParameterKey the ACS sends: learn (default: learnt per device; an empty key after ours means it does not keep it), kept (it keeps it: an empty key after ours is a reset, even without 0 BOOTSTRAP, and the device is provisioned again), ignored (the key it reports says nothing: write-only values rely on what Converge last set, from the first visit).",
          },
          connReqAllowBasic: {
            type: "boolean",
            description: "Answer this model's Basic-only connection request challenge (over connectionRequest.allowBasic, default false: Digest only).",
          },
          connReqUsername: {
            enum: ["provisioned", "reported"],
            description:
              "Connection request username: provisioned (default: Converge sets its own; after a refused connection request it retries once with the one the CPE reports), reported (the model keeps its own: Converge never sets it and uses the one the CPE reports from the first request).",
          },
        },
      },
    },
    cluster: {
      type: "object",
      additionalProperties: false,
      description: 'Several nodes on one PostgreSQL (docs/operations.md "Several nodes"): per-device leases, the node registry, kicks sent once.',
      properties: {
        url: {
          type: "string",
          pattern: "^postgres(ql)?://",
          maxLength: 2048,
          description:
            "The PostgreSQL the nodes coordinate through; default: the store's (db) when it is a postgres:// URL, else none (one node, in process). Env CONVERGE_CLUSTER_URL.",
        },
        nodeId: {
          type: "string",
          minLength: 1,
          maxLength: 128,
          description: "This node's name in the registry (default: host name and process id). Env CONVERGE_NODE_ID.",
        },
        heartbeatMs: {
          type: "integer",
          minimum: 100,
          maximum: 60000,
          description:
            "How often a node records itself alive, with its policy revision, and renews its sessions' leases (ms, default 2000). Env CONVERGE_CLUSTER_HEARTBEAT_MS.",
        },
        nodeTimeoutMs: {
          type: "integer",
          minimum: 300,
          maximum: 600000,
          description: "A node silent for longer is dead: its devices' leases are free (ms, default 10000). Env CONVERGE_CLUSTER_NODE_TIMEOUT_MS.",
        },
      },
    },
  },
  $defs: {
    modelMatch: {
      type: "object",
      additionalProperties: false,
      properties: {
        oui: {
          type: "string",
          maxLength: 64,
        },
        productClass: {
          type: "string",
          maxLength: 64,
        },
        manufacturer: {
          type: "string",
          maxLength: 64,
        },
      },
      description: "A model selector: oui (case-insensitive), productClass and/or manufacturer (exact); all given must match, {} matches every device.",
    },
  },
} as const;
