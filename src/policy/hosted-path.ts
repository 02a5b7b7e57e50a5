/**
 * Names of files Converge hosts (pure): a policy's `firmware.file` and the `/files/<name>` URL path it becomes.
 * The I/O side (size, checksum, serving) is src/files/catalog.ts and src/server/files-route.ts.
 */
export const MAX_NAME = 512;
/** The URL path prefix hosted files are served under, on the CWMP listener. */
export const FILES_PREFIX = "/files/";

/** The normalised name (posix separators), or undefined when it could name something outside the folder. */
export function safeName(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_NAME) return undefined;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x5c) return undefined; // control characters, backslash
  }
  if (name.startsWith("/")) return undefined;
  const parts = name.split("/");
  if (parts.some((p) => p === "" || p === "." || p === ".." || p.startsWith("."))) return undefined;
  return parts.join("/");
}

/** `/files/<name>` with each segment percent-encoded. */
export function hostedPath(name: string): string {
  return `${FILES_PREFIX}${name.split("/").map(encodeURIComponent).join("/")}`;
}

/** The hosted name a URL path names (`/files/a%20b.bin` -> `a b.bin`), or undefined. */
export function nameOfPath(urlPath: string): string | undefined {
  if (!urlPath.startsWith(FILES_PREFIX) || urlPath.length > FILES_PREFIX.length + 3 * MAX_NAME) return undefined;
  let decoded: string;
  try {
    decoded = urlPath.slice(FILES_PREFIX.length).split("/").map(decodeURIComponent).join("/");
  } catch {
    return undefined;
  }
  return safeName(decoded);
}
