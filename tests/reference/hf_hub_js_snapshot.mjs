// Downloads a repo into an HF cache folder with @huggingface/hub's snapshotDownload (the reference
// for tests/engine/test_hub_client.cpp, which compares the cache tree with its own).
//   usage: node hf_hub_js_snapshot.mjs NODE_CACHE HUB_URL model|dataset ORG/NAME CACHE_DIR
import { createRequire } from "node:module";
import path from "node:path";

const [nodeCache, hubUrl, type, name, cacheDir] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(nodeCache), "node_modules", "x.js"));
const { snapshotDownload } = require("@huggingface/hub");
console.debug = () => {};  // it logs every file it writes
const snap = await snapshotDownload({ repo: { type, name }, revision: "main", hubUrl, cacheDir });
console.log(snap);
