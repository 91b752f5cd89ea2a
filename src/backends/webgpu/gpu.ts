import { GlassboxError } from "../../errors.js";

/**
 * One compute kernel: WGSL source whose `Params` uniform is binding 0 and whose storage buffers
 * are bindings 1..n, read-only where `readOnly[i]`, else `read_write`.
 */
export interface Kernel {
  readonly name: string;
  readonly code: string;
  readonly storage: number;
  readonly readOnly: boolean[];
}

/** A part of a GPU buffer bound to one kernel argument. */
export interface Binding {
  readonly buffer: GPUBuffer;
  readonly bytes: number;
}

/** u32 params are passed as numbers; an f32 param goes through `f32` (its bit pattern). */
const floatBits = new Float32Array(1);
const wordBits = new Uint32Array(floatBits.buffer);
export function f32(value: number): number {
  floatBits[0] = value;
  return wordBits[0];
}

const PARAM_SLOT = 256; // bytes: minUniformBufferOffsetAlignment
const USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
/** Workgroups per dispatch dimension WebGPU guarantees; larger 1-D launches spread over y. */
export const MAX_GROUPS = 65535;

type Command =
  | { kind: "dispatch"; kernel: Kernel; bindings: (Binding | null)[]; params: number[]; groups: [number, number, number] }
  | { kind: "copy"; src: GPUBuffer; dst: GPUBuffer; bytes: number }
  | { kind: "clear"; buffer: GPUBuffer; bytes: number };

/**
 * The device and its command stream. Kernels, copies and uploads are recorded in order and
 * submitted together when the host needs an answer (`readAsync`) or the list grows long; the
 * uniforms of a submission share one buffer. Buffers come from a pool by exact size: a buffer
 * whose tensors were all garbage collected goes back to it (see WebGpuTensor's storage), so
 * nobody disposes anything and steady-state training allocates nothing new.
 */
export class Gpu {
  private readonly pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>();
  private readonly free = new Map<number, GPUBuffer[]>();
  private commands: Command[] = [];
  private staging: GPUBuffer[] = [];
  private error: string | null = null;
  readonly reclaim = new FinalizationRegistry<GPUBuffer>((buffer) => this.release(buffer));

  /** Back to the pool: safe at once, as its next user records its clear after every command before. */
  private release(buffer: GPUBuffer): void {
    const list = this.free.get(buffer.size) ?? [];
    if (list.length >= 16) buffer.destroy();
    else list.push(buffer);
    this.free.set(buffer.size, list);
  }

  constructor(readonly device: GPUDevice) {
    device.addEventListener("uncapturederror", (event) => {
      this.error ??= (event as GPUUncapturedErrorEvent).error.message;
    });
  }

  /** A zero-filled buffer of `bytes` (a multiple of 4), new or from the pool. */
  buffer(bytes: number): GPUBuffer {
    const limit = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new GlassboxError("BAD_ARGUMENT", `webgpu: a tensor of ${bytes} bytes is over this GPU's maxStorageBufferBindingSize of ${limit} bytes; use a smaller batch`);
    }
    const pooled = this.free.get(bytes)?.pop();
    if (pooled) {
      this.commands.push({ kind: "clear", buffer: pooled, bytes });
      return pooled;
    }
    return this.device.createBuffer({ size: bytes, usage: USAGE() });
  }

  /** Records a copy of `values` into `dst` after the commands before it. */
  upload(dst: GPUBuffer, values: ArrayBufferView): void {
    const bytes = values.byteLength;
    const padded = Math.max(4, Math.ceil(bytes / 4) * 4);
    const source = this.device.createBuffer({ size: padded, usage: GPUBufferUsage.COPY_SRC, mappedAtCreation: true });
    new Uint8Array(source.getMappedRange()).set(new Uint8Array(values.buffer, values.byteOffset, bytes));
    source.unmap();
    this.staging.push(source);
    this.commands.push({ kind: "copy", src: source, dst, bytes: padded });
  }

  copy(src: GPUBuffer, dst: GPUBuffer, bytes: number): void {
    this.commands.push({ kind: "copy", src, dst, bytes });
  }

  /**
   * Records one kernel launch of `groups` workgroups. A null binding is an argument the kernel
   * does not touch this time. WebGPU refuses a writable binding that overlaps another in one
   * launch, so a read-only argument whose buffer is also written (multiply(v, v, v)) is bound
   * as a copy taken just before; two writable arguments may not share a buffer.
   */
  dispatch(kernel: Kernel, bindings: (Binding | null)[], params: number[], groups: [number, number, number]): void {
    if (bindings.length !== kernel.storage) throw new Error(`webgpu kernel ${kernel.name}: expected ${kernel.storage} buffers, got ${bindings.length}`);
    if (groups.some((g) => g === 0)) return;
    const bound = bindings.map((b, i) => {
      if (!b) return null;
      const written = bindings.findIndex((o, j) => j !== i && o?.buffer === b.buffer && !kernel.readOnly[j]);
      if (written < 0) return b;
      if (!kernel.readOnly[i]) throw new Error(`webgpu kernel ${kernel.name}: outputs ${Math.min(i, written) + 1} and ${Math.max(i, written) + 1} share a buffer`);
      const copy = this.buffer(b.bytes);
      this.copy(b.buffer, copy, b.bytes);
      this.release(copy);
      return { buffer: copy, bytes: b.bytes };
    });
    this.commands.push({ kind: "dispatch", kernel, bindings: bound, params, groups });
    if (this.commands.length >= 256) this.flush();
  }

  /** Launches `count` invocations of a kernel with @workgroup_size(256), spread over x and y. */
  dispatch1d(kernel: Kernel, bindings: (Binding | null)[], params: number[], count: number): void {
    const groups = Math.ceil(count / 256);
    const x = Math.min(groups, MAX_GROUPS);
    this.dispatch(kernel, bindings, params, [x, Math.ceil(groups / x), 1]);
  }

  /** Submits what is recorded. */
  flush(): void {
    const commands = this.commands;
    if (commands.length === 0) return;
    this.commands = [];
    const dispatches = commands.filter((c) => c.kind === "dispatch");
    const uniforms = dispatches.length > 0 ? this.device.createBuffer({ size: dispatches.length * PARAM_SLOT, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true }) : null;
    if (uniforms) {
      const words = new Uint32Array(uniforms.getMappedRange());
      dispatches.forEach((d, i) => words.set(d.params, (i * PARAM_SLOT) / 4));
      uniforms.unmap();
    }
    const encoder = this.device.createCommandEncoder();
    let slot = 0;
    for (const command of commands) {
      if (command.kind === "copy") encoder.copyBufferToBuffer(command.src, 0, command.dst, 0, command.bytes);
      else if (command.kind === "clear") encoder.clearBuffer(command.buffer, 0, command.bytes);
      else {
        const { pipeline, layout } = this.pipeline(command.kernel);
        const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniforms as GPUBuffer, offset: slot * PARAM_SLOT, size: PARAM_SLOT } }];
        command.bindings.forEach((b, i) => entries.push({ binding: i + 1, resource: b ? { buffer: b.buffer, offset: 0, size: b.bytes } : { buffer: this.unused(i) } }));
        slot++;
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, this.device.createBindGroup({ layout, entries }));
        pass.dispatchWorkgroups(...command.groups);
        pass.end();
      }
    }
    this.device.queue.submit([encoder.finish()]);
    const done = [...this.staging, ...(uniforms ? [uniforms] : [])];
    this.staging = [];
    void this.device.queue.onSubmittedWorkDone().then(() => done.forEach((b) => b.destroy()));
  }

  /** The first `bytes` of `buffer` once everything recorded before has run. */
  async read(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    const target = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.copy(buffer, target, bytes);
    this.flush();
    await target.mapAsync(GPUMapMode.READ);
    const result = target.getMappedRange().slice(0);
    target.destroy();
    if (this.error) throw new GlassboxError("BAD_ARGUMENT", `webgpu: ${this.error}`);
    return result;
  }

  private readonly spare: GPUBuffer[] = [];
  /** A 4-byte buffer for argument slot i that a launch does not use (one per slot, so none overlap). */
  private unused(i: number): GPUBuffer {
    this.spare[i] ??= this.device.createBuffer({ size: 16, usage: USAGE() });
    return this.spare[i];
  }

  private pipeline(kernel: Kernel): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } {
    const cached = this.pipelines.get(kernel.name);
    if (cached) return cached;
    const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform" } }];
    for (let i = 1; i <= kernel.storage; i++)
      entries.push({ binding: i, visibility: GPUShaderStage.COMPUTE, buffer: { type: kernel.readOnly[i - 1] ? "read-only-storage" : "storage" } });
    const layout = this.device.createBindGroupLayout({ entries });
    const module = this.device.createShaderModule({ label: kernel.name, code: kernel.code });
    const pipeline = this.device.createComputePipeline({
      label: kernel.name,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: "main" },
    });
    const made = { pipeline, layout };
    this.pipelines.set(kernel.name, made);
    return made;
  }
}

/**
 * The WGSL every kernel starts with: bindings 1..n as f32 arrays unless typed ("labels:i32"),
 * read_write unless marked read-only with a leading "<" ("<x"), and the flat index of a 1-D launch.
 */
export function header(params: string, storage: string[]): string {
  const bindings = storage.map((decl, i) => {
    const [name, type] = decl.replace(/^</, "").split(":");
    return `@group(0) @binding(${i + 1}) var<storage, ${decl.startsWith("<") ? "read" : "read_write"}> ${name}: array<${type ?? "f32"}>;`;
  });
  return `struct Params { ${params} }
@group(0) @binding(0) var<uniform> p: Params;
${bindings.join("\n")}
fn flat(g: vec3u, n: vec3u) -> u32 { return g.x + g.y * n.x * 256u; }
`;
}

/** A kernel from its params struct body, its storage arrays ("name" or "name:i32") and its body. */
export function kernel(name: string, params: string, storage: string[], body: string): Kernel {
  return { name, code: header(params, storage) + body, storage: storage.length, readOnly: storage.map((s) => s.startsWith("<")) };
}
