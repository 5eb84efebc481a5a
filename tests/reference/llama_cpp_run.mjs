// Runs llama.cpp (the npm package node-llama-cpp, prebuilt CPU binaries; fetched by
// fetch_llama_cpp.sh) on a GGUF file: for each prompt, the token ids llama.cpp feeds the model and its
// greedy continuation.
//   usage: node llama_cpp_run.mjs CACHE_DIR MODEL.gguf REQUEST.json OUT.json
// REQUEST.json: {"prompts": ["<|im_start|>user\n...", ...], "max_tokens": 32}
// OUT.json: [{"prompt_ids": [...], "greedy": [...]}, ...]
// Prompt ids are llama_tokenize(text, add_special = true, parse_special = true), as llama.cpp's own
// tools (llama-cli, llama-server: common_tokenize) tokenize a rendered chat prompt. node-llama-cpp's
// tokenize() is llama_tokenize(add_special = false, parse_special); llama_tokenize with add_special
// puts tokenizer.ggml.bos_token_id first when tokenizer.ggml.add_bos_token is true (llama-vocab.cpp,
// whatever the token's type), which is done here from the file's metadata. (node-llama-cpp's own
// chat sessions add the BOS only when it is a control token: model.tokens.bos is null otherwise.)
// The greedy
// continuation is llama.cpp's sampler at temperature 0, stopped after the first end-of-generation
// token (kept in the output) or max_tokens.
import fs from "node:fs";
import path from "node:path";

const [cache, gguf, requestPath, outPath] = process.argv.slice(2);
const {getLlama, LlamaLogLevel} = await import(path.join(cache, "node_modules/node-llama-cpp/dist/index.js"));
const request = JSON.parse(fs.readFileSync(requestPath, "utf8"));
const llama = await getLlama({gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true,
                              progressLogs: false, logLevel: LlamaLogLevel.error, maxThreads: 1});
const model = await llama.loadModel({modelPath: gguf, gpuLayers: 0});
const tk = model.fileInfo.metadata.tokenizer.ggml;
const addBos = tk.add_bos_token ?? (tk.model === "llama");  // llama.cpp's default: SPM adds BOS
const bosId = tk.bos_token_id;
if (addBos && bosId == null) throw new Error("add_bos_token without bos_token_id");
const out = [];
for (const prompt of request.prompts) {
    const ids = model.tokenize(prompt, true);  // llama_tokenize(..., add_special = false, parse_special = true)
    if (addBos) ids.unshift(bosId);
    const ctx = await model.createContext({contextSize: 1024, batchSize: 1024, threads: 1});
    const seq = ctx.getSequence();
    const greedy = [];
    if (request.max_tokens > 0) {
        for await (const t of seq.evaluate(ids, {temperature: 0, yieldEogToken: true})) {
            greedy.push(t);
            if (model.isEogToken(t) || greedy.length >= request.max_tokens) break;
        }
    }
    out.push({prompt_ids: ids, greedy});
    await ctx.dispose();
}
fs.writeFileSync(outPath, JSON.stringify(out));
await model.dispose();
await llama.dispose();
