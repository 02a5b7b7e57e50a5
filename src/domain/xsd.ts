/** The xsd types CWMP puts on a Value (TR-069 A.2; TR-106 data types). Unknown types are kept as strings. */
export const XSD_TYPES = [
  "xsd:string",
  "xsd:int",
  "xsd:unsignedInt",
  "xsd:long",
  "xsd:unsignedLong",
  "xsd:boolean",
  "xsd:dateTime",
  "xsd:base64",
  "xsd:hexBinary",
] as const;
export type XsdType = (typeof XSD_TYPES)[number];

const BY_LOCAL = new Map<string, XsdType>(XSD_TYPES.map((t) => [t.slice(4).toLowerCase(), t]));

/**
 * Normalises an xsi:type QName as CPEs send it ("xsd:unsignedInt", "xs:boolean", "soap-enc:base64", "string")
 * to our closed vocabulary. Returns undefined for anything else (the caller decides: usually xsd:string).
 */
export function parseXsdType(qname: string | undefined): XsdType | undefined {
  if (qname === undefined) return undefined;
  const t = qname.trim();
  const local = t.includes(":") ? t.slice(t.lastIndexOf(":") + 1) : t;
  return BY_LOCAL.get(local.toLowerCase());
}
