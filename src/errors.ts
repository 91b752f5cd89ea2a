/**
 * Every error Glassbox raises on purpose is a GlassboxError with a stable `code`.
 * The message says what was expected, what was found and, where it helps, what to do.
 */
export type ErrorCode =
  | "BAD_ARGUMENT" // an option or argument out of range or of the wrong kind
  | "BAD_DATA" // a dataset row, column or value that cannot be used
  | "FILE_NOT_FOUND" // a path that does not exist
  | "BAD_MODEL_FILE" // a model file that is truncated, of an unknown version or not a model
  | "SHAPE_MISMATCH" // features per row differ from what the model expects
  | "UNKNOWN_LABEL" // a label the model was not trained on
  | "CANNOT_WRITE" // an output file that could not be written
  | "NON_FINITE"; // training produced NaN or infinity

export class GlassboxError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "GlassboxError";
    this.code = code;
  }
}

/** Throws a BAD_ARGUMENT error unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new GlassboxError("BAD_ARGUMENT", message);
}
