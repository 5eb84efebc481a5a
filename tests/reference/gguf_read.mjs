// Reads a GGUF file with an independent parser, @huggingface/gguf, and dumps what it sees so that the
// C++ tests can check the writer against it:
//   OUT.json  {"metadata": {key: {"type", "subType"?, "value"}}, "tensors": [{"name", "shape" (ne order,
//              fastest first), "dtype", "offset"}], "tensor_data_offset", "file_size"}
//   OUT.f32   the data of every tensor in file order, decoded to float32 here (F32, F16, Q8_0 from the
//             ggml block layout: block_q8_0 { fp16 d; int8 qs[32]; } -> x = d * q)
// usage: node gguf_read.mjs MODULE_DIR FILE.gguf OUT   (MODULE_DIR holds node_modules/@huggingface/gguf)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [moduleDir, file, out] = process.argv.slice(2);
const { gguf, GGMLQuantizationType } = await import(
  pathToFileURL(join(moduleDir, "node_modules/@huggingface/gguf/dist/index.mjs")).href
);
const parsed = await gguf(file, { allowLocalFile: true, typedMetadata: true });

const plain = (v) => (typeof v === "bigint" ? Number(v) : Array.isArray(v) ? v.map(plain) : v);
const metadata = {};
for (const [k, e] of Object.entries(parsed.typedMetadata)) {
  metadata[k] = { type: e.type, value: plain(e.value) };
  if (e.subType !== undefined) metadata[k].subType = e.subType;
}

function f16(h) {  // IEEE half -> number
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const bytes = readFileSync(file);
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const base = Number(parsed.tensorDataOffset);
const chunks = [];
const tensors = [];
for (const t of parsed.tensorInfos) {
  const shape = t.shape.map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const at = base + Number(t.offset);
  const outv = new Float32Array(n);
  if (t.dtype === GGMLQuantizationType.F32) {
    for (let i = 0; i < n; i++) outv[i] = view.getFloat32(at + 4 * i, true);
  } else if (t.dtype === GGMLQuantizationType.F16) {
    for (let i = 0; i < n; i++) outv[i] = f16(view.getUint16(at + 2 * i, true));
  } else if (t.dtype === GGMLQuantizationType.Q8_0) {
    for (let b = 0; b < n / 32; b++) {
      const p = at + 34 * b, d = f16(view.getUint16(p, true));
      for (let j = 0; j < 32; j++) outv[32 * b + j] = d * view.getInt8(p + 2 + j);
    }
  } else {
    throw new Error(`tensor ${t.name}: dtype ${t.dtype} not decoded by this script`);
  }
  chunks.push(Buffer.from(outv.buffer));
  tensors.push({ name: t.name, shape, dtype: t.dtype, offset: Number(t.offset) });
}
writeFileSync(out + ".f32", Buffer.concat(chunks));
writeFileSync(out + ".json", JSON.stringify({ metadata, tensors, tensor_data_offset: base, file_size: bytes.length }));
