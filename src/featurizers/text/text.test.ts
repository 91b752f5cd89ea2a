import { test } from "node:test";
import assert from "node:assert/strict";
import { STOP_WORDS, checkTextState, emailText, fitText, textFeatureNames, textFeatures, textTokens, tokenize } from "./index.js";
import { failure } from "../../../test/helpers/errors.js";

const PLAIN = { stopWords: false, bigrams: false };

// Three documents whose document frequencies are 3 (apple), 2 (banana) and 1 (cherry).
const FRUIT = ["apple banana", "Apple cherry", "apple BANANA banana"];

test("tokenize: lower case, maximal runs of unicode letters and digits", () => {
  assert.deepEqual(tokenize("Café, naïve; 42 Ünïcode!", PLAIN), ["café", "naïve", "42", "ünïcode"]);
  // "e" + combining acute accent is the same word as the precomposed "é".
  assert.deepEqual(tokenize("Cafe\u0301", PLAIN), ["café"]);
  assert.deepEqual(tokenize("e-mail x2 ΑΒΓ 日本語", PLAIN), ["e", "mail", "x2", "αβγ", "日本語"]);
  assert.deepEqual(tokenize(" ,;!? ", PLAIN), []);
});

test("tokenize: English stop words are removed only when asked", () => {
  const text = "The cat and the hat were on a mat";
  assert.deepEqual(tokenize(text, { stopWords: true, bigrams: false }), ["cat", "hat", "mat"]);
  assert.equal(tokenize(text, PLAIN).length, 9);
  for (const word of ["the", "and", "of", "is", "you", "were"]) assert.ok(STOP_WORDS.has(word), word);
  for (const word of ["cat", "money", "free", "spam"]) assert.ok(!STOP_WORDS.has(word), word);
});

test("tokenize: bigrams follow the single words and are formed after stop-word removal", () => {
  assert.deepEqual(tokenize("Free money now", { stopWords: false, bigrams: true }), ["free", "money", "now", "free money", "money now"]);
  assert.deepEqual(tokenize("the cat and the hat", { stopWords: true, bigrams: true }), ["cat", "hat", "cat hat"]);
  assert.deepEqual(tokenize("alone", { stopWords: false, bigrams: true }), ["alone"]);
});

test("fitText: min count, max size, order by document frequency with ties alphabetical", () => {
  const documents = ["pear plum kiwi", "plum kiwi fig", "kiwi fig", "zucchini date", "date"];
  // df: kiwi 3, date 2, fig 2, plum 2, pear 1, zucchini 1 (a word twice in one document counts once).
  assert.deepEqual(fitText(documents, { minCount: 2 }).vocabulary, ["kiwi", "date", "fig", "plum"]);
  assert.deepEqual(fitText(documents, { minCount: 1 }).vocabulary, ["kiwi", "date", "fig", "plum", "pear", "zucchini"]);
  assert.deepEqual(fitText(documents, { minCount: 1, maxSize: 3 }).vocabulary, ["kiwi", "date", "fig"]);
  assert.deepEqual(fitText(documents, { minCount: 3 }).vocabulary, ["kiwi"]);
  // Document frequency, not term frequency: "kiwi" three times in one document ties with "fig".
  assert.deepEqual(fitText(["kiwi kiwi kiwi", "fig"], { minCount: 1 }).vocabulary, ["fig", "kiwi"]);
  const withBigrams = fitText(["free money", "free money now"], { minCount: 2, bigrams: true });
  assert.deepEqual(withBigrams.vocabulary, ["free", "free money", "money"]);
  assert.throws(() => fitText(documents, { minCount: 0 }), /minCount must be a positive integer/);
  assert.throws(() => fitText(documents, { maxSize: 1.5 }), /maxSize must be a positive integer/);
});

test("fitText: idf = ln((1 + n) / (1 + df)) + 1, against hand-computed values", () => {
  const state = fitText(FRUIT, { minCount: 1, tfidf: true });
  assert.deepEqual(state.vocabulary, ["apple", "banana", "cherry"]);
  assert.ok(state.idf);
  // n = 3: ln(4/4) + 1 = 1, ln(4/3) + 1 = 1.28768207245178, ln(4/2) + 1 = 1.69314718055995.
  // Computed in float64 on both sides: 1e-12 allows for nothing but the last bits of Math.log.
  const expected = [1, 1.2876820724517808, 1.6931471805599454];
  state.idf.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-12, `idf[${i}] = ${value}, expected ${expected[i]}`));
  assert.equal(fitText(FRUIT, { minCount: 1, tfidf: false }).idf, null);
});

test("textFeatures with tf-idf: tf * idf scaled to unit L2 length; unknown words ignored", () => {
  const state = fitText(FRUIT, { minCount: 1, tfidf: true });
  // tf = [1, 2, 1] -> [1, 2.5753641449, 1.6931471806] / 3.2402532... (hand-computed, float64)
  const expected = [0.30861775372414296, 0.7948030974218354, 0.5225352795887762];
  const row = textFeatures(state, "banana Banana cherry, apple and unknown words durian");
  assert.equal(row.length, 3);
  // The row is float32: 1e-6 is a few float32 rounding steps at values below 1.
  row.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-6, `feature ${i} = ${value}, expected ${expected[i]}`));
  const length = Math.hypot(...row);
  assert.ok(Math.abs(length - 1) < 1e-6, `row length ${length}`);
  assert.deepEqual(Array.from(textFeatures(state, "durian and mango")), [0, 0, 0]);
  assert.deepEqual(Array.from(textFeatures(state, "")), [0, 0, 0]);
});

test("textFeatures with counts: log(1 + count) per term, unknown words ignored", () => {
  const state = fitText(FRUIT, { minCount: 1, tfidf: false });
  assert.equal(state.logCounts, true);
  assert.deepEqual(fitText(FRUIT, { minCount: 1 }), state); // log counts are the default
  const row = textFeatures(state, "apple APPLE cherry durian durian durian");
  // log1p(2) = 1.0986122887, log1p(1) = 0.6931471806; float32 tolerance as above.
  const expected = [Math.log(3), 0, Math.LN2];
  row.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-6, `feature ${i} = ${value}, expected ${expected[i]}`));
  // A state that records plain counts gives plain counts.
  assert.deepEqual(Array.from(textFeatures({ ...state, logCounts: false }, "apple APPLE cherry durian")), [2, 0, 1]);
});

test("textFeatures counts bigrams when the state has them", () => {
  const state = fitText(["free money", "free money now"], { minCount: 2, bigrams: true, tfidf: false });
  const raw = { ...state, logCounts: false };
  assert.deepEqual(Array.from(textFeatures(raw, "free money, free money")), [2, 2, 2]);
  assert.deepEqual(Array.from(textFeatures(raw, "money free")), [1, 0, 1]);
});

test("textFeatureNames and textTokens point into the vocabulary", () => {
  const state = fitText(["the free money", "free the money now"], { minCount: 2, stopWords: true });
  assert.deepEqual(textFeatureNames(state), ["free", "money"]);
  assert.deepEqual(textTokens(state, "The FREE lunch, money!"), [
    { token: "the", index: -1 },
    { token: "free", index: 0 },
    { token: "lunch", index: -1 },
    { token: "money", index: 1 },
  ]);
});

test("an empty vocabulary is a BAD_DATA error that says what was seen and what to do", () => {
  const error = failure(() => fitText(["alpha beta", "gamma"], { minCount: 2 }));
  assert.equal(error.code, "BAD_DATA");
  assert.match(error.message, /2 documents/);
  assert.match(error.message, /3 distinct terms/);
  assert.match(error.message, /--min-count/);
  assert.equal(failure(() => fitText([])).code, "BAD_DATA");
});

test("checkTextState accepts a saved state and rejects broken ones", () => {
  const state = fitText(FRUIT, { minCount: 1 });
  const saved = JSON.parse(JSON.stringify(state)) as unknown;
  assert.deepEqual(checkTextState(saved, "model.safetensors"), state);
  const broken: unknown[] = [
    null,
    "text",
    [],
    { ...state, kind: "image" },
    { ...state, vocabulary: [] },
    { ...state, vocabulary: ["apple", "apple", "cherry"] },
    { ...state, vocabulary: ["apple", 7, "cherry"] },
    { ...state, idf: [1, 2] },
    { ...state, idf: [1, null, 2] },
    { ...state, idf: "none" },
    { ...state, bigrams: "no" },
    { ...state, logCounts: undefined },
  ];
  for (const value of broken) {
    const error = failure(() => checkTextState(value, "model.safetensors"));
    assert.equal(error.code, "BAD_MODEL_FILE");
    assert.match(error.message, /model\.safetensors/);
  }
});

const MULTIPART = [
  "From sender@example.com  Mon Jul  1 10:00:00 2002",
  "Received: from relay.example.com by mail.example.com",
  "From: =?iso-8859-1?Q?Ren=E9?= <rene@example.com>",
  "To: you@example.com",
  "Subject: Your special",
  "  offer",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="outer"',
  "",
  "This is a multi-part message in MIME format.",
  "--outer",
  'Content-Type: multipart/alternative; boundary="inner"',
  "",
  "--inner",
  "Content-Type: text/plain; charset=iso-8859-1",
  "Content-Transfer-Encoding: quoted-printable",
  "",
  "Prix sp=E9cial, one line that is sof=",
  "t-wrapped =3D cheap",
  "--inner",
  "Content-Type: text/html; charset=utf-8",
  "Content-Transfer-Encoding: base64",
  "",
  "PGh0bWw+PGJvZHk+PHA+UHJpeCBzcMOpY2lhbCAmYW1wOyA8Yj5ncmF0dWl0PC9iPjwvcD48c2NyaXB0PnZhciBoaWRkZW4gPSAx",
  "Ozwvc2NyaXB0PjwvYm9keT48L2h0bWw+",
  "--inner--",
  "--outer",
  "Content-Type: image/gif; name=pixel.gif",
  "Content-Transfer-Encoding: base64",
  "",
  "R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==",
  "--outer--",
  "",
].join("\r\n");

test("emailText keeps Subject, From and the decoded text parts of a multipart message", () => {
  const text = emailText(MULTIPART);
  const lines = text.split("\n");
  assert.equal(lines[0], "Your special offer"); // folded header unfolded
  assert.equal(lines[1], "René <rene@example.com>"); // RFC 2047 encoded word decoded
  assert.ok(text.includes("Prix spécial, one line that is soft-wrapped = cheap"), text); // quoted-printable
  assert.ok(text.includes("Prix spécial & gratuit"), text); // base64 UTF-8 HTML, tags and entity handled
  assert.ok(!/<\/?[a-z]+>|hidden|R0lGOD|relay|you@example|multi-part/.test(text), text); // no tags, script, image, other headers, preamble
});

test("emailText reads a message without MIME headers, and never throws on odd input", () => {
  assert.equal(emailText("Subject: hi\n\nplain body\n"), "hi\nplain body");
  assert.equal(emailText("no headers here at all"), "no headers here at all");
  const odd = [
    "",
    "\n\n\n",
    "Content-Type: multipart/mixed\n\nno boundary",
    'Content-Type: multipart/mixed; boundary="x"\n\n--x\n',
    "Content-Transfer-Encoding: base64\n\n@@@!!!",
    "Content-Transfer-Encoding: quoted-printable\n\n=ZZ=\n=4",
    "Content-Type: text/plain; charset=no-such-charset\nContent-Transfer-Encoding: base64\n\nw6k=",
    "Subject: =?bogus?B?###?=\n\n<p unclosed <b &#99999999; &#x41;",
  ];
  for (const raw of odd) assert.equal(typeof emailText(raw), "string");
  assert.equal(emailText("Content-Transfer-Encoding: base64\nContent-Type: text/plain; charset=no-such-charset\n\nw6k="), "é");
});
