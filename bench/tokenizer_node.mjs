// Node reference for bench_tokenizer: encodes the same text file with @huggingface/tokenizers and
// prints one JSON line: load and encode times, the number of ids and an FNV-1a hash of them (so the
// C++ side can check that both produced identical ids before comparing speeds).
//   usage: node tokenizer_node.mjs NODE_MODULES_DIR TOKENIZER_DIR TEXT_FILE REPEATS
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modules, dir, textFile, repeats] = process.argv.slice(2);
const { Tokenizer } = await import(pathToFileURL(path.join(modules, "@huggingface/tokenizers/dist/tokenizers.mjs")).href);
const text = fs.readFileSync(textFile, "utf8");
let t0 = performance.now();
const tok = new Tokenizer(JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8")),
                          JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8")));
const loadMs = performance.now() - t0;
const times = [];
let ids = null;
for (let r = 0; r < Number(repeats); ++r) {
  t0 = performance.now();
  ids = tok.encode(text, { add_special_tokens: false }).ids;
  times.push(performance.now() - t0);
}
let h = 0xcbf29ce484222325n;
for (const id of ids) { h ^= BigInt(id); h = (h * 0x100000001b3n) & 0xffffffffffffffffn; }
console.log(JSON.stringify({ load_ms: loadMs, encode_ms: times, n_ids: ids.length, hash: h.toString(16) }));
