/** Numbers in words for people: "1 epoch", "2 epochs", "2000 rows". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}
