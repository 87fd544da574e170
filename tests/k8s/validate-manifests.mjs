// Validates the Kubernetes manifests of docker/k8s offline, with no cluster:
//  - every object, in every file and in every kustomization's rendered output, against the
//    OpenAPI schemas of its apiVersion and kind: Kubernetes 1.33 (kubernetes-models) and the
//    prometheus-operator CRDs (@kubernetes-models/prometheus-operator), as pinned in
//    package-lock.json; an apiVersion/kind with no pinned schema is an error;
//  - fields the schemas do not declare (the OpenAPI schemas allow unknown fields, which the
//    API server would drop or refuse: a typo'd probe or grace period would pass unnoticed),
//    by the types kubernetes-models declares for each schema; for a CRD only by name;
//  - what the schemas cannot say: selectors that match the pods, named ports that exist, the
//    HPA's target and metric (served by the prometheus-adapter rule), the config file that the
//    Deployment runs (valid JSON, listening on the container port), probes on /healthz and
//    /readyz, a preStop sleep and a grace period longer than preStop + drain.
// Kustomizations are rendered here (resources, images, JSON 6902 patches; anything else is an
// error), since no kustomize runs in CI.
//   node validate-manifests.mjs K8S_DIR           validate; exit 1 with every problem listed
//   node validate-manifests.mjs --self-check K8S_DIR
//        copies K8S_DIR to a temporary folder, breaks it in several ways, and checks that
//        each broken copy is refused with the expected message (exit 1 if one is accepted)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import YAML from "yaml";

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------
// Schemas

const CRD_PACKAGES = { "monitoring.coreos.com": "@kubernetes-models/prometheus-operator" };

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const spec = CRD_PACKAGES[group]
    ? `${CRD_PACKAGES[group]}/${group}/${version}/${kind}`
    : `kubernetes-models/${group ? group + "/" : ""}${version}/${kind}`;
  try {
    const mod = await import(spec);
    return { model: mod[kind], builtin: !CRD_PACKAGES[group], spec };
  } catch {
    return null;
  }
}

// The declared properties of the built-in kinds, read from kubernetes-models' type
// declarations (one interface per OpenAPI definition, generated from the same spec as the
// validators): { file -> { properties: {name -> type text}, imports: {type -> file} } }.
const declarations = new Map();
function declaration(file) {
  if (declarations.has(file)) return declarations.get(file);
  const text = fs.readFileSync(file, "utf8");
  const imports = {};
  for (const m of text.matchAll(/import \{ ([^}]+) \} from "([^"]+)";/g)) {
    let target = m[2];
    if (target.startsWith(".")) target = path.resolve(path.dirname(file), target);
    else target = require.resolve(target.replace(/(\.js)?$/, ""), { paths: [path.dirname(file)] });
    target = target.replace(/\.(m?js|d\.ts)$/, "") + ".d.ts";
    for (const name of m[1].split(",")) imports[name.trim().split(" as ").pop()] = target;
  }
  const body = text.match(/export interface I\w+(?: extends [\w, ]+)? \{([\s\S]*?)\n\}/);
  const properties = {};
  if (body) {
    const lines = body[1].replace(/\/\*\*[\s\S]*?\*\//g, "").split("\n");
    for (const line of lines) {
      // `    "name"?: Type;`, or the first line of an inline type (`{`) that goes on below
      const p = line.match(/^ {4}"([^"]+)"\??: (.+?);?$/);
      if (p) properties[p[1]] = p[2];
    }
  }
  const d = { properties, imports, hasBody: Boolean(body) };
  declarations.set(file, d);
  return d;
}

// Paths of fields in `value` that the declaration of `file` does not declare.
function unknownFields(value, file, at, out) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return;
  const d = declaration(file);
  if (!d.hasBody) return;  // a type alias (IntOrString, Quantity, ...): nothing to check
  for (const [key, child] of Object.entries(value)) {
    const type = d.properties[key];
    if (type === undefined) {
      out.push(`${at}.${key}: unknown field`);
      continue;
    }
    const named = type.match(/^(?:Array<)?(I\w+)>?$/);
    if (!named || !d.imports[named[1]]) continue;  // a scalar, a map or an inline type
    const items = type.startsWith("Array<") ? (Array.isArray(child) ? child : []) : [child];
    items.forEach((item, i) =>
      unknownFields(item, d.imports[named[1]], type.startsWith("Array<") ? `${at}.${key}[${i}]` : `${at}.${key}`, out));
  }
}

async function schemaErrors(obj) {
  if (!obj || typeof obj !== "object" || !obj.apiVersion || !obj.kind) {
    return { errors: ["not a Kubernetes object (no apiVersion/kind)"] };
  }
  const found = await modelFor(obj.apiVersion, obj.kind);
  if (!found || typeof found.model?.prototype?.validate !== "function") {
    return { errors: [`no pinned schema for ${obj.apiVersion} ${obj.kind}`] };
  }
  const errors = [];
  try {
    new found.model(obj).validate();
  } catch (e) {
    errors.push(...String(e.message).split(/, (?=data)/).map((s) => s.replace(/^data/, "")));
  }
  const file = require.resolve(found.spec).replace(/\.(m?js)$/, ".d.ts");
  if (found.builtin) unknownFields(obj, file, "", errors);
  else {
    // A CRD's declaration is one nested inline type: a weaker check, every field name must be
    // a property name somewhere in it (or in ObjectMeta, for metadata).
    const text = fs.readFileSync(file, "utf8");
    const known = new Set([...text.matchAll(/^ *"([^"]+)"\??:/gm)].map((m) => m[1]));
    const maps = new Set([...text.matchAll(/"([^"]+)"\??: \{\s*\[key: string\]/g)].map((m) => m[1]));
    const walk = (v, at) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (!known.has(k)) errors.push(`${at}.${k}: unknown field`);
          else if (!maps.has(k)) walk(x, `${at}.${k}`);  // a map's keys are free
        }
      }
    };
    walk({ ...obj, metadata: undefined }, "");
    if (obj.metadata) unknownFields({ metadata: obj.metadata }, require.resolve("kubernetes-models/v1/Pod").replace(/\.(m?js)$/, ".d.ts"), "", errors);
  }
  return { errors, schema: found.spec };
}

// ---------------------------------------------------------------------------------------
// Loading and rendering

function loadDocs(file) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  const objs = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const v = doc.toJS();
    if (v !== null && v !== undefined) objs.push(v);
  }
  return objs;
}

function decodePointer(p) {
  if (!p.startsWith("/")) throw new Error(`JSON pointer ${p} does not start with /`);
  return p.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function applyOp(obj, op, where) {
  const keys = Object.keys(op).sort().join(",");
  if (!["op,path,value", "op,path"].includes(keys)) throw new Error(`${where}: unsupported operation fields ${keys}`);
  const parts = decodePointer(op.path);
  const last = parts.pop();
  let parent = obj;
  for (const k of parts) {
    parent = Array.isArray(parent) ? parent[Number(k)] : parent?.[k];
    if (parent === undefined || parent === null) throw new Error(`${where}: ${op.path}: no such path`);
  }
  const isArr = Array.isArray(parent);
  const exists = isArr ? Number(last) < parent.length : Object.hasOwn(parent, last);
  switch (op.op) {
    case "add":
      if (isArr) {
        if (last === "-") parent.push(op.value);
        else parent.splice(Number(last), 0, op.value);
      } else parent[last] = op.value;
      break;
    case "replace":
      if (!exists) throw new Error(`${where}: replace ${op.path}: no such path`);
      parent[last] = op.value;
      break;
    case "remove":
      if (!exists) throw new Error(`${where}: remove ${op.path}: no such path`);
      if (isArr) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    default:
      throw new Error(`${where}: unsupported op ${op.op}`);
  }
}

function podSpecs(obj) {
  const spec = obj.spec?.template?.spec ?? (obj.kind === "Pod" ? obj.spec : undefined);
  return spec ? [spec] : [];
}

// Renders DIR/kustomization.yaml: [{obj, from}], and the patch files it used.
function render(dir, patchFiles, seen = new Set()) {
  const kfile = path.join(dir, "kustomization.yaml");
  if (seen.has(kfile)) throw new Error(`${kfile}: cycle`);
  seen.add(kfile);
  const k = loadDocs(kfile)[0] ?? {};
  const allowed = ["apiVersion", "kind", "resources", "images", "patches"];
  for (const key of Object.keys(k)) {
    if (!allowed.includes(key)) throw new Error(`${kfile}: '${key}' is not rendered offline (only ${allowed.join(", ")})`);
  }
  if (k.apiVersion !== "kustomize.config.k8s.io/v1beta1" || k.kind !== "Kustomization") {
    throw new Error(`${kfile}: apiVersion/kind must be kustomize.config.k8s.io/v1beta1 Kustomization`);
  }
  let out = [];
  for (const r of k.resources ?? []) {
    const p = path.resolve(dir, r);
    if (!fs.existsSync(p)) throw new Error(`${kfile}: resource ${r} does not exist`);
    if (fs.statSync(p).isDirectory()) out.push(...render(p, patchFiles, seen));
    else out.push(...loadDocs(p).map((obj) => ({ obj, from: p })));
  }
  out = structuredClone(out);
  for (const patch of k.patches ?? []) {
    const where = `${kfile}: patch ${patch.path}`;
    for (const key of Object.keys(patch)) {
      if (!["path", "target"].includes(key)) throw new Error(`${where}: '${key}' is not rendered offline`);
    }
    const pfile = path.resolve(dir, patch.path);
    patchFiles.add(pfile);
    const ops = loadDocs(pfile)[0];
    if (!Array.isArray(ops)) throw new Error(`${where}: only JSON 6902 patches (a list of operations) are rendered offline`);
    const t = patch.target ?? {};
    const matches = out.filter(({ obj }) => {
      const [g, v] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
      return (t.group === undefined || t.group === g) && (t.version === undefined || t.version === v) &&
        (t.kind === undefined || t.kind === obj.kind) && (t.name === undefined || t.name === obj.metadata?.name);
    });
    if (matches.length === 0) throw new Error(`${where}: its target matches no resource`);
    for (const m of matches) ops.forEach((op) => applyOp(m.obj, op, where));
  }
  for (const img of k.images ?? []) {
    let used = false;
    for (const { obj } of out) {
      for (const spec of podSpecs(obj)) {
        for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
          const name = c.image.replace(/@.*$/, "").replace(/:[^:/]*$/, "");
          if (name !== img.name) continue;
          used = true;
          const tag = img.newTag ?? (c.image.match(/:([^:/@]+)$/) ?? [])[1];
          c.image = (img.newName ?? name) + (tag ? `:${tag}` : "");
        }
      }
    }
    if (!used) throw new Error(`${kfile}: image ${img.name} is in no container`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// What the schemas cannot check

function matchesLabels(selector, labels) {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

function preStopSeconds(container) {
  const h = container.lifecycle?.preStop;
  if (h?.sleep?.seconds !== undefined) return Number(h.sleep.seconds);
  const cmd = h?.exec?.command ?? [];
  if (cmd[0] === "sleep" && /^\d+$/.test(cmd[1] ?? "")) return Number(cmd[1]);
  return null;
}

function adapterMetrics(objs) {
  const names = new Set();
  for (const { obj } of objs) {
    const text = obj.kind === "ConfigMap" ? obj.data?.["config.yaml"] : undefined;
    if (!text) continue;
    const config = YAML.parse(text);
    for (const rule of config?.rules ?? []) {
      for (const key of ["seriesQuery", "resources", "name", "metricsQuery"]) {
        if (rule[key] === undefined) throw new Error(`prometheus-adapter rule without ${key}`);
      }
      if (!rule.metricsQuery.includes("<<.LabelMatchers>>") || !rule.metricsQuery.includes("<<.GroupBy>>")) {
        throw new Error("prometheus-adapter metricsQuery must use <<.LabelMatchers>> and <<.GroupBy>>");
      }
      const overrides = rule.resources?.overrides ?? {};
      if (overrides.pod?.resource !== "pod" || overrides.namespace?.resource !== "namespace") {
        throw new Error("prometheus-adapter rule must map the namespace and pod labels to their resources");
      }
      names.add(rule.name.as ?? rule.seriesQuery.match(/^\w+/)[0]);
    }
  }
  return names;
}

function crossChecks(objs, adapterNames, problems) {
  const byKind = (kind) => objs.filter(({ obj }) => obj.kind === kind).map(({ obj }) => obj);
  const say = (what) => problems.push(what);
  const ids = new Set();
  for (const { obj } of objs) {
    const id = `${obj.kind}/${obj.metadata?.name}`;
    if (ids.has(id)) say(`${id} defined twice`);
    ids.add(id);
  }
  const configMaps = new Map(byKind("ConfigMap").map((c) => [c.metadata.name, c]));
  const deployments = byKind("Deployment");
  const services = byKind("Service");
  for (const d of deployments) {
    const id = `Deployment/${d.metadata.name}`;
    const pod = d.spec.template;
    if (!matchesLabels(d.spec.selector.matchLabels, pod.metadata?.labels)) say(`${id}: selector does not match the pod labels`);
    const grace = pod.spec.terminationGracePeriodSeconds;
    for (const c of pod.spec.containers) {
      const cid = `${id} container ${c.name}`;
      const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
      for (const [probe, wanted] of [["startupProbe", "/healthz"], ["livenessProbe", "/healthz"], ["readinessProbe", "/readyz"]]) {
        const get = c[probe]?.httpGet;
        if (!get) { say(`${cid}: no ${probe}`); continue; }
        if (get.path !== wanted) say(`${cid}: ${probe} on ${get.path}, not ${wanted}`);
        if (typeof get.port === "string" && !ports.has(get.port)) say(`${cid}: ${probe} names port ${get.port}, which the container does not have`);
      }
      // The server config it runs: --config FILE from a mounted ConfigMap.
      const args = c.args ?? [];
      const at = args.indexOf("--config");
      let drainMs = 5000;
      if (at < 0) say(`${cid}: no --config`);
      else {
        const file = args[at + 1];
        const mount = (c.volumeMounts ?? []).find((m) => file.startsWith(m.mountPath + "/"));
        const volume = pod.spec.volumes?.find((v) => v.name === mount?.name);
        const cm = configMaps.get(volume?.configMap?.name);
        const text = cm?.data?.[path.basename(file)];
        if (!text) say(`${cid}: --config ${file} is not a key of a ConfigMap mounted there`);
        else {
          let config;
          try { config = JSON.parse(text); } catch (e) { say(`${cid}: ${file} is not JSON: ${e.message}`); }
          if (config) {
            if (config.server?.host !== "0.0.0.0") say(`${cid}: ${file} must set server.host 0.0.0.0 (else nothing outside the pod reaches it)`);
            const port = config.server?.port ?? 8080;
            if (ports.get("http") !== port) say(`${cid}: port http is ${ports.get("http")}, the server listens on ${port}`);
            drainMs = config.limits?.shutdown_drain_ms ?? 5000;
          }
        }
      }
      const sleep = preStopSeconds(c);
      if (sleep === null) say(`${cid}: no preStop sleep (endpoints must update before SIGTERM)`);
      else if (!(grace > sleep + drainMs / 1000 + 2)) {
        say(`${id}: terminationGracePeriodSeconds ${grace} must exceed preStop ${sleep} s + drain ${drainMs / 1000} s + 2 s`);
      }
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) {
        say(`${cid}: needs cpu and memory requests and a memory limit`);
      }
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.configMapKeyRef;
        if (ref && !configMaps.has(ref.name)) say(`${cid}: env ${e.name} names ConfigMap ${ref.name}, not defined`);
      }
    }
    for (const v of pod.spec.volumes ?? []) {
      if (v.configMap && !configMaps.has(v.configMap.name)) say(`${id}: volume ${v.name} names ConfigMap ${v.configMap.name}, not defined`);
    }
  }
  const podLabels = deployments.map((d) => d.spec.template.metadata?.labels ?? {});
  for (const s of services) {
    const id = `Service/${s.metadata.name}`;
    const backs = deployments.filter((d) => matchesLabels(s.spec.selector, d.spec.template.metadata?.labels));
    if (backs.length === 0) say(`${id}: selector matches no Deployment's pods`);
    for (const p of s.spec.ports ?? []) {
      if (typeof p.targetPort !== "string") continue;
      for (const d of backs) {
        if (!d.spec.template.spec.containers.some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort))) {
          say(`${id}: targetPort ${p.targetPort} is no port of Deployment/${d.metadata.name}`);
        }
      }
    }
  }
  const hpas = byKind("HorizontalPodAutoscaler");
  for (const h of hpas) {
    const id = `HorizontalPodAutoscaler/${h.metadata.name}`;
    const ref = h.spec.scaleTargetRef;
    if (!deployments.some((d) => ref.kind === "Deployment" && d.metadata.name === ref.name)) say(`${id}: scaleTargetRef ${ref.kind}/${ref.name} is not defined`);
    for (const m of h.spec.metrics ?? []) {
      if (m.type === "Pods" && !adapterNames.has(m.pods.metric.name)) {
        say(`${id}: Pods metric ${m.pods.metric.name} is served by no prometheus-adapter rule (${[...adapterNames].join(", ") || "none"})`);
      }
    }
  }
  for (const p of byKind("PodDisruptionBudget")) {
    const id = `PodDisruptionBudget/${p.metadata.name}`;
    if (!podLabels.some((l) => matchesLabels(p.spec.selector?.matchLabels, l))) say(`${id}: selector matches no pods`);
    const minReplicas = Math.min(...hpas.map((h) => h.spec.minReplicas ?? 1));
    if (typeof p.spec.maxUnavailable === "number" && hpas.length && p.spec.maxUnavailable >= minReplicas) {
      say(`${id}: maxUnavailable ${p.spec.maxUnavailable} would let a disruption take every pod (HPA minReplicas ${minReplicas})`);
    }
  }
  for (const m of byKind("ServiceMonitor")) {
    const id = `ServiceMonitor/${m.metadata.name}`;
    const targets = services.filter((s) => matchesLabels(m.spec.selector?.matchLabels, s.metadata.labels));
    if (targets.length === 0) say(`${id}: selector matches no Service's labels`);
    for (const e of m.spec.endpoints ?? []) {
      if (!targets.every((s) => s.spec.ports.some((p) => p.name === e.port))) say(`${id}: endpoint port ${e.port} is no port of the Services it selects`);
      if (e.path !== "/metrics") say(`${id}: endpoint path ${e.path}, not /metrics`);
    }
  }
}

// ---------------------------------------------------------------------------------------

function yamlFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(e.name) ? [p] : [];
  }).sort();
}

async function validate(root, log = console.log) {
  const problems = [];
  const rel = (p) => path.relative(root, p) || ".";
  let checked = 0;
  const check = async (obj, where) => {
    const { errors, schema } = await schemaErrors(obj);
    checked++;
    const id = `${obj?.kind}/${obj?.metadata?.name}`;
    if (errors.length) errors.forEach((e) => problems.push(`${where}: ${id}: ${e}`));
    else log(`ok   ${where}: ${id} (${schema})`);
  };
  const patchFiles = new Set();
  const kustomizations = yamlFiles(root).filter((f) => path.basename(f) === "kustomization.yaml");
  const renders = [];
  for (const k of kustomizations) {
    try {
      renders.push({ dir: path.dirname(k), objs: render(path.dirname(k), patchFiles) });
    } catch (e) {
      problems.push(e.message.replaceAll(root + "/", ""));
    }
  }
  // Every file that is neither a kustomization nor a patch holds objects.
  const standalone = [];
  for (const f of yamlFiles(root)) {
    if (path.basename(f) === "kustomization.yaml" || patchFiles.has(f)) continue;
    let objs;
    try { objs = loadDocs(f); } catch (e) { problems.push(e.message); continue; }
    if (objs.length === 0) problems.push(`${rel(f)}: no object`);
    for (const obj of objs) {
      await check(obj, rel(f));
      standalone.push({ obj, from: f });
    }
  }
  let adapterNames = new Set();
  try { adapterNames = adapterMetrics(standalone); } catch (e) { problems.push(`prometheus-adapter config: ${e.message}`); }
  if (adapterNames.size === 0) problems.push("no prometheus-adapter rule (a ConfigMap with config.yaml) in " + root);
  for (const { dir, objs } of renders) {
    const where = `kustomize ${rel(dir)}`;
    for (const { obj } of objs) await check(obj, where);
    const before = problems.length;
    try {
      crossChecks(objs, adapterNames, problems);
    } catch (e) {
      problems.push(`${where}: ${e.message}`);
    }
    for (let i = before; i < problems.length; i++) problems[i] = `${where}: ${problems[i]}`;
    const gpu = objs.some(({ obj }) => podSpecs(obj).some((s) => s.containers.some((c) => c.resources?.limits?.["nvidia.com/gpu"])));
    const cudaImage = objs.some(({ obj }) => podSpecs(obj).some((s) => s.containers.some((c) => c.image.endsWith(":cuda"))));
    if (gpu !== cudaImage) problems.push(`${where}: a GPU limit and the :cuda image go together (gpu ${gpu}, cuda image ${cudaImage})`);
    if (problems.length === before) log(`ok   ${where}: ${objs.length} objects, cross-checks pass${gpu ? " (GPU)" : ""}`);
  }
  if (renders.length === 0) problems.push(`no kustomization.yaml in ${root}`);
  return { problems, checked };
}

// Breaks a copy of the manifests in one way each; every copy must be refused.
const BREAKAGES = [
  ["deployment.yaml", (s) => s.replace("terminationGracePeriodSeconds: 60", "terminationGracePeriodSeconds: 20"), "must exceed preStop"],
  ["deployment.yaml", (s) => s.replace("failureThreshold: 60", "failureThreshold: sixty"), "failureThreshold must be integer"],
  ["deployment.yaml", (s) => s.replace("readinessProbe:", "readinesProbe:"), "readinesProbe: unknown field"],
  ["deployment.yaml", (s) => s.replace("path: /readyz", "path: /ready"), "not /readyz"],
  ["hpa.yaml", (s) => s.replace('averageValue: "750m"', 'averageValue: "75%"'), "averageValue must match format \"quantity\""],
  ["hpa.yaml", (s) => s.replace("name: csm_slot_utilization", "name: csm_slot_utilisation"), "served by no prometheus-adapter rule"],
  ["pdb.yaml", (s) => s.replace("apiVersion: policy/v1", "apiVersion: policy/v1beta2"), "no pinned schema"],
  ["servicemonitor.yaml", (s) => s.replace("endpoints:", "endpoint:"), "/spec must have required property endpoints"],
  ["servicemonitor.yaml", (s) => s.replace("scrapeTimeout:", "scrapeTimout:"), ".spec.endpoints[0].scrapeTimout: unknown field"],
  ["service.yaml", (s) => s.replace("targetPort: http", "targetPort: web"), "targetPort web is no port"],
  ["configmap.yaml", (s) => s.replace('"host": "0.0.0.0",', '"host": "0.0.0.0"'), "is not JSON"],
  ["cuda/deployment-patch.yaml", (s) => s.replace("/containers/0/startupProbe/failureThreshold", "/containers/0/startupProbe/failures"), "no such path"],
  ["cuda/deployment-patch.yaml", (s) => s.replace('nvidia.com/gpu: "1"', 'nvidia.com/gpu: "one"'), "must match format \"quantity\""],
];

async function selfCheck(root) {
  let failed = 0;
  for (const [file, edit, expected] of BREAKAGES) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "csm-k8s-"));
    try {
      fs.cpSync(root, tmp, { recursive: true });
      const f = path.join(tmp, file);
      const before = fs.readFileSync(f, "utf8");
      const after = edit(before);
      if (after === before) {
        console.log(`FAIL ${file}: the breakage no longer applies (edit it in BREAKAGES)`);
        failed++;
        continue;
      }
      fs.writeFileSync(f, after);
      const { problems } = await validate(tmp, () => {});
      const hit = problems.find((p) => p.includes(expected));
      if (hit) console.log(`ok   broken ${file} refused: ${hit}`);
      else {
        console.log(`FAIL broken ${file} not refused with "${expected}"; problems: ${JSON.stringify(problems)}`);
        failed++;
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  console.log(`${BREAKAGES.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

const args = process.argv.slice(2);
if (args[0] === "--help" && args.length === 1) {
  console.log("usage: validate-manifests.mjs [--self-check] K8S_DIR");
} else if (args[0] === "--self-check" && args.length === 2) {
  process.exit(await selfCheck(path.resolve(args[1])));
} else if (args.length === 1 && !args[0].startsWith("-")) {
  const root = path.resolve(args[0]);
  const { problems, checked } = await validate(root);
  for (const p of problems) console.log(`FAIL ${p}`);
  console.log(`${checked} objects checked against the pinned schemas; ${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
} else {
  console.error("usage: validate-manifests.mjs [--self-check] K8S_DIR");
  process.exit(2);
}
