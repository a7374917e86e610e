/** Standard base64 of bytes (JSR's @std/encoding is out of reach; btoa takes latin1). */
export function encodeBase64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}
