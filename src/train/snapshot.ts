import type { Network } from "../model/network.js";
import type { FloatArray } from "../tensor/matrix.js";

/** A copy of every parameter of a network, to come back to (early stopping keeps the best). */
export type Snapshot = FloatArray[];

export function snapshot(network: Network): Snapshot {
  return network.params().map((p) => network.backend.read(p.value));
}

export function restore(network: Network, saved: Snapshot): void {
  network.params().forEach((p, i) => network.backend.write(p.value, saved[i]));
}
