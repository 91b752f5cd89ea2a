// What both pages of bench:webgpu read from the bench's server: the network to train, and the rows
// (bytes, 0..255, row-major height x width x channels) with their labels.

export interface Setup {
  net: "mlp" | "cnn_fmnist" | "cnn_cifar";
  /** Height, width, channels of one image. */
  shape: [number, number, number];
  classes: number;
  /** Rows trained in the warm-up pass (compiles the shaders), then all rows once in the timed pass. */
  warmup: number;
}

export interface PageResult {
  adapter: string;
  /** Seconds of the timed pass: one epoch of every served row, batch 64, ending with a read of the loss. */
  seconds: number;
  batches: number;
  /** The mean training loss of the timed epoch, for a sanity check (both libraries learn). */
  loss: number;
}

export interface BenchWindow {
  result?: PageResult | { error: string };
}

export async function served(): Promise<{ setup: Setup; x: Uint8Array; y: Uint8Array }> {
  const bytes = async (path: string): Promise<Uint8Array> => new Uint8Array(await (await fetch(path)).arrayBuffer());
  const [setup, x, y] = await Promise.all([fetch("/setup.json").then((r) => r.json() as Promise<Setup>), bytes("/x.bin"), bytes("/y.bin")]);
  return { setup, x, y };
}

/** Runs `work` and leaves its result (or its error) on the window, where the bench waits for it. */
export async function report(work: () => Promise<PageResult>): Promise<void> {
  const target = window as unknown as BenchWindow;
  try {
    target.result = await work();
  } catch (error) {
    target.result = { error: String((error as Error).stack ?? error) };
  }
}
