/**
 * Policies beyond the examples that the fleet-plan tests (plan-projected, plan-grouped) add: one that matches on a
 * reported value and templates another from it (the projection must learn both paths), and one that matches a tag.
 */
export const PROVISIONING_CODE = "InternetGatewayDevice.DeviceInfo.ProvisioningCode";

export const REGION_AND_VIP_POLICIES: Readonly<Record<string, string>> = {
  "region-tr098.yaml": `name: region-tr098
priority: 40
match:
  dataModel: tr098
  parameters:
    ${PROVISIONING_CODE}: { pattern: "^(north|south)" }
parameters:
  InternetGatewayDevice.Time.NTPServer3: "\${param.${PROVISIONING_CODE} | lower}.ntp.example"
`,
  "vip-tr181.yaml": `name: vip-tr181
priority: 300
match:
  dataModel: tr181
  tags: { any: [vip] }
parameters:
  Device.ManagementServer.PeriodicInformInterval: 600
`,
};
