// Debian's Chromium, driven by playwright-core, as the browser tests launch it.
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);

export interface ChromiumOptions {
  /**
   * WebGPU on SwiftShader, the same software adapter on every machine (default false). Headless
   * Chromium has navigator.gpu either way, but requestAdapter() returns null without
   * --enable-unsafe-webgpu; --disable-gpu does not get in its way.
   */
  webgpu?: boolean;
}

export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  const webgpu = options.webgpu ? ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"] : [];
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", ...webgpu],
  });
}
