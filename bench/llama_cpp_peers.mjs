// llama.cpp's side of bench/peers.sh (issue 14 item 6): the npm package node-llama-cpp (prebuilt CPU
// binaries, fetched by tests/reference/fetch_llama_cpp.sh into the build tree's test cache; nothing is
// built or downloaded here) on a GGUF that `reinforge-cli export` wrote, timed as bench_peers times the
// engine, from the same request file (see bench/bench_peers.cpp):
//   validation: the ids llama.cpp gives each of validate_texts (llama_tokenize with parse_special, BOS when the
//     file asks for one, as tests/reference/llama_cpp_run.mjs) and its greedy continuation;
//   prefill: prefill_ids evaluated into an empty sequence (evaluateWithoutGeneratingNewTokens), a
//     warm-up then `rounds` timed, best kept (llama-bench's pp256, through the bindings);
//   decode: decode_prompt_ids evaluated, then decode_tokens greedy tokens (temperature 0) after the
//     first one timed, `rounds` times, best kept (llama-bench's tg, with sampling as a user gets it).
// The npm package ships no llama-bench; the bindings add an await per token (well under 1 ms against
// tens of ms per token here). Context: batch = context size (the whole prompt in one batch), flash
// attention off, THREADS threads for prompt and generation.
//   usage: node llama_cpp_peers.mjs CACHE_DIR MODEL.gguf REQUEST.json OUT.json THREADS
// OUT.json: {"engine": "llama.cpp", "system_info", "arch", "block_count", "embedding_length",
//            "vocab", "validate": [{"prompt_ids", "greedy"}, ...], "prefill_tok_s", "prefill_cpu_tok_s",
//            "decode_tok_s", "decode_cpu_tok_s", "decoded"}
// (*_cpu_tok_s: by the process's CPU time / THREADS, which discounts time-slicing on a shared machine.)
import fs from "node:fs";
import path from "node:path";

const [cache, gguf, requestPath, outPath, threadsArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 2);
const {getLlama, LlamaLogLevel} = await import(path.join(cache, "node_modules/node-llama-cpp/dist/index.js"));
const req = JSON.parse(fs.readFileSync(requestPath, "utf8"));
const rounds = req.rounds ?? 2;
const llama = await getLlama({gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true,
                              progressLogs: false, logLevel: LlamaLogLevel.error, maxThreads: threads});
const model = await llama.loadModel({modelPath: gguf, gpuLayers: 0});
const meta = model.fileInfo.metadata;
const arch = meta.general.architecture;
const tk = meta.tokenizer.ggml;
const out = {engine: "llama.cpp", system_info: llama.systemInfo, arch, block_count: meta[arch].block_count,
             embedding_length: meta[arch].embedding_length, vocab: tk.tokens.length};

console.log(`llama.cpp (node-llama-cpp ${JSON.parse(fs.readFileSync(path.join(cache, "node_modules/node-llama-cpp/package.json"))).version}): ${llama.systemInfo}`);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const newContext = (size) => model.createContext({contextSize: size, batchSize: size, threads, flashAttention: false});

// validation
out.validate = [];
for (const text of req.validate_texts) {
    const ids = model.tokenize(text, true);  // add_special = false, parse_special = true
    if (tk.add_bos_token ?? (tk.model === "llama")) ids.unshift(tk.bos_token_id);
    const ctx = await newContext(256);
    const greedy = [];
    for await (const t of ctx.getSequence().evaluate(ids, {temperature: 0, yieldEogToken: true})) {
        greedy.push(t);
        if (greedy.length >= (req.validate_tokens ?? 8)) break;
    }
    out.validate.push({prompt_ids: ids, greedy});
    await ctx.dispose();
}

const ctxSize = Math.max(req.prefill_ids.length, req.decode_prompt_ids.length + req.decode_tokens + 1) + 16;
const ctx = await newContext(2 ** Math.ceil(Math.log2(ctxSize)));
const seq = ctx.getSequence();

// prefill
let best = [1e30, 1e30];
for (let r = 0; r <= rounds; ++r) {  // round 0 warms up
    await seq.clearHistory();
    const t0 = performance.now(), c0 = cpu();
    await seq.evaluateWithoutGeneratingNewTokens(req.prefill_ids);
    const w = (performance.now() - t0) / 1e3, c = (cpu() - c0) / threads;
    if (r > 0) best = [Math.min(best[0], w), Math.min(best[1], c)];
}
out.prefill_tok_s = req.prefill_ids.length / best[0];
out.prefill_cpu_tok_s = req.prefill_ids.length / best[1];

// decode, batch 1: the clock starts at the first token (the prompt's), then decode_tokens steps
best = [1e30, 1e30];
let decoded = req.decode_tokens;
for (let r = 0; r < rounds; ++r) {
    await seq.clearHistory();
    let n = -1, t0 = 0, c0 = 0;
    for await (const t of seq.evaluate(req.decode_prompt_ids, {temperature: 0, yieldEogToken: true})) {
        if (++n === 0) t0 = performance.now(), c0 = cpu();
        if (n >= req.decode_tokens) break;
    }
    decoded = Math.min(decoded, n);
    const w = (performance.now() - t0) / 1e3 / n, c = (cpu() - c0) / threads / n;
    best = [Math.min(best[0], w), Math.min(best[1], c)];
}
out.decoded = decoded;
out.decode_tok_s = 1 / best[0];
out.decode_cpu_tok_s = 1 / best[1];

await ctx.dispose();
await model.dispose();
await llama.dispose();
fs.writeFileSync(outPath, JSON.stringify(out));
console.log(`llama.cpp ${path.basename(gguf)}: prefill ${out.prefill_tok_s.toFixed(1)} tok/s, decode ${out.decode_tok_s.toFixed(2)} tok/s` +
            ` (CPU time: ${out.prefill_cpu_tok_s.toFixed(1)} / ${out.decode_cpu_tok_s.toFixed(2)})`);
