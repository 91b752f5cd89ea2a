import { isStopWord } from "./stopWords.js";

/** Maximal runs of unicode letters and digits: "naïve" is one word, "42" another, "e-mail" two. */
const WORD = /[\p{L}\p{N}]+/gu;

export interface TokenizeOptions {
  /** Remove English stop words (see stopWords.ts). */
  stopWords: boolean;
  /** Add "a b" for each pair of neighbouring words, after the single words. */
  bigrams: boolean;
}

/**
 * The words of `text`, lower case, in order. The text is first put in Unicode normal form C so
 * that "é" typed as "e" + combining accent is the same word as the precomposed "é" (a combining
 * mark is not a letter and would otherwise split the word in two).
 */
export function words(text: string): string[] {
  return text.normalize("NFC").toLowerCase().match(WORD) ?? [];
}

/**
 * Lower case, then tokens = maximal runs of unicode letters and digits; stop words are removed
 * when asked; bigrams "a b" of the remaining words follow the single words when asked (so a
 * removed stop word makes its neighbours adjacent).
 * @example
 * tokenize("Free money, FREE!", { stopWords: false, bigrams: true })
 * // ["free", "money", "free", "free money", "money free"]
 */
export function tokenize(text: string, options: TokenizeOptions): string[] {
  const unigrams = options.stopWords ? words(text).filter((word) => !isStopWord(word)) : words(text);
  if (!options.bigrams) return unigrams;
  const tokens = unigrams.slice();
  for (let i = 1; i < unigrams.length; i++) tokens.push(`${unigrams[i - 1]} ${unigrams[i]}`);
  return tokens;
}
