/**
 * English function words: articles, pronouns, auxiliary and modal verbs, prepositions,
 * conjunctions and a few very common adverbs. They say little about what a text is about, so
 * the text featurizer can drop them (`stopWords: true`) to leave room in the vocabulary for
 * words that do. Written for Glassbox, in lower case; contractions are absent on purpose: the
 * tokenizer splits "don't" into "don" and "t", and both single pieces are listed instead.
 */
const WORDS = `
a an the
i me my mine myself we us our ours ourselves
you your yours yourself yourselves
he him his himself she her hers herself it its itself
they them their theirs themselves
this that these those
who whom whose which what
am is are was were be been being
have has had having do does did doing done
will would shall should can could may might must ought
and or but nor so yet if then else than because as
while until unless although though whether
of at by for with without about against between among into onto
through during before after above below to from up down in out
on off over under again further once
here there when where why how
all any both each either neither few more most other some such
no not only own same too very just also
s t d ll m re ve don doesn didn isn aren wasn weren hasn haven hadn
won wouldn shan shouldn cannot couldn mustn needn
`;

/** The stop words, for `has` look-ups. */
export const STOP_WORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter((word) => word.length > 0));

/** True when `word` (lower case) is an English stop word. */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}
