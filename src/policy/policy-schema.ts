// Generated from schemas/policy.schema.json by scripts/render-schemas.ts: edit the schema, then run it.
export const POLICY_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://converge.example/schemas/policy.schema.json",
  title: "Converge policy",
  description: "One Converge policy: which devices it selects (match) and the desired state it declares for them. Reference: docs/policies.md.",
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: {
      description: "Unique policy name across the folder (letters, digits, '.', '_', '-'). Ties in priority are ordered by name.",
      type: "string",
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
      maxLength: 100,
    },
    description: {
      description: "Free text for humans: why this policy exists.",
      type: "string",
    },
    priority: {
      description:
        "Precedence: higher wins on the same path. Default 0. Equal priority, overlapping selectors and different values on the same path are a conflict.",
      type: "integer",
      minimum: -1000000,
      maximum: 1000000,
    },
    match: {
      $ref: "#/$defs/match",
    },
    parameters: {
      description:
        "Desired parameter values by full path (no trailing '.', instance numbers allowed). Values are strings, numbers, booleans or { value, type, writeOnly }; strings may hold ${...} templates.",
      type: "object",
      propertyNames: {
        $ref: "#/$defs/paramPath",
      },
      additionalProperties: {
        $ref: "#/$defs/value",
      },
    },
    objects: {
      description:
        "Keyed instances of multi-instance tables, by table path (e.g. InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMapping). The CPE picks instance numbers; instances are identified by their key values.",
      type: "object",
      propertyNames: {
        $ref: "#/$defs/objectPath",
      },
      additionalProperties: {
        $ref: "#/$defs/table",
      },
    },
    attributes: {
      description: "Parameter attributes by full path: the notification level the CPE should use (SetParameterAttributes).",
      type: "object",
      propertyNames: {
        $ref: "#/$defs/paramPath",
      },
      additionalProperties: {
        description: "Attributes of one parameter.",
        type: "object",
        additionalProperties: false,
        required: ["notification"],
        properties: {
          notification: {
            description: "off (0), passive (1), active (2), or a number 0..6 (TR-069 a.3.2.4).",
            type: ["string", "integer"],
            enum: ["off", "passive", "active", 0, 1, 2, 3, 4, 5, 6],
          },
        },
      },
    },
    firmware: {
      $ref: "#/$defs/firmware",
    },
    verify: {
      description: "How stale a reported value may get before it is re-read.",
      type: "object",
      additionalProperties: false,
      required: ["every"],
      properties: {
        every: {
          description: "A duration: a number followed by s, m, h or d (e.g. 24h). Default 24h.",
          type: "string",
          pattern: "^[1-9][0-9]*[smhd]$",
        },
      },
    },
    drift: {
      description: "heal: re-apply desired values that drifted (default); report: only record the drift.",
      type: "string",
      enum: ["heal", "report"],
    },
    ignore: {
      description: "Paths never compared nor written (exact, or '*' standing for one path segment, e.g. Device.WiFi.SSID.*.Stats.BytesSent).",
      type: "array",
      items: {
        description: "A parameter path or pattern.",
        type: "string",
        pattern: "^(InternetGatewayDevice|Device)(\\.([A-Za-z_][A-Za-z0-9_-]*|[0-9]+|\\*))*\\.?$",
      },
    },
    rollout: {
      description:
        'How a change of this policy reaches the fleet: "immediate" (every matched device at its next visit), "staged" (the default strategy) or a strategy: { waves, canaryPerModel, soak, gate, window, onFailure, kickOnWave } (docs/rollouts.md). Absent: the configuration\'s rollout.default.',
      type: ["string", "object"],
    },
    reboot: {
      description: "Whether the reconciler may issue a Reboot when a SetParameterValues answers status 1 (applied after reboot).",
      type: "object",
      additionalProperties: false,
      required: ["allow"],
      properties: {
        allow: {
          description: "true: Converge may reboot the device to apply changes. Default false.",
          type: "boolean",
        },
      },
    },
    connectionRequest: {
      description: "Converge's own management of the connection-request credentials on the devices this policy matches.",
      type: "object",
      additionalProperties: false,
      required: ["provision"],
      properties: {
        provision: {
          description:
            "false: Converge does not set ConnectionRequestUsername/Password on these devices (it uses what they report). Default true (when connectionRequest.provisionCredentials is on).",
          type: "boolean",
        },
      },
    },
  },
  $defs: {
    paramPath: {
      description: "A full parameter path under InternetGatewayDevice. (TR-098) or Device. (TR-181), no trailing '.'.",
      type: "string",
      pattern: "^(InternetGatewayDevice|Device)(\\.([A-Za-z_][A-Za-z0-9_-]*|[0-9]+))+$",
    },
    objectPath: {
      description: "A multi-instance table path (without instance number), with or without the trailing '.'.",
      type: "string",
      pattern: "^(InternetGatewayDevice|Device)(\\.([A-Za-z_][A-Za-z0-9_-]*|[0-9]+))+\\.?$",
    },
    scalar: {
      description: "A value: string (templates allowed), integer or boolean.",
      type: ["string", "number", "boolean"],
    },
    value: {
      description: "A desired value: a string (templates like ${device.serialNumber | last(4)} allowed), a number, a boolean, or { value, type, writeOnly }.",
      type: ["string", "number", "boolean", "object"],
      additionalProperties: false,
      required: ["value"],
      properties: {
        value: {
          $ref: "#/$defs/scalar",
        },
        type: {
          description: "Explicit xsd type (the 'xsd:' prefix is optional).",
          type: "string",
          enum: [
            "xsd:string",
            "xsd:int",
            "xsd:unsignedInt",
            "xsd:long",
            "xsd:unsignedLong",
            "xsd:boolean",
            "xsd:dateTime",
            "xsd:base64",
            "xsd:hexBinary",
            "string",
            "int",
            "unsignedInt",
            "long",
            "unsignedLong",
            "boolean",
            "dateTime",
            "base64",
            "hexBinary",
          ],
        },
        writeOnly: {
          description:
            "true: the CPE reads this value back empty (passwords, keys); compare with what was last set. Automatic for names ending in Password, KeyPassphrase, PreSharedKey, WEPKey, Passphrase.",
          type: "boolean",
        },
      },
    },
    stringMatch: {
      description: "A string, or a list of strings (any of); '*' and '?' are globs. Or { pattern: regex }.",
      type: ["string", "array", "object"],
      minItems: 1,
      items: {
        description: "One accepted value or glob.",
        type: "string",
      },
      additionalProperties: false,
      required: ["pattern"],
      properties: {
        pattern: {
          description:
            "A regular expression in RE2 syntax (JavaScript syntax without lookaround or backreferences; linear-time matching), unanchored unless you anchor it.",
          type: "string",
        },
      },
    },
    match: {
      description: "Which devices this policy applies to. All conditions must hold (AND); an empty or absent match selects every device.",
      type: "object",
      additionalProperties: false,
      properties: {
        manufacturer: {
          $ref: "#/$defs/stringMatch",
          description: 'DeviceId Manufacturer (case-insensitive), e.g. "Huawei*".',
        },
        oui: {
          $ref: "#/$defs/stringMatch",
          description: "DeviceId OUI, six hex digits (case-insensitive), e.g. 00259E.",
        },
        productClass: {
          $ref: "#/$defs/stringMatch",
          description: "DeviceId ProductClass, e.g. [EG8145V5, EG8145X6].",
        },
        hardwareVersion: {
          $ref: "#/$defs/stringMatch",
          description: "DeviceInfo.HardwareVersion.",
        },
        softwareVersion: {
          $ref: "#/$defs/stringMatch",
          description:
            'DeviceInfo.SoftwareVersion: exact, glob, or a range of space-separated comparators (>=, >, <=, <, =, !=) such as ">=V5R020C10 <V5R021", compared token by token (never as a float).',
        },
        serialNumber: {
          $ref: "#/$defs/stringMatch",
          description: 'DeviceId SerialNumber, e.g. "4857544*".',
        },
        dataModel: {
          description: "tr098 (InternetGatewayDevice.) or tr181 (Device.). Inferred from the paths the policy sets when absent.",
          type: "string",
          enum: ["tr098", "tr181"],
        },
        tags: {
          description: "Device tags: all must be present, at least one of any, none of none.",
          type: "object",
          additionalProperties: false,
          properties: {
            all: {
              description: "Every one of these tags.",
              type: "array",
              items: {
                description: "A tag.",
                type: "string",
              },
            },
            any: {
              description: "At least one of these tags.",
              type: "array",
              items: {
                description: "A tag.",
                type: "string",
              },
            },
            none: {
              description: "None of these tags.",
              type: "array",
              items: {
                description: "A tag.",
                type: "string",
              },
            },
          },
        },
        parameters: {
          description: "Conditions on reported parameter values, by full path.",
          type: "object",
          propertyNames: {
            $ref: "#/$defs/paramPath",
          },
          additionalProperties: {
            description: "A condition; several keys AND.",
            type: "object",
            additionalProperties: false,
            minProperties: 1,
            properties: {
              equals: {
                $ref: "#/$defs/scalar",
                description: "The reported value equals this (booleans: true = 1).",
              },
              pattern: {
                description: "The reported value matches this regular expression (RE2 syntax, linear-time matching).",
                type: "string",
              },
              in: {
                description: "The reported value is one of these.",
                type: "array",
                items: {
                  $ref: "#/$defs/scalar",
                },
              },
              exists: {
                description: "true: the device reports the parameter; false: it does not.",
                type: "boolean",
              },
            },
          },
        },
      },
    },
    table: {
      description: "Desired instances of one multi-instance table.",
      type: "object",
      additionalProperties: false,
      required: ["key", "instances"],
      properties: {
        key: {
          description: "Parameter names (relative to the instance) whose values identify an instance, e.g. [ExternalPort, PortMappingProtocol].",
          type: "array",
          minItems: 1,
          items: {
            description: "A relative parameter name.",
            type: "string",
            pattern: "^[A-Za-z_][A-Za-z0-9_-]*$",
          },
        },
        prune: {
          description: "true: delete instances of this table that Converge created and no policy declares any more. Default false.",
          type: "boolean",
        },
        instances: {
          description: "The instances, each a map of relative parameter name to value (including the key parameters).",
          type: "array",
          items: {
            description: "One instance: relative parameter name -> value.",
            type: "object",
            propertyNames: {
              description: "A parameter name relative to the instance (may contain '.' for sub-objects).",
              type: "string",
              pattern: "^[A-Za-z_][A-Za-z0-9_-]*(\\.([A-Za-z_][A-Za-z0-9_-]*|[0-9]+))*$",
            },
            additionalProperties: {
              $ref: "#/$defs/value",
            },
          },
        },
      },
    },
    firmware: {
      description: "Pin a firmware version: when DeviceInfo.SoftwareVersion differs, Converge sends a Download (FileType 1).",
      type: "object",
      additionalProperties: false,
      required: ["version"],
      properties: {
        version: {
          description: "The SoftwareVersion the device should run, exactly as it reports it.",
          type: "string",
          minLength: 1,
        },
        url: {
          description: "Where the CPE downloads the image (http, https or ftp), or /files/<name>: a file Converge hosts, on its public URL. Templates allowed.",
          type: "string",
          pattern: "^((https?|ftp)://|/files/)",
        },
        file: {
          description:
            "A file Converge hosts (a path in the files folder, e.g. eg8145v5/V5R020C10S115.bin): the CPE gets <files.publicUrl>/files/<file>, with its real size and SHA-256; validate checks it exists. Instead of url.",
          type: "string",
          minLength: 1,
          maxLength: 512,
          pattern: "^[^/.\\\\][^\\\\]*$",
        },
        fileSize: {
          description: "Image size in bytes (0 = unknown).",
          type: "integer",
          minimum: 0,
        },
        fileType: {
          description: 'Download FileType. Default "1 Firmware Upgrade Image".',
          type: "string",
        },
        username: {
          description: "Username for the file server. Templates allowed (e.g. ${secret.FW_USER}).",
          type: "string",
        },
        password: {
          description: "Password for the file server. Use ${secret.NAME}.",
          type: "string",
        },
        checksum: {
          description: "Expected image checksum, e.g. sha256:<hex>, recorded for operators.",
          type: "string",
        },
      },
    },
  },
} as const;
