import { GlassboxError, check } from "../errors.js";

/**
 * The "players" of occlusion and shap: sets of features that are kept or removed together.
 * shap uses a partition (the user's groups, then every other feature on its own); occlusion uses
 * windows, which may overlap.
 */
export interface Players {
  /** Feature indices of each player. */
  members: Int32Array[];
  /** The first `groups` players are the user's groups: their values become Explanation.groupAttributions. */
  groups: number;
  /** Whether the input is an image: then group values are spread over their pixels too. */
  image: boolean;
}

/** The user's groups (checked: in range, no feature twice), then each remaining feature alone. */
export function playersFromGroups(groups: number[][], features: number, image: boolean): Players {
  const owner = new Int32Array(features).fill(-1);
  const members: Int32Array[] = groups.map((group, g) => {
    check(Array.isArray(group) && group.length > 0, `groups[${g}] must be a non-empty list of feature indices`);
    for (const j of group) {
      check(Number.isInteger(j) && j >= 0 && j < features, `groups[${g}] holds ${j}; feature indices run from 0 to ${features - 1}`);
      if (owner[j] >= 0) {
        throw new GlassboxError("BAD_ARGUMENT", `feature ${j} is in groups[${owner[j]}] and groups[${g}]; a feature may belong to one group only`);
      }
      owner[j] = g;
    }
    return Int32Array.from(group);
  });
  for (let j = 0; j < features; j++) if (owner[j] < 0) members.push(Int32Array.of(j));
  return { members, groups: groups.length, image };
}

/**
 * Occlusion windows: on an input of shape [height, width, channels] (an image, channels interleaved), squares of
 * window x window pixels (all channels) every `stride` pixels; on any other row, runs of `window`
 * consecutive features every `stride`. The last window of a row or column is moved to touch the
 * edge, so with stride <= window every feature is covered.
 */
export function occlusionWindows(shape: readonly number[], window: number, stride: number): Players {
  const members: Int32Array[] = [];
  const features = shape.reduce((a, b) => a * b, 1);
  if (isImageShape(shape)) {
    const [height, width, channels] = shape;
    for (const top of windowStarts(height, window, stride)) {
      for (const left of windowStarts(width, window, stride)) {
        const cells: number[] = [];
        for (let y = top; y < Math.min(height, top + window); y++) {
          for (let x = left; x < Math.min(width, left + window); x++) {
            for (let c = 0; c < channels; c++) cells.push((y * width + x) * channels + c);
          }
        }
        members.push(Int32Array.from(cells));
      }
    }
    return { members, groups: 0, image: true };
  }
  for (const start of windowStarts(features, window, stride)) {
    const end = Math.min(features, start + window);
    members.push(Int32Array.from({ length: end - start }, (_, k) => start + k));
  }
  return { members, groups: 0, image: false };
}

/** Whether an input of this shape is an image: [height, width, channels]. */
export function isImageShape(shape: readonly number[]): boolean {
  return shape.length === 3;
}

/** 0, stride, 2 stride... while a whole window fits, plus one window flush with the end. */
function windowStarts(size: number, window: number, stride: number): number[] {
  if (window >= size) return [0];
  const starts: number[] = [];
  for (let s = 0; s + window <= size; s += stride) starts.push(s);
  if (starts[starts.length - 1] + window < size) starts.push(size - window);
  return starts;
}

/**
 * Player values -> one value per feature: each player's value divided equally among its
 * features, averaged over the players that cover a feature (overlapping windows). The user's
 * groups are spread only on images; on other inputs their features get 0 (see Explanation).
 * values: [players] -> [features]
 */
export function spreadToFeatures(players: Players, values: ArrayLike<number>, features: number): Float64Array {
  const sum = new Float64Array(features);
  const cover = new Int32Array(features);
  players.members.forEach((cells, p) => {
    if (p < players.groups && !players.image) return;
    const share = values[p] / cells.length;
    for (const j of cells) {
      sum[j] += share;
      cover[j]++;
    }
  });
  for (let j = 0; j < features; j++) if (cover[j] > 1) sum[j] /= cover[j];
  return sum;
}
