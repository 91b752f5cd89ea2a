import { check } from "../errors.js";

/**
 * Learning-rate schedules, evaluated once per epoch (epoch counts from 0):
 * - constant: lr;
 * - step: lr * gamma^floor(epoch / every);
 * - cosine: from lr towards minLr along half a cosine over all epochs (as PyTorch's CosineAnnealingLR).
 */
export type Schedule = { kind: "constant" } | { kind: "step"; every: number; gamma: number } | { kind: "cosine"; minLr?: number };

/** @example learningRate(0.1, { kind: "step", every: 2, gamma: 0.5 }, 3, 10) // 0.05 */
export function learningRate(lr: number, schedule: Schedule, epoch: number, epochs: number): number {
  switch (schedule.kind) {
    case "constant":
      return lr;
    case "step":
      check(schedule.every >= 1, `a step schedule needs every >= 1, got ${schedule.every}`);
      check(schedule.gamma > 0 && Number.isFinite(schedule.gamma), `a step schedule needs a finite gamma > 0, got ${schedule.gamma}`);
      return lr * schedule.gamma ** Math.floor(epoch / schedule.every);
    case "cosine": {
      const minLr = schedule.minLr ?? 0;
      const progress = epoch / Math.max(epochs, 1);
      return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
    }
  }
}
