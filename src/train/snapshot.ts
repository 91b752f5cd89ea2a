import type { Network } from "../model/network.js";
import type { Tensor } from "../tensor/tensor.js";

/** A copy of every parameter of a network, kept on its backend, to come back to (early stopping keeps the best). */
export type Snapshot = Tensor[];

export function snapshot(network: Network, into?: Snapshot): Snapshot {
  const params = network.params();
  const copies = into ?? params.map((p) => network.backend.tensor(p.value.shape));
  params.forEach((p, i) => network.backend.copy(p.value, copies[i]));
  return copies;
}

export function restore(network: Network, saved: Snapshot): void {
  network.params().forEach((p, i) => network.backend.copy(saved[i], p.value));
}
