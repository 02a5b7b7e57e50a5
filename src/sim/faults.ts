/** CPE fault responses (TR-069 A.5.1), built as values. */
import type { CpeMessage, SetParameterValuesFault } from "../cwmp/types.js";
import { CPE_FAULT } from "../domain/faults.js";

const FAULT_STRINGS: Readonly<Record<number, string>> = {
  [CPE_FAULT.METHOD_NOT_SUPPORTED]: "Method not supported",
  [CPE_FAULT.REQUEST_DENIED]: "Request denied",
  [CPE_FAULT.INTERNAL_ERROR]: "Internal error",
  [CPE_FAULT.INVALID_ARGUMENTS]: "Invalid arguments",
  [CPE_FAULT.RESOURCES_EXCEEDED]: "Resources exceeded",
  [CPE_FAULT.INVALID_PARAMETER_NAME]: "Invalid parameter name",
  [CPE_FAULT.INVALID_PARAMETER_TYPE]: "Invalid parameter type",
  [CPE_FAULT.INVALID_PARAMETER_VALUE]: "Invalid parameter value",
  [CPE_FAULT.NON_WRITABLE_PARAMETER]: "Attempt to set a non-writable parameter",
  [CPE_FAULT.NOTIFICATION_REJECTED]: "Notification request rejected",
  [CPE_FAULT.DOWNLOAD_FAILURE]: "Download failure",
  [CPE_FAULT.UPLOAD_FAILURE]: "Upload failure",
};

/** The standard text for a CPE fault code. */
export function faultString(code: number): string {
  return FAULT_STRINGS[code] ?? "Vendor fault";
}

/** A SOAP Fault carrying a cwmp:Fault; "Server" for the CPE's own trouble (9002, 9004), else "Client". */
export function cpeFault(code: number, detail: readonly SetParameterValuesFault[] = [], message = faultString(code)): CpeMessage {
  const server = code === CPE_FAULT.INTERNAL_ERROR || code === CPE_FAULT.RESOURCES_EXCEEDED;
  return {
    method: "Fault",
    fault: { faultCode: server ? "Server" : "Client", faultString: "CWMP fault", code, message, setParameterValuesFaults: detail },
  };
}

/** One SetParameterValuesFault entry. */
export function spvFault(name: string, code: number): SetParameterValuesFault {
  return { name, code, string: faultString(code) };
}
