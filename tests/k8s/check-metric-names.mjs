// Every metric that docker/monitoring (the Grafana dashboard, the alert rules) and the
// prometheus-adapter rule of docker/k8s query is one the server really exports:
//  1. starts build/bin/csm-server with the configuration that docker/k8s/configmap.yaml ships
//     (so that config is proven to load too) on a free port, sends a few requests and scrapes
//     /metrics;
//  2. takes every PromQL expression of those files apart: each metric name must be a series
//     name of the scrape (a histogram is only queried as NAME_bucket, NAME_sum or NAME_count),
//     each label it matches or groups by must be a label of it (or one that Prometheus adds
//     to a target: namespace, pod, job, instance, ...), and each value it matches with = or
//     an alternation of words must be one the scrape shows;
//  3. parses every expression with promtool (as recording rules) and evaluates the adapter's
//     metricsQuery on sample series (promtool test rules): the slot utilisation per pod;
//  4. first of all, a self-check: expressions with a misspelled metric, a bare histogram name,
//     an unknown label and an unknown error code must each be reported.
// Prints one line per check and "N passed, N failed"; exit 1 on any failure.
//   node check-metric-names.mjs SOURCE_DIR BIN_DIR
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import YAML from "yaml";

const [source, binDir] = process.argv.slice(2);
if (source === "--help" && process.argv.length === 3) {
  console.log("usage: check-metric-names.mjs SOURCE_DIR BIN_DIR");
  process.exit(0);
}
if (!source || !binDir || process.argv.length !== 4) {
  console.error("usage: check-metric-names.mjs SOURCE_DIR BIN_DIR");
  process.exit(2);
}
let passed = 0;
let failed = 0;
function check(ok, what) {
  console.log((ok ? "ok   " : "FAIL ") + what);
  if (ok) passed++;
  else failed++;
}

// Labels a scrape does not show but Prometheus (with the Prometheus Operator's ServiceMonitor)
// adds to every series of a target.
const TARGET_LABELS = new Set(["namespace", "pod", "job", "instance", "service", "endpoint", "container"]);
// Series that Prometheus itself makes for each target.
const SYNTHETIC = new Set(["up", "scrape_duration_seconds", "scrape_samples_scraped"]);

// ---------------------------------------------------------------------------------------
// The scrape: {series name -> {label -> Set(values)}}, and the histograms' base names.

function parseScrape(text) {
  const series = new Map();
  const types = new Map();
  for (const line of text.split("\n")) {
    const t = line.match(/^# TYPE (\S+) (\S+)/);
    if (t) types.set(t[1], t[2]);
    if (!line || line.startsWith("#")) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /);
    if (!m) continue;
    if (!series.has(m[1])) series.set(m[1], new Map());
    const labels = series.get(m[1]);
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (!labels.has(l[1])) labels.set(l[1], new Set());
      labels.get(l[1]).add(l[2]);
    }
  }
  return { series, types };
}

// ---------------------------------------------------------------------------------------
// PromQL, taken apart just enough: selectors (metric name, matchers) and grouping labels.

const KEYWORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
  "group_right", "bool", "offset", "inf", "nan", "atan2"]);
const GROUPING = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

function tokenize(expr) {
  const tokens = [];
  const re = /\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\[[^\]]*\]|[a-zA-Z_:][a-zA-Z0-9_:]*|\d+(?:\.\d+)?(?:e[+-]?\d+)?[a-z]*|!=|=~|!~|==|>=|<=|[{}(),=<>+\-*/%^@]/gy;
  let m;
  while (re.lastIndex < expr.length) {
    const start = re.lastIndex;
    if (!(m = re.exec(expr))) throw new Error(`cannot read ${JSON.stringify(expr.slice(start, start + 20))}`);
    if (!/^\s|^#/.test(m[0])) tokens.push(m[0]);
  }
  return tokens;
}

// [{metric, matchers: [{label, op, value}], groupBy: [labels]}], one per selector; the grouping
// labels of an expression go with every selector of it.
function selectors(expr) {
  const t = tokenize(expr);
  const out = [];
  const grouping = [];
  for (let i = 0; i < t.length; i++) {
    const tok = t[i];
    if (GROUPING.has(tok) && t[i + 1] === "(") {
      for (i += 2; i < t.length && t[i] !== ")"; i++) if (t[i] !== ",") grouping.push(t[i]);
      continue;
    }
    const isName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(tok);
    // A name followed by "(" is a function; by "by"/"without", an aggregation (sum by (x) (...)).
    const call = t[i + 1] === "(" || t[i + 1] === "by" || t[i + 1] === "without";
    if ((isName && !KEYWORDS.has(tok) && !call) || tok === "{") {
      const sel = { metric: tok === "{" ? null : tok, matchers: [] };
      if (tok !== "{") i++;
      if (t[i] === "{") {
        for (i++; i < t.length && t[i] !== "}"; i++) {
          if (t[i] === ",") continue;
          const [label, op, value] = [t[i], t[i + 1], t[i + 2]];
          sel.matchers.push({ label, op, value: JSON.parse(value.startsWith("'") ? `"${value.slice(1, -1)}"` : value) });
          i += 2;
        }
      } else i--;
      if (sel.metric === null) {
        const name = sel.matchers.find((m) => m.label === "__name__" && m.op === "=");
        sel.metric = name?.value ?? null;
      }
      out.push(sel);
    }
  }
  for (const s of out) s.groupBy = grouping;
  return out;
}

// Problems of one expression against the scrape.
function problemsOf(expr, scrape, extraLabels = []) {
  const problems = [];
  let sels;
  try {
    sels = selectors(expr);
  } catch (e) {
    return [`cannot take apart: ${e.message}`];
  }
  const allLabels = new Set([...TARGET_LABELS, ...extraLabels, "le", "quantile"]);
  for (const s of sels) {
    if (s.metric === null) { problems.push("a selector without a metric name"); continue; }
    if (SYNTHETIC.has(s.metric)) continue;
    const known = scrape.series.get(s.metric);
    if (!known) {
      const base = s.metric;
      problems.push(scrape.types.get(base) === "histogram"
        ? `${s.metric} is a histogram: query ${s.metric}_bucket, _sum or _count`
        : `unknown metric ${s.metric}`);
      continue;
    }
    for (const l of known.keys()) allLabels.add(l);
    for (const m of s.matchers) {
      if (m.label === "__name__") continue;
      if (TARGET_LABELS.has(m.label)) continue;
      const values = known.get(m.label);
      if (!values) { problems.push(`${s.metric} has no label ${m.label}`); continue; }
      const words = m.op === "=" ? [m.value] : m.op === "=~" && /^[\w|]+$/.test(m.value) ? m.value.split("|") : [];
      for (const w of words) {
        if (!values.has(w)) problems.push(`${s.metric}{${m.label}="${w}"}: no such value (${[...values].sort().join(", ")})`);
      }
    }
  }
  for (const s of sels.slice(0, 1)) {
    for (const l of s.groupBy) if (!allLabels.has(l)) problems.push(`grouping by ${l}, a label of none of its metrics`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// The expressions of the files

function dashboardExprs(file) {
  const dash = JSON.parse(fs.readFileSync(file, "utf8"));
  const out = [];
  const walk = (v, at) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "expr" && typeof x === "string") out.push({ where: `${at} "${v.legendFormat ?? v.refId ?? ""}"`, expr: x });
        else walk(x, at + (k === "panels" || k === "targets" ? "" : `.${k}`));
      }
    }
  };
  for (const p of dash.panels ?? []) walk(p, `panel "${p.title}"`);
  for (const v of dash.templating?.list ?? []) {
    const q = typeof v.query === "string" ? v.query : v.query?.query;
    if (v.type !== "query" || !q) continue;
    // label_values(SELECTOR, LABEL): SELECTOR is PromQL, LABEL one of its labels.
    const lv = q.match(/^label_values\((.*),\s*(\w+)\)$/);
    if (!lv) { out.push({ where: `variable ${v.name}`, expr: q }); continue; }
    out.push({ where: `variable ${v.name}`, expr: lv[1], label: lv[2] });
  }
  return out;
}

function grafanaToPromql(expr) {
  return expr.replaceAll("$__rate_interval", "5m").replaceAll("$__interval", "1m")
    .replace(/\$\{?(\w+)\}?/g, ".*");
}

function adapterRules(file) {
  const cm = YAML.parse(fs.readFileSync(file, "utf8"));
  return YAML.parse(cm.data["config.yaml"]).rules;
}

function adapterToPromql(query) {
  return query.replaceAll("<<.LabelMatchers>>", 'namespace="prod",pod=~"a|b|c|d"').replaceAll("<<.GroupBy>>", "pod");
}

// ---------------------------------------------------------------------------------------
// The demo server

async function scrapeServer(work) {
  const cm = YAML.parse(fs.readFileSync(path.join(source, "docker/k8s/configmap.yaml"), "utf8"));
  const configFile = path.join(work, "config.json");
  fs.writeFileSync(configFile, cm.data["config.json"]);
  const binary = path.join(binDir, "csm-server");
  const log = fs.openSync(path.join(work, "server.log"), "w");
  const server = spawn(binary, ["--config", configFile, "--set", "server.port=0", "--set", "server.host=127.0.0.1"],
    { stdio: ["ignore", "pipe", log], env: { ...process.env, OMP_WAIT_POLICY: "PASSIVE", CSM_API_KEYS: "" } });
  try {
    const port = await new Promise((resolve, reject) => {
      let buf = "";
      const timer = setTimeout(() => reject(new Error("csm-server printed no 'listening on' line in 60 s")), 60000);
      server.stdout.on("data", (d) => {
        buf += d;
        const m = buf.match(/listening on http:\/\/[^ ]*:(\d+)/);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
      server.on("exit", (code) => { clearTimeout(timer); reject(new Error(`csm-server exited with ${code}`)); });
      server.on("error", reject);
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    await fetch(`${base}/healthz`);
    await fetch(`${base}/metrics`);
    const r = await fetch(`${base}/metrics`);
    return await r.text();
  } finally {
    server.kill("SIGTERM");
    await new Promise((res) => (server.exitCode !== null ? res() : server.on("exit", res)));
    fs.closeSync(log);
  }
}

// ---------------------------------------------------------------------------------------

function promtool(args, cwd) {
  const r = spawnSync("promtool", args, { cwd, encoding: "utf8" });
  if (r.error) return { ok: false, out: `promtool: ${r.error.message} (scripts/install-deps --with-test-tools installs it)` };
  return { ok: r.status === 0, out: (r.stdout + r.stderr).trim() };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "csm-metric-names-"));
let text;
try {
  text = await scrapeServer(work);
  check(true, "csm-server started with docker/k8s/configmap.yaml's config.json and /metrics was scraped");
} catch (e) {
  const log = fs.existsSync(path.join(work, "server.log")) ? fs.readFileSync(path.join(work, "server.log"), "utf8").slice(-3000) : "";
  check(false, `csm-server with docker/k8s/configmap.yaml's config: ${e.message}\n${log}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}
const scrape = parseScrape(text);
console.log(`     the scrape has ${scrape.series.size} series names`);

// 4. The self-check comes first: the checker must see each of these mistakes.
const BAD = [
  ["rate(csm_ttfa_second_bucket[5m])", "unknown metric csm_ttfa_second_bucket"],
  ["histogram_quantile(0.95, rate(csm_ttfa_seconds[5m]))", "csm_ttfa_seconds is a histogram"],
  ['sum by (stag) (rate(csm_tick_duration_seconds_count{stage="mimi"}[5m]))', "grouping by stag"],
  ['rate(csm_errors_total{code="internal"}[5m])', 'csm_errors_total{code="internal"}: no such value'],
  ['csm_queue_depth{route="/v1/stream"}', "csm_queue_depth has no label route"],
  ['sum(csm_slots_in_use) / sum(csm_slot_count)', "unknown metric csm_slot_count"],
];
for (const [expr, expected] of BAD) {
  const p = problemsOf(expr, scrape);
  check(p.some((x) => x.includes(expected)), `self-check: ${expr} is reported (${p.join("; ") || "nothing reported"})`);
}
check(problemsOf('sum by (stage, le) (rate(csm_tick_duration_seconds_bucket{stage="mimi", pod=~".*"}[5m]))', scrape).length === 0,
  "self-check: a correct expression passes");

// 2. The files' expressions.
const exprs = [];
const dashboard = path.join(source, "docker/monitoring/grafana-dashboard.json");
for (const e of dashboardExprs(dashboard)) exprs.push({ ...e, file: "grafana-dashboard.json", promql: grafanaToPromql(e.expr) });
const alerts = YAML.parse(fs.readFileSync(path.join(source, "docker/monitoring/alerts.yml"), "utf8"));
for (const g of alerts.groups) for (const r of g.rules) exprs.push({ file: "alerts.yml", where: r.alert ?? r.record, expr: r.expr, promql: r.expr });
const adapterFile = path.join(source, "docker/k8s/prometheus-adapter-rules.yaml");
const rules = adapterRules(adapterFile);
rules.forEach((r, i) => {
  exprs.push({ file: "prometheus-adapter-rules.yaml", where: `rule ${i} seriesQuery`, expr: r.seriesQuery, promql: r.seriesQuery });
  exprs.push({ file: "prometheus-adapter-rules.yaml", where: `rule ${i} metricsQuery`, expr: r.metricsQuery, promql: adapterToPromql(r.metricsQuery) });
});
const used = new Set();
for (const e of exprs) {
  const p = problemsOf(e.promql, scrape);
  if (e.label) {
    const names = selectors(e.promql).map((s) => s.metric);
    if (!names.some((n) => TARGET_LABELS.has(e.label) || scrape.series.get(n)?.has(e.label))) p.push(`label_values: no label ${e.label}`);
  }
  for (const s of p.length ? [] : selectors(e.promql)) used.add(s.metric);
  check(p.length === 0, `${e.file}: ${e.where}: ${e.expr.replace(/\s+/g, " ").trim()}${p.length ? "\n       " + p.join("\n       ") : ""}`);
}
console.log(`     metrics used: ${[...used].sort().join(" ")}`);

// 3. promtool parses every expression; the adapter's query adds up what it should.
const rulesFile = path.join(work, "expressions.yml");
fs.writeFileSync(rulesFile, YAML.stringify({
  groups: [{ name: "expressions", rules: exprs.map((e, i) => ({ record: `check:expr_${i}`, expr: e.promql })) }],
}));
const parsed = promtool(["check", "rules", rulesFile]);
check(parsed.ok, `promtool parses all ${exprs.length} expressions${parsed.ok ? "" : "\n" + parsed.out}`);
const metricsQuery = adapterToPromql(rules[0].metricsQuery);
// One pod's gauges, constant over the test (csm_slots_in_use and csm_queue_depth too, which the
// query must not count: idle resident sessions and sentences queued behind their own turn).
function podSeries(namespace, pod, g) {
  const names = { slots: "csm_slots", running: "csm_turns_running", waiting: "csm_sessions_waiting",
    inUse: "csm_slots_in_use", queued: "csm_queue_depth" };
  return Object.entries(names).map(([k, name]) =>
    ({ series: `${name}{namespace="${namespace}",pod="${pod}",job="csm-server"}`, values: `${g[k]}x5` }));
}
fs.writeFileSync(path.join(work, "adapter_test.yml"), YAML.stringify({
  rule_files: [],
  tests: [{
    interval: "1m",
    // prod/a: 6 of 8 slots run turns (two idle sessions hold the rest, which is no load);
    // prod/b: all 8 run and 4 sessions wait; prod/c: 16 slots (cuda/), 4 running; prod/d: the
    // model is loading (csm_slots 0), so d has no value rather than a division by zero;
    // dev/a: another namespace, not matched.
    input_series: [
      ...podSeries("prod", "a", { slots: 8, running: 6, waiting: 0, inUse: 8, queued: 0 }),
      ...podSeries("prod", "b", { slots: 8, running: 8, waiting: 4, inUse: 8, queued: 9 }),
      ...podSeries("prod", "c", { slots: 16, running: 4, waiting: 0, inUse: 10, queued: 0 }),
      ...podSeries("prod", "d", { slots: 0, running: 0, waiting: 0, inUse: 0, queued: 0 }),
      ...podSeries("dev", "a", { slots: 8, running: 8, waiting: 8, inUse: 8, queued: 8 }),
    ],
    promql_expr_test: [{
      expr: metricsQuery,
      eval_time: "2m",
      exp_samples: [
        { labels: '{pod="a"}', value: 0.75 },
        { labels: '{pod="b"}', value: 1.5 },
        { labels: '{pod="c"}', value: 0.25 },
      ],
    }],
  }],
}));
const evaluated = promtool(["test", "rules", "adapter_test.yml"], work);
check(evaluated.ok, `prometheus-adapter metricsQuery gives (turns running + sessions waiting) / slots per pod, none for a pod with 0 slots: ${metricsQuery.replace(/\s+/g, " ")}${evaluated.ok ? "" : "\n" + evaluated.out}`);

console.log(`${passed} passed, ${failed} failed`);
if (failed === 0) fs.rmSync(work, { recursive: true, force: true });
else console.log(`files kept in ${work}`);
process.exit(failed ? 1 : 0);
