/** Small DOM and formatting helpers shared by the views. Plain DOM, no framework. */
import { maxAbs } from "glassbox";

type Attributes = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | null | undefined | false;

/** An HTML element with attributes ("class", "aria-*", "data-*"...) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element with attributes and children. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  setAttributes(element, attributes);
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
}

/** The element with this id, which index.html must have. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html lacks the element #${id}`);
  return element as T;
}

/** 0.934 -> "93%"; small but non-zero values keep one decimal ("0.4%", "<0.1%"). */
export function percent(p: number): string {
  if (p > 0 && p < 0.001) return "<0.1%";
  if (p > 0 && p < 0.01) return `${(p * 100).toFixed(1)}%`;
  return `${Math.round(p * 100)}%`;
}

/** A number for people: 3 significant digits, no exponent for everyday sizes. */
export function number(x: number): string {
  if (x === 0) return "0";
  if (Math.abs(x) >= 1000 || Math.abs(x) < 0.001) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
}

/** Signed strength -1..1 -> a fill colour: gray at 0, orange for positive, blue for negative. */
export function activationColour(t: number): string {
  const k = Math.min(1, Math.abs(t));
  const [r0, g0, b0] = [236, 236, 232];
  const [r1, g1, b1] = t >= 0 ? [230, 110, 0] : [40, 100, 220];
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * k);
  return `rgb(${mix(r0, r1)}, ${mix(g0, g1)}, ${mix(b0, b1)})`;
}

/** Signed weight colours, the same red/blue pair as the explanation heat maps. */
export const POSITIVE = "#d62828";
export const NEGATIVE = "#2864dc";

/** Gray pixels (0..1, row-major) -> a PNG data URL, for pictures inside SVG and img elements. */
export function grayDataUrl(values: ArrayLike<number>, width: number, height: number): string {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, values[i])));
    rgba.set([v, v, v, 255], i * 4);
  }
  return rgbaDataUrl(rgba, width, height);
}

/** RGBA pixels (row-major) -> a PNG data URL, encoded by the browser. */
export function rgbaDataUrl(rgba: Uint8ClampedArray, width: number, height: number): string {
  const canvas = h("canvas", { width, height });
  const context = canvas.getContext("2d");
  if (!context) return "";
  const image = context.createImageData(width, height);
  image.data.set(rgba);
  context.putImageData(image, 0, 0);
  return canvas.toDataURL("image/png");
}

/** Makes a PNG's bytes into an object URL, freeing the previous one given. */
export function pngUrl(bytes: Uint8Array, previous: string | null): string {
  if (previous) URL.revokeObjectURL(previous);
  return URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "image/png" }));
}

/** A row of signed bars: one per (name, value), scaled to the largest |value|. */
export function signedBars(entries: { feature: string; value: number }[], caption: string): HTMLElement {
  const max = Math.max(1e-12, maxAbs(entries.map((e) => e.value)));
  const list = h("ul", { class: "signed-bars", "aria-label": caption });
  for (const { feature, value } of entries) {
    const width = `${(50 * Math.abs(value)) / max}%`;
    const bar = h("span", { class: `signed-bar ${value >= 0 ? "up" : "down"}`, style: value >= 0 ? `left: 50%; width: ${width}` : `right: 50%; width: ${width}` });
    list.append(
      h(
        "li",
        {},
        h("span", { class: "name" }, feature),
        h("span", { class: "track", "aria-hidden": "true" }, bar),
        h("span", { class: "value" }, `${value >= 0 ? "+" : ""}${number(value)}`),
      ),
    );
  }
  return list;
}
