// Writes tests/fixtures/parquet/*.parquet with two independent writers (parquet-wasm = the Apache
// Arrow Rust writer, and hyparquet-writer) and, for each file, <name>.expected.json: its rows as read
// by an independent reader (hyparquet + hyparquet-compressors), BigInt as an exact JSON integer,
// NaN/Inf as null, bytes (FIXED_LEN_BYTE_ARRAY) as base64.
//   usage: node gen_parquet_fixtures.mjs <out-dir> [--big <path> <rows> [<words per question>]]   (run by gen_parquet_fixtures.sh)
import fs from 'node:fs'
import path from 'node:path'
import * as arrow from 'apache-arrow'
import * as pw from 'parquet-wasm'
import { parquetReadObjects, parquetMetadata } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { parquetWriteBuffer } from 'hyparquet-writer'

const args = process.argv.slice(2)
const out = args[0]

// A small deterministic generator (no Math.random: fixtures must be reproducible).
let seed = 12345
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
const words = ['apple', 'train', 'seven', 'blue', 'héllo', 'ünïcode', '数学', 'sum', 'of', 'the', 'numbers', 'is', 'answer', 'step', 'emoji 🎉']
const sentence = (n) => Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ')

function rows(n) {
  const r = { question: [], answer: [], n: [], score: [], ok: [], nums: [], prompt: [], meta: [] }
  for (let i = 0; i < n; i++) {
    r.question.push(`Q${i}: ` + sentence(3 + (i % 7)))
    r.answer.push(i % 5 === 3 ? null : `${sentence(2)} #### ${i * 3}`)
    r.n.push(i % 4 === 2 ? null : BigInt(i * 1000003 - 5000) * (i % 3 === 0 ? -1n : 1n))
    r.score.push(i % 9 === 4 ? NaN : (i % 6 === 5 ? null : i * 0.25 - 1.5))
    r.ok.push(i % 7 === 6 ? null : i % 2 === 0)
    r.nums.push(i % 8 === 7 ? null : Array.from({ length: i % 5 }, (_, k) => BigInt(k * 10 + i)))
    r.prompt.push(i % 10 === 9 ? null : [
      { role: 'system', content: i % 3 === 0 ? null : 'Be brief.' },
      ...Array.from({ length: i % 3 }, (_, k) => ({ role: k % 2 ? 'assistant' : 'user', content: sentence(2 + k) })),
    ])
    r.meta.push(i % 6 === 1 ? null : { source: i % 2 ? 'gsm8k' : 'math', level: i % 4 === 0 ? null : i % 5 })
  }
  return r
}

const T = {
  question: new arrow.Utf8(), answer: new arrow.Utf8(), n: new arrow.Int64(), score: new arrow.Float64(),
  ok: new arrow.Bool(),
  nums: new arrow.List(new arrow.Field('item', new arrow.Int64(), true)),
  prompt: new arrow.List(new arrow.Field('item', new arrow.Struct([
    new arrow.Field('role', new arrow.Utf8(), true), new arrow.Field('content', new arrow.Utf8(), true)]), true)),
  meta: new arrow.Struct([new arrow.Field('source', new arrow.Utf8(), true), new arrow.Field('level', new arrow.Int32(), true)]),
}

function arrowTable(data, types) {
  const cols = {}
  for (const k of Object.keys(data)) cols[k] = arrow.vectorFromArray(data[k], types[k])
  return new arrow.Table(cols)
}

function writeWasm(table, configure) {
  const wt = pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))
  let b = new pw.WriterPropertiesBuilder()
  b = configure(b)
  return pw.writeParquet(wt, b.build())
}

const jsonable = (v) => {
  // BigInt: a number; beyond 2^53 the exact digits (JSON allows them; JSON.stringify does not)
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : `__BIGINT__${v}__`
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
  if (Array.isArray(v)) return v.map(jsonable)
  if (v && typeof v === 'object') { const o = {}; for (const k of Object.keys(v)) o[k] = jsonable(v[k]); return o }
  return v
}

async function emit(name, bytes) {
  fs.writeFileSync(path.join(out, name + '.parquet'), bytes)
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const meta = parquetMetadata(buf)
  const objs = await parquetReadObjects({ file: buf, compressors })
  const expected = {
    num_rows: Number(meta.num_rows),
    row_groups: meta.row_groups.map((g) => Number(g.num_rows)),
    rows: objs.map(jsonable),
  }
  const text = JSON.stringify(expected, null, 0).replace(/"__BIGINT__(-?\d+)__"/g, '$1')
  fs.writeFileSync(path.join(out, name + '.expected.json'), text + '\n')
  console.log(`${name}.parquet: ${bytes.length} bytes, ${expected.num_rows} rows, ${expected.row_groups.length} row groups`)
}

if (args[1] === '--big') {
  // A large GSM8K-shaped file for throughput measurements (never committed).
  const total = Number(args[3]); const chunk = 200000
  const words = Number(args[4] || 40)  // words of prose per question (more: a bigger file for the same rows)
  // a 4096-word vocabulary of pseudo-words, so the text compresses about as badly as real prose
  const vocab = Array.from({ length: 4096 }, () => Math.floor(rnd() * 2 ** 31).toString(36).slice(0, 3 + Math.floor(rnd() * 6)))
  const prose = (n) => Array.from({ length: n }, () => vocab[Math.floor(rnd() * vocab.length)]).join(' ')
  const q = [], a = []
  for (let i = 0; i < total; i++) {
    q.push(`Natalia sold clips to ${i} of her friends in April, and then she sold half as many clips in May. ` + prose(words))
    a.push(`Natalia sold ${i}/2 = ${i / 2} clips in May. ` + prose(words - 5) + ` #### ${i}`)
  }
  // parquet-wasm holds the table and the file in 4 GiB of wasm memory, which a file over ~750 MB
  // exceeds; hyparquet-writer (plain JS, snappy) writes the large ones
  const big = total * words > 80e6
  const bytes = big
    ? new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'question', data: q, type: 'STRING' }, { name: 'answer', data: a, type: 'STRING' }],
      rowGroupSize: chunk }))
    : writeWasm(arrowTable({ question: q, answer: a }, { question: T.question, answer: T.answer }),
      (b) => b.setCompression(pw.Compression.SNAPPY).setMaxRowGroupSize(chunk))
  fs.writeFileSync(args[2], bytes)
  console.log(`${args[2]}: ${bytes.length} bytes, ${total} rows`)
  process.exit(0)
}

const codecs = { uncompressed: pw.Compression.UNCOMPRESSED, snappy: pw.Compression.SNAPPY, gzip: pw.Compression.GZIP, zstd: pw.Compression.ZSTD }
const small = arrowTable(rows(12), T)
for (const [cname, codec] of Object.entries(codecs)) {
  for (const v of [1, 2]) {
    for (const dict of [true, false]) {
      await emit(`arrow_${cname}_v${v}_${dict ? 'dict' : 'plain'}`, writeWasm(small, (b) => b
        .setCompression(codec).setWriterVersion(v === 1 ? pw.WriterVersion.V1 : pw.WriterVersion.V2)
        .setDictionaryEnabled(dict)))
    }
  }
}

// Several row groups, several pages per column chunk.
await emit('arrow_multi_rowgroup', writeWasm(arrowTable(rows(140), T), (b) => b
  .setCompression(pw.Compression.SNAPPY).setMaxRowGroupSize(48).setDataPageSizeLimit(256).setWriteBatchSize(16)
  .setDictionaryPageSizeLimit(512)))
await emit('arrow_multi_rowgroup_v2', writeWasm(arrowTable(rows(90), T), (b) => b
  .setCompression(pw.Compression.ZSTD).setWriterVersion(pw.WriterVersion.V2).setMaxRowGroupSize(40)
  .setDataPageSizeLimit(200).setWriteBatchSize(10)))

// DELTA encodings (arrow-rs writes them when asked per column, dictionary off).
{
  const d = rows(100)
  const t = arrowTable({ question: d.question, answer: d.answer, n: d.n, nums: d.nums }, T)
  await emit('arrow_delta', writeWasm(t, (b) => b
    .setDictionaryEnabled(false).setWriterVersion(pw.WriterVersion.V2).setCompression(pw.Compression.UNCOMPRESSED)
    .setDataPageSizeLimit(512).setWriteBatchSize(32)
    .setColumnEncoding('question', pw.Encoding.DELTA_BYTE_ARRAY)
    .setColumnEncoding('answer', pw.Encoding.DELTA_LENGTH_BYTE_ARRAY)
    .setColumnEncoding('n', pw.Encoding.DELTA_BINARY_PACKED)
    .setColumnEncoding('nums.list.item', pw.Encoding.DELTA_BINARY_PACKED)))
}

// A MAP column.
{
  const mt = new arrow.Map_(new arrow.Field('entries', new arrow.Struct([
    new arrow.Field('key', new arrow.Utf8(), false), new arrow.Field('value', new arrow.Int32(), true)]), false))
  const maps = Array.from({ length: 10 }, (_, i) => i % 4 === 3 ? null : new Map(Array.from({ length: i % 3 }, (_, k) => [`k${k}`, k % 2 ? null : i * k])))
  await emit('arrow_map', writeWasm(arrowTable({ id: Array.from({ length: 10 }, (_, i) => i), tags: maps },
    { id: new arrow.Int32(), tags: mt }), (b) => b.setCompression(pw.Compression.SNAPPY)))
}

// Many row groups (streaming test): 600 rows in groups of 25.
{
  const q = Array.from({ length: 600 }, (_, i) => `q${i}`), n = Array.from({ length: 600 }, (_, i) => BigInt(i))
  await emit('arrow_many_rowgroups', writeWasm(arrowTable({ question: q, n }, T), (b) => b
    .setCompression(pw.Compression.SNAPPY).setMaxRowGroupSize(25)))
}

// Column selection: `n` is BROTLI-compressed, a codec the engine does not read, so reading only
// `question` succeeds only when `n`'s chunks are never touched.
{
  const q = Array.from({ length: 120 }, (_, i) => `q${i}`), n = Array.from({ length: 120 }, (_, i) => BigInt(i))
  await emit('unsupported_brotli_n', writeWasm(arrowTable({ question: q, n }, T), (b) => b
    .setCompression(pw.Compression.SNAPPY).setColumnCompression('n', pw.Compression.BROTLI).setMaxRowGroupSize(30)))
}

// hyparquet-writer: a second, independent writer (its own encodings choices).
{
  const d = rows(40)
  const bytes = new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: 'question', data: d.question, type: 'STRING' },
      { name: 'answer', data: d.answer, type: 'STRING' },
      { name: 'n', data: d.n.map((x) => x === null ? null : x), type: 'INT64' },
      { name: 'k', data: d.n.map((x, i) => i * 7 - 100), type: 'INT32', encoding: 'DELTA_BINARY_PACKED' },
      { name: 'score', data: d.score.map((x) => x === null || Number.isNaN(x) ? null : x), type: 'DOUBLE', encoding: 'BYTE_STREAM_SPLIT' },
      { name: 'ok', data: d.ok, type: 'BOOLEAN' },
    ],
    rowGroupSize: 16,
  }))
  await emit('hyparquet_writer_basic', bytes)
}

// Unsigned integers and FIXED_LEN_BYTE_ARRAY (read as base64), written with an explicit schema.
{
  const columnData = [
    { name: 'u64', data: [0n, 18446744073709551615n, 5n, 9223372036854775808n] },
    { name: 'u32', data: [0, 4294967295, 7, 2147483648] },
    { name: 'id', data: [new Uint8Array(16).fill(1), new Uint8Array(16).fill(0xff), null, new Uint8Array(16)] },
  ]
  const schema = [
    { name: 'root', num_children: 3 },
    { name: 'u64', type: 'INT64', converted_type: 'UINT_64', repetition_type: 'REQUIRED' },
    { name: 'u32', type: 'INT32', converted_type: 'UINT_32', repetition_type: 'REQUIRED' },
    { name: 'id', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, repetition_type: 'OPTIONAL' },
  ]
  await emit('hyparquet_writer_types', new Uint8Array(parquetWriteBuffer({ columnData, schema })))
}

// GSM8K-shaped: question / answer ending in "#### N", snappy, dictionary pages, v1 (as pyarrow writes).
{
  const q = [], a = []
  for (let i = 0; i < 20; i++) {
    const x = 3 + i * 7, y = 2 + (i % 5)
    q.push(`Natalia sold clips to ${x} of her friends in April, and then she sold ${y} times as many clips in May. How many clips did Natalia sell altogether in April and May?`)
    a.push(`Natalia sold ${x}*${y} = <<${x}*${y}=${x * y}>>${x * y} clips in May.\nNatalia sold ${x}+${x * y} = <<${x}+${x * y}=${x + x * y}>>${x + x * y} clips altogether in April and May.\n#### ${x + x * y}`)
  }
  q[0] = 'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?'
  a[0] = 'Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72'
  await emit('gsm8k_like', writeWasm(arrowTable({ question: q, answer: a }, { question: T.question, answer: T.answer }),
    (b) => b.setCompression(pw.Compression.SNAPPY).setDictionaryEnabled(true).setWriterVersion(pw.WriterVersion.V1)))
}
