/**
 * The readable text of an e-mail file (RFC 822 / MIME), for the text featurizer: the Subject and
 * From header values, then the text parts of the body, decoded (quoted-printable, base64,
 * charset) and with HTML tags removed. Attachments that are not text are skipped.
 *
 * Deliberately simple: real mail is often malformed, so every step falls back to the text it
 * has rather than failing, and emailText never throws.
 */

/** Nested multiparts deeper than this are read as plain text (guards against hostile input). */
const MAX_DEPTH = 8;

interface Part {
  headers: Map<string, string>; // lower-case name -> unfolded value (first occurrence)
  body: string;
}

/**
 * @example
 * emailText("Subject: Hello\nFrom: Ann <ann@example.com>\n\n<p>Hi &amp; bye</p>\n")
 * // "Hello\nAnn <ann@example.com>\nHi & bye"
 */
export function emailText(raw: string): string {
  try {
    const message = parsePart(String(raw).replace(/\r\n?/g, "\n"));
    const header = (name: string): string => decodeEncodedWords(message.headers.get(name) ?? "");
    return [header("subject"), header("from"), bodyText(message, 0)].filter((s) => s.length > 0).join("\n");
  } catch {
    return typeof raw === "string" ? raw : "";
  }
}

/** Splits headers from body at the first empty line. Text without a header block is all body. */
function parsePart(text: string): Part {
  const headers = new Map<string, string>();
  const lines = text.split("\n");
  let i = 0;
  // An mbox file starts with an envelope line "From sender date", which is not a header.
  if (lines[0]?.startsWith("From ")) i = 1;
  let current: string | null = null;
  const first = i;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      break;
    }
    if (/^[ \t]/.test(line) && current !== null) {
      headers.set(current, `${headers.get(current)} ${line.trim()}`);
      continue;
    }
    const match = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (!match) {
      // Not a header: the part has no header block (or a broken one); treat it all as body.
      if (i === first) return { headers: new Map(), body: lines.slice(first).join("\n") };
      current = null;
      continue;
    }
    current = match[1].toLowerCase();
    if (headers.has(current))
      current = null; // keep the first Subject/From/Content-Type
    else headers.set(current, match[2].trim());
  }
  return { headers, body: lines.slice(i).join("\n") };
}

/** The readable text of a part: multiparts recursively, text parts decoded, others skipped. */
function bodyText(part: Part, depth: number): string {
  const declared = part.headers.get("content-type");
  const type = contentType(declared ?? "text/plain");
  // A part without Content-Type (or a multipart without boundary) whose body still has MIME
  // delimiter lines is read as the multipart it is: broken mailers send such messages.
  const guessed = !declared || (type.mime.startsWith("multipart/") && !type.params.has("boundary")) ? guessBoundary(part.body) : null;
  if ((type.mime.startsWith("multipart/") || guessed) && depth < MAX_DEPTH) {
    const boundary = type.params.get("boundary") ?? guessed;
    const pieces = boundary ? splitMultipart(part.body, boundary) : null;
    if (pieces && pieces.length > 0) {
      return pieces
        .map((piece) => bodyText(parsePart(piece), depth + 1))
        .filter((s) => s.length > 0)
        .join("\n");
    }
    return cleanText(part.body, looksLikeHtml(part.body)); // no boundary found: read it as it is
  }
  if (type.mime === "message/rfc822" && depth < MAX_DEPTH) {
    const inner = parsePart(part.body);
    const subject = decodeEncodedWords(inner.headers.get("subject") ?? "");
    return [subject, bodyText(inner, depth + 1)].filter((s) => s.length > 0).join("\n");
  }
  if (!type.mime.startsWith("text/") && !type.mime.startsWith("multipart/")) return "";
  const encoding = (part.headers.get("content-transfer-encoding") ?? "").trim().toLowerCase();
  const charset = type.params.get("charset") ?? "";
  let text: string;
  if (encoding === "base64") text = decodeBytes(base64Bytes(part.body), charset);
  else if (encoding === "quoted-printable") text = decodeBytes(quotedPrintableBytes(part.body), charset);
  else text = recodeUtf8(part.body, charset);
  return cleanText(text, type.mime === "text/html" || looksLikeHtml(text));
}

/** "text/html; charset=\"utf-8\"" -> { mime: "text/html", params: { charset: "utf-8" } } */
function contentType(value: string): { mime: string; params: Map<string, string> } {
  const [mime, ...rest] = value.split(";");
  const params = new Map<string, string>();
  for (const item of rest) {
    const equals = item.indexOf("=");
    if (equals < 0) continue;
    const name = item.slice(0, equals).trim().toLowerCase();
    const raw = item.slice(equals + 1).trim();
    params.set(name, raw.replace(/^"(.*)"$/s, "$1"));
  }
  return { mime: mime.trim().toLowerCase(), params };
}

/** "X" when a line "--X" is directly followed by a "Content-...:" header line, else null. */
function guessBoundary(body: string): string | null {
  const match = /^--(\S[^\n]{0,69})\n(?=content-[a-z-]+:)/im.exec(body);
  return match ? match[1].trimEnd() : null;
}

/** The parts between "--boundary" lines, up to "--boundary--"; null when the boundary never occurs. */
function splitMultipart(body: string, boundary: string): string[] | null {
  const open = `--${boundary}`;
  const pieces: string[] = [];
  let current: string[] | null = null;
  let found = false;
  for (const line of body.split("\n")) {
    const trimmed = line.trimEnd();
    if (trimmed === open || trimmed === `${open}--`) {
      found = true;
      if (current) pieces.push(current.join("\n"));
      current = trimmed === open ? [] : null;
      if (trimmed !== open) break;
    } else if (current) {
      current.push(line);
    }
  }
  if (current) pieces.push(current.join("\n")); // a last part without its closing line
  return found ? pieces : null;
}

/** Lenient base64: characters outside the alphabet are skipped, a short tail is ignored. */
function base64Bytes(text: string): Uint8Array {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let length = 0;
  let bits = 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const value = alphabet.indexOf(text[i]);
    if (value < 0) {
      if (text[i] === "=") break; // padding: the data ends here
      continue;
    }
    bits = (bits << 6) | value;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[length++] = (bits >> count) & 0xff;
      bits &= (1 << count) - 1;
    }
  }
  return out.subarray(0, length);
}

/** "=3D" -> byte 0x3d, "=" at a line end joins the lines (soft break); anything odd is kept. */
function quotedPrintableBytes(text: string): Uint8Array {
  const bytes = textBytes(text.replace(/[ \t]*=\n/g, ""));
  const out = new Uint8Array(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x3d && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
      out[length++] = parseInt(String.fromCharCode(bytes[i + 1], bytes[i + 2]), 16);
      i += 2;
    } else {
      out[length++] = bytes[i];
    }
  }
  return out.subarray(0, length);
}

function isHex(byte: number | undefined): boolean {
  return byte !== undefined && ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66));
}

/**
 * A string as bytes: characters up to U+00FF are taken as the bytes they stand for (the file was
 * read as latin1, or is ASCII); anything above is encoded as UTF-8.
 */
function textBytes(text: string): Uint8Array {
  let simple = true;
  for (let i = 0; i < text.length && simple; i++) if (text.charCodeAt(i) > 0xff) simple = false;
  if (!simple) {
    const parts: Uint8Array[] = [];
    const encoder = new TextEncoder();
    for (const char of text) parts.push(char.charCodeAt(0) <= 0xff ? Uint8Array.of(char.charCodeAt(0)) : encoder.encode(char));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Bytes in the part's charset; an unknown or missing charset reads as UTF-8 when valid, else windows-1252. */
function decodeBytes(bytes: Uint8Array, charset: string): string {
  const label = charset.trim().toLowerCase();
  if (label && label !== "utf-8" && label !== "utf8" && label !== "us-ascii") {
    try {
      return new TextDecoder(label).decode(bytes);
    } catch {
      // an unknown label: fall through to the guesses below
    }
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

/**
 * An unencoded part declared UTF-8 but read byte by byte (latin1) shows "Ã©" for "é": decode
 * its bytes as UTF-8 when they are valid UTF-8. Anything else is returned as it is.
 */
function recodeUtf8(text: string, charset: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is for bytes 0x00-0xff, control bytes included
  if (!/^utf-?8$/i.test(charset.trim()) || !/[\x80-\xff]/.test(text) || /[^\x00-\xff]/.test(text)) return text;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(textBytes(text));
  } catch {
    return text;
  }
}

/** RFC 2047 words in headers: "=?iso-8859-1?Q?Caf=E9?=" -> "Café". */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?") // the space between two encoded words is not part of the text
    .replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (_whole, charset: string, kind: string, data: string) => {
      const bytes = kind.toLowerCase() === "b" ? base64Bytes(data) : quotedPrintableBytes(data.replace(/_/g, " "));
      return decodeBytes(bytes, charset.replace(/\*.*$/, ""));
    });
}

function looksLikeHtml(text: string): boolean {
  return /<(html|body|p|div|br|table|font|a\s)[\s>/]/i.test(text);
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** HTML to text: scripts, styles, comments and tags removed, common entities decoded. */
function cleanText(text: string, html: boolean): string {
  if (!html) return text.trim();
  return text
    .replace(/<!--[\s\S]*?(-->|$)/g, " ")
    .replace(/<(script|style)\b[\s\S]*?(<\/\1\s*>|$)/gi, " ")
    .replace(/<[^<>]*>/g, " ")
    .replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === "#") {
        const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : " ";
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/[ \t]+/g, " ")
    .replace(/\s*\n\s*/g, "\n")
    .trim();
}
