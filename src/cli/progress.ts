import cliProgress from "cli-progress";
import type { Progress } from "../data/load.js";
import type { BatchEvent, EpochEvent } from "../train/options.js";
import { seconds } from "./format.js";

/**
 * A progress bar per epoch on stderr (loss, accuracy, samples/s, time left) when stderr is a
 * terminal, and one summary line per epoch in any case.
 */
export class EpochProgress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly interactive = Boolean(process.stderr.isTTY);
  private lossSum = 0;
  private lossCount = 0;

  onBatch = (e: BatchEvent): void => {
    if (!this.interactive) return;
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          format: `epoch ${e.epoch} [{bar}] {percentage}% | loss {loss} | accuracy {accuracy} | {rate} samples/s | {left} left`,
          barsize: 24,
          hideCursor: null,
          clearOnComplete: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(e.steps, 0, { loss: "-", accuracy: "-", rate: "-", left: "-" });
      this.lossSum = 0;
      this.lossCount = 0;
    }
    this.lossSum += e.loss;
    this.lossCount++;
    const rate = e.samples / Math.max(e.seconds, 1e-9);
    const left = (e.seconds / e.step) * (e.steps - e.step);
    const accuracy = Number.isNaN(e.accuracy) ? "-" : `${(e.accuracy * 100).toFixed(1)}%`;
    this.bar.update(e.step, { loss: (this.lossSum / this.lossCount).toFixed(4), accuracy, rate: Math.round(rate), left: seconds(left) });
  };

  onEpoch = (e: EpochEvent): void => {
    this.bar?.stop();
    this.bar = null;
    const parts = [
      `epoch ${e.epoch}/${e.epochs}`,
      `loss ${e.loss.toFixed(4)}`,
      Number.isNaN(e.accuracy) ? null : `accuracy ${(e.accuracy * 100).toFixed(1)}%`,
      e.validationLoss === null ? null : `validation loss ${e.validationLoss.toFixed(4)}`,
      e.validationAccuracy === null ? null : `validation accuracy ${(e.validationAccuracy * 100).toFixed(1)}%`,
      `${Math.round(e.samplesPerSecond)} samples/s`,
      seconds(e.seconds),
    ];
    process.stderr.write(`${parts.filter((p) => p !== null).join(" | ")}\n`);
  };

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/**
 * A progress bar for reading a folder's files (files done, time left) on stderr when it is a
 * terminal; nothing otherwise. Returns the callback the loaders take.
 */
export function fileProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return () => {};
  let bar: cliProgress.SingleBar | null = null;
  const started = performance.now();
  return (done, total) => {
    if (!bar) {
      if (done >= total) return; // a small folder: done before the first report
      bar = new cliProgress.SingleBar(
        { format: "reading files [{bar}] {value}/{total} | {left} left", barsize: 24, hideCursor: null, clearOnComplete: true, stream },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, done, { left: "-" });
    }
    const elapsed = (performance.now() - started) / 1000;
    bar.update(done, { left: done > 0 ? seconds((elapsed / done) * (total - done)) : "-" });
    if (done >= total) bar.stop();
  };
}
