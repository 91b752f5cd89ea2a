import type { IncomingMessage } from "node:http";
import { GlassboxError } from "../errors.js";
import { describeFeaturizer, featurizeFile, type FeaturizerKind, featurizerOf } from "../featurizers/index.js";
import type { Network } from "../model/network.js";
import { HttpError } from "./respond.js";

/** A request body -> feature rows for the network: a raw file through the model's featurizer, or JSON features. */

export interface RequestInput {
  features: Float32Array; // [rows, network.inputs]
  rows: number;
  /** Something the featurizer adapted (an image resized), or null. */
  note: string | null;
}

/** What a body holds, by its Content-Type or, for application/octet-stream, by its first bytes. */
type BodyKind = "json" | "image" | "sound" | "text" | "unknown";

const BY_TYPE: Record<string, BodyKind> = {
  "application/json": "json",
  "image/png": "image",
  "image/jpeg": "image",
  "audio/wav": "sound",
  "audio/x-wav": "sound",
  "audio/wave": "sound",
  "audio/vnd.wave": "sound",
  "text/plain": "text",
  "text/csv": "text",
  "message/rfc822": "text",
  "application/octet-stream": "unknown",
};

export const ACCEPTED_TYPES = Object.keys(BY_TYPE);

/** "image/png; charset=x" -> "image/png"; no header reads as application/octet-stream. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "application/octet-stream").split(";")[0].trim().toLowerCase();
}

/** PNG, JPEG and RIFF/WAVE by their magic numbers. */
function sniff(bytes: Uint8Array): BodyKind {
  const starts = (prefix: number[], at = 0): boolean => prefix.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image";
  if (starts([0xff, 0xd8, 0xff])) return "image";
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x41, 0x56, 0x45], 8)) return "sound";
  return "unknown";
}

/** Which body kinds a featurizer reads: texts and tables both come as text (a table as CSV). */
function reads(kind: FeaturizerKind): BodyKind {
  return kind === "table" ? "text" : kind;
}

const IN_WORDS: Record<BodyKind, string> = {
  json: "JSON",
  image: "an image (PNG or JPEG)",
  sound: "a sound (WAV)",
  text: "text",
  unknown: "a file of unknown type",
};

/**
 * The features of a request body, the way the model was trained: a file of the kind its
 * featurizer reads, or application/json {"features": number[] | number[][]} (one row, or many).
 */
export function inputFrom(network: Network, type: string, body: Uint8Array): RequestInput {
  let kind = BY_TYPE[type];
  if (kind === undefined) {
    throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", `cannot read a body of type ${type}; send one of ${ACCEPTED_TYPES.join(", ")}`);
  }
  if (body.length === 0) throw new HttpError(400, "BAD_DATA", 'the request body is empty: send the input file, or JSON {"features": [...]}');
  if (kind === "json") return jsonInput(network, body);
  const state = featurizerOf(network);
  if (!state) {
    throw new GlassboxError(
      "BAD_DATA",
      `this model has no featurizer, so it cannot read raw files; send application/json {"features": [...]} with ${network.inputs} numbers per row`,
    );
  }
  if (kind === "unknown") kind = sniff(body);
  // An unrecognised binary goes to an image or sound featurizer, whose decoder says what it found.
  if (kind === "unknown") kind = reads(state.kind);
  if (kind !== reads(state.kind)) {
    throw new GlassboxError("BAD_DATA", `this model reads ${IN_WORDS[reads(state.kind)]} (${describeFeaturizer(state)}); the request body is ${IN_WORDS[kind]}`);
  }
  const featurized = featurizeFile(state, body, "the request body", network.about.labelColumn ?? null);
  if (featurized.rows === 0) throw new GlassboxError("BAD_DATA", "the request body holds no rows: expected a header line and at least one row");
  return { features: featurized.features, rows: featurized.rows, note: featurized.note };
}

function jsonInput(network: Network, body: Uint8Array): RequestInput {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch (error) {
    throw new GlassboxError("BAD_DATA", `the request body is not valid JSON: ${(error as Error).message}`);
  }
  const given = (parsed as { features?: unknown } | null)?.features;
  const expected = `expected JSON {"features": [...]} with one row of ${network.inputs} numbers, or a list of such rows`;
  if (!Array.isArray(given) || given.length === 0) throw new GlassboxError("BAD_DATA", expected);
  const rows = (Array.isArray(given[0]) ? given : [given]) as unknown[];
  const features = new Float32Array(rows.length * network.inputs);
  rows.forEach((row, r) => {
    if (!Array.isArray(row)) throw new GlassboxError("BAD_DATA", `${expected}; row ${r} is not a list`);
    if (row.length !== network.inputs) {
      throw new GlassboxError("SHAPE_MISMATCH", `expected ${network.inputs} features per row, got ${row.length} in row ${r}`);
    }
    row.forEach((value, j) => {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new GlassboxError("BAD_DATA", `row ${r}, feature ${j}: expected a finite number, got ${JSON.stringify(value)}`);
      }
      features[r * network.inputs + j] = value;
    });
  });
  return { features, rows: rows.length, note: null };
}
