/**
 * The text featurizer: a text becomes one number per vocabulary term (a "bag of words"), the
 * vocabulary being learnt from the training documents. Pure code, no Node-only API: the web
 * app featurizes with the very same functions.
 */
import { GlassboxError, check } from "../../errors.js";
import { tokenize, words } from "./tokenize.js";
import { isStopWord } from "./stopWords.js";

export { tokenize, type TokenizeOptions } from "./tokenize.js";
export { STOP_WORDS, isStopWord } from "./stopWords.js";
export { emailText } from "./email.js";

/** Fitted state, saved as JSON inside the model file. */
export interface TextState {
  kind: "text";
  /** The terms, most frequent first (by the number of training documents they appear in). */
  vocabulary: string[];
  /** Inverse document frequency per term when the features are tf-idf, else null (counts). */
  idf: number[] | null;
  bigrams: boolean;
  stopWords: boolean;
  /**
   * Counts (idf null) are log-scaled, log(1 + count), before the network sees them; recorded here
   * so that prediction scales exactly as training did. Measured on the SpamAssassin check
   * (examples/spam-assassin, 3 seeds): accuracy does not decide it (log and plain counts within
   * one e-mail in 1209 with a hidden layer, 0.9785 vs 0.9807 without). Range does: plain counts
   * of one word reach 3131 in a single e-mail there (1% of e-mails have a count over 119, the
   * median e-mail's largest is 8), so one repeated word would swamp the first layer and any
   * gradient x input explanation; log1p keeps every input within 0..~8 and still separates
   * "absent", "once" and "many times". fitText sets it for counts; tf-idf rows ignore it.
   */
  logCounts: boolean;
}

/** Options of fitText; every field has a default. */
export interface TextOptions {
  /** A term must appear in at least this many training documents. Default 2 (drops typos and one-off ids). */
  minCount?: number;
  /** Keep at most this many terms, the most frequent by document frequency. Default 20000. */
  maxSize?: number;
  /**
   * Tf-idf features scaled to unit L2 length instead of log-scaled counts. Default false: on the
   * SpamAssassin check log counts were as accurate or better with every network tried (hidden
   * 64: 0.9917 against 0.9879), and they also work without a hidden layer (0.9785), where
   * unit-length rows are such small inputs that 5 epochs at lr 0.001 reach only 0.846.
   */
  tfidf?: boolean;
  /**
   * Also count pairs of neighbouring words ("click here") as terms. Default false: on the
   * SpamAssassin check they gained one or two e-mails in 1209 (0.9934 against 0.9917), for 8x
   * as many distinct terms to count and 3.5x the fitting time, and an explanation can no longer
   * point at single words for those features.
   */
  bigrams?: boolean;
  /**
   * Remove English stop words ("the", "of", "and"...). Default false: removing them did not help
   * on the SpamAssassin check (0.9909 against 0.9917), and the list only knows English.
   */
  stopWords?: boolean;
}

const DEFAULTS = { minCount: 2, maxSize: 20000, tfidf: false, bigrams: false, stopWords: false };

/**
 * Learns the vocabulary from the training documents: the terms found in at least `minCount`
 * documents, at most `maxSize` of them, the most frequent by document frequency first (ties in
 * alphabetical order, by UTF-16 code units, the same everywhere). With tf-idf each term also
 * gets idf = ln((1 + n) / (1 + df)) + 1, where n is the number of documents and df the number
 * that contain the term.
 * @example
 * const state = fitText(["free money", "free time", "money talks"], { minCount: 2 });
 * state.vocabulary // ["free", "money"]
 */
export function fitText(documents: string[], options: TextOptions = {}): TextState {
  const minCount = options.minCount ?? DEFAULTS.minCount;
  const maxSize = options.maxSize ?? DEFAULTS.maxSize;
  const tfidf = options.tfidf ?? DEFAULTS.tfidf;
  const bigrams = options.bigrams ?? DEFAULTS.bigrams;
  const stopWords = options.stopWords ?? DEFAULTS.stopWords;
  check(Number.isInteger(minCount) && minCount >= 1, `minCount must be a positive integer, got ${minCount}`);
  check(Number.isInteger(maxSize) && maxSize >= 1, `maxSize must be a positive integer, got ${maxSize}`);

  const documentFrequency = new Map<string, number>();
  for (const document of documents) {
    for (const term of new Set(tokenize(document, { stopWords, bigrams }))) {
      documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    }
  }
  const kept: [string, number][] = [];
  for (const entry of documentFrequency) if (entry[1] >= minCount) kept.push(entry);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (kept.length > maxSize) kept.length = maxSize;
  if (kept.length === 0) {
    throw new GlassboxError(
      "BAD_DATA",
      `the text vocabulary is empty: no term appears in at least ${minCount} of the ${documents.length} documents ` +
        `(${documentFrequency.size} distinct terms seen); lower --min-count or add more documents`,
    );
  }
  const n = documents.length;
  return {
    kind: "text",
    vocabulary: kept.map(([term]) => term),
    idf: tfidf ? kept.map(([, df]) => Math.log((1 + n) / (1 + df)) + 1) : null,
    bigrams,
    stopWords,
    logCounts: !tfidf,
  };
}

/**
 * One number per vocabulary term. Counts: how often the term occurs, as log(1 + count) when
 * `state.logCounts`. Tf-idf: count * idf, then the row scaled to unit L2 length. Words not in
 * the vocabulary are ignored; a text with no known word gives a row of zeros.
 * @example
 * textFeatures(fitText(["free money", "free time", "money talks"]), "Free FREE money!")
 * // Float32Array [log(3), log(2)] = [1.0986, 0.6931]
 */
export function textFeatures(state: TextState, text: string): Float32Array {
  const index = termIndex(state);
  const row = new Float32Array(state.vocabulary.length);
  const counts = new Float64Array(state.vocabulary.length);
  const seen: number[] = [];
  for (const token of tokenize(text, state)) {
    const i = index.get(token);
    if (i === undefined) continue;
    if (counts[i] === 0) seen.push(i);
    counts[i]++;
  }
  if (state.idf) {
    let sumSquares = 0;
    for (const i of seen) {
      counts[i] *= state.idf[i];
      sumSquares += counts[i] * counts[i];
    }
    const scale = sumSquares > 0 ? 1 / Math.sqrt(sumSquares) : 0;
    for (const i of seen) row[i] = counts[i] * scale;
  } else {
    for (const i of seen) row[i] = state.logCounts ? Math.log1p(counts[i]) : counts[i];
  }
  return row;
}

/** The name of each feature: its term ("money", or "click here" with bigrams). */
export function textFeatureNames(state: TextState): string[] {
  return state.vocabulary.slice();
}

/**
 * The words of `text` in order (lower case, stop words included) with their vocabulary index,
 * or -1 for a word the model does not know or ignores, for highlighting explanations.
 * @example textTokens(state, "Free money!") // [{ token: "free", index: 0 }, { token: "money", index: 1 }]
 */
export function textTokens(state: TextState, text: string): { token: string; index: number }[] {
  const index = termIndex(state);
  return words(text).map((token) => ({
    token,
    index: state.stopWords && isStopWord(token) ? -1 : (index.get(token) ?? -1),
  }));
}

/**
 * Checks a text state read from a model file, field by field, and returns it typed.
 * Throws BAD_MODEL_FILE naming `source` and the broken field.
 */
export function checkTextState(state: unknown, source: string): TextState {
  const fail = (what: string): never => {
    throw new GlassboxError("BAD_MODEL_FILE", `${source}: the text featurizer state ${what}; the file is damaged or was not written by Glassbox`);
  };
  if (typeof state !== "object" || state === null || Array.isArray(state)) return fail("is not an object");
  const s = state as Record<string, unknown>;
  if (s.kind !== "text") fail(`has kind ${JSON.stringify(s.kind)}, expected "text"`);
  const vocabulary = s.vocabulary;
  if (!Array.isArray(vocabulary) || vocabulary.length === 0) return fail("has no vocabulary (expected a non-empty list of terms)");
  const unique = new Set<string>();
  vocabulary.forEach((term, i) => {
    if (typeof term !== "string" || term.length === 0) fail(`has a vocabulary entry ${i} that is not a word: ${JSON.stringify(term)}`);
    if (unique.has(term)) fail(`lists the term "${term}" twice in its vocabulary`);
    unique.add(term);
  });
  const idf = s.idf;
  if (idf !== null) {
    if (!Array.isArray(idf)) return fail("has idf that is neither null nor a list of numbers");
    if (idf.length !== vocabulary.length) fail(`has ${idf.length} idf values for ${vocabulary.length} terms`);
    idf.forEach((value, i) => {
      if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) fail(`has idf ${JSON.stringify(value)} for term ${i}, expected a positive number`);
    });
  }
  for (const flag of ["bigrams", "stopWords", "logCounts"]) {
    if (typeof s[flag] !== "boolean") fail(`has ${flag} = ${JSON.stringify(s[flag])}, expected true or false`);
  }
  return state as TextState;
}

/** term -> index, built once per vocabulary (featurizing thousands of texts reuses it). */
const INDEXES = new WeakMap<string[], Map<string, number>>();

function termIndex(state: TextState): Map<string, number> {
  let index = INDEXES.get(state.vocabulary);
  if (!index || index.size !== state.vocabulary.length) {
    index = new Map(state.vocabulary.map((term, i) => [term, i]));
    INDEXES.set(state.vocabulary, index);
  }
  return index;
}
