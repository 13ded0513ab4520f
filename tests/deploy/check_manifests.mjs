// Checks of deploy/helm/recplat (run by tests/deploy/helm_chart_test.sh). Usage:
//
//   node check_manifests.mjs values --modules DIR --schema values.schema.json --values V.json
//       The merged values (helm_render -values-out) against the chart's JSON schema (ajv).
//   node check_manifests.mjs manifests --modules DIR --objects O.json --values V.json
//        --config-doc docs/configuration.md --main-cc apps/recplat/main.cc [--expect FILE]
//        [--pending-subcommand NAME]...
//       Every rendered object (helm_render -json) against its Kubernetes model
//       (kubernetes-models' validate(): types, required fields, enums), then against the
//       model's declared fields (unknown fields, which validate() lets through), then the
//       references between objects, the pod security settings, and the recplat command lines
//       (flags from main.cc, --set keys and environment names from docs/configuration.md).
//       --expect FILE reads "# expect: Kind/name" and "# expect-not: Kind/name" lines.
//   node check_manifests.mjs self-test --modules DIR --objects O.json
//       The unknown-field check itself: an unknown field injected at every closed object node
//       of every rendered object must be reported at that path, and a wrong type and a missing
//       required field must fail validate().
//
// Exit status 0 when every check passes, 1 otherwise (each problem on stderr).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { TypeIndex } from "./k8s_types.mjs";

function parseArgs(argv) {
  const args = { _: [], "pending-subcommand": [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const k = a.slice(2);
      const v = argv[++i];
      if (Array.isArray(args[k])) args[k].push(v);
      else args[k] = v;
    } else args._.push(a);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const problems = [];
const problem = (msg) => problems.push(msg);
const readJson = (f) => JSON.parse(fs.readFileSync(f, "utf8"));
const requireFromModules = createRequire(path.join(path.resolve(args.modules ?? "."), "noop.js"));

function checkValues() {
  const Ajv = requireFromModules("ajv").default;
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validate = ajv.compile(readJson(args.schema));
  if (!validate(readJson(args.values))) {
    for (const e of validate.errors) {
      problem(`values${e.instancePath || ""}: ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`);
    }
  }
}

// kubernetes-models' validate(), then the declared fields.
function checkObject(index, obj, where) {
  const file = index.modelModule(obj.apiVersion, obj.kind);
  if (!file) {
    problem(`${where}: no Kubernetes model for ${obj.apiVersion} ${obj.kind}`);
    return;
  }
  const Model = requireFromModules(file)[obj.kind];
  try {
    new Model(obj).validate();
  } catch (e) {
    problem(`${where}: ${e.message}`);
  }
  for (const e of index.unknownFields(obj, index.rootType(obj.apiVersion, obj.kind))) problem(`${where}: ${e}`);
}

function checkManifests() {
  const index = new TypeIndex(args.modules);
  const docs = readJson(args.objects);
  const values = args.values ? readJson(args.values) : {};
  const objects = docs.map((d) => d.object);
  const name = (o) => `${o.kind}/${o.metadata?.name}`;
  const seen = new Set();
  for (const d of docs) {
    const where = `${d.source}: ${name(d.object)}`;
    checkObject(index, d.object, where);
    if (seen.has(name(d.object))) problem(`${where}: rendered twice`);
    seen.add(name(d.object));
    const n = d.object.metadata?.name ?? "";
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(n) || n.length > 253) {
      problem(`${where}: metadata.name is not a DNS subdomain`);
    }
    if (d.object.kind === "Service" && n.length > 63) problem(`${where}: a Service name is at most 63 characters`);
  }
  checkReferences(objects);
  checkScrapeSecurity(objects, values);
  checkTraining(objects);
  const recplat = args["config-doc"] ? new RecplatCli(args["config-doc"], args["main-cc"], args["pending-subcommand"]) : null;
  for (const o of objects) {
    for (const pod of podsOf(o)) checkPod(o, pod, objects, recplat, values);
  }
  if (args.expect) {
    const text = fs.readFileSync(args.expect, "utf8");
    for (const m of text.matchAll(/^# expect: (.+)$/gm)) {
      for (const want of m[1].trim().split(/\s+/)) if (!seen.has(want)) problem(`expected ${want} (${args.expect}); rendered: ${[...seen].join(" ")}`);
    }
    for (const m of text.matchAll(/^# expect-not: (.+)$/gm)) {
      for (const want of m[1].trim().split(/\s+/)) if (seen.has(want)) problem(`did not expect ${want} (${args.expect})`);
    }
  }
}

// The ServiceMonitor must scrape the way the pods serve /metrics: HTTPS trusting the metrics
// certificate's CA when a pod sets metrics.tls.cert_file, a client certificate when it sets
// metrics.tls.client_ca_file, and a bearer token from a Secret with key `token` when it sets
// metrics.bearer_token_file.
function checkScrapeSecurity(objects, values) {
  const sets = objects.flatMap((o) => podsOf(o)).flatMap((p) => p.spec.containers).flatMap((c) => c.args ?? []);
  const has = (prefix) => sets.some((a) => a.startsWith(prefix));
  for (const sm of objects.filter((o) => o.kind === "ServiceMonitor")) {
    for (const ep of sm.spec.endpoints) {
      const where = `ServiceMonitor/${sm.metadata.name} endpoint ${ep.port}`;
      if (has("metrics.tls.cert_file=")) {
        if (ep.scheme !== "https") problem(`${where}: the pods serve /metrics over HTTPS but the scheme is ${ep.scheme ?? "http"}`);
        if (ep.tlsConfig?.ca?.secret?.name !== values.tls?.metrics?.secretName) problem(`${where}: tlsConfig.ca does not name the metrics certificate's Secret`);
        if (has("metrics.tls.client_ca_file=") && !(ep.tlsConfig?.cert?.secret?.name && ep.tlsConfig?.keySecret?.name)) problem(`${where}: the pods require a client certificate but the endpoint presents none`);
      } else if (ep.scheme === "https") problem(`${where}: scheme https but the pods serve /metrics over plain HTTP`);
      const cred = ep.authorization?.credentials;
      if (has("metrics.bearer_token_file=")) {
        if (!cred) problem(`${where}: the pods require a bearer token but the endpoint sends none`);
        else if (cred.name !== values.metricsAuth?.existingSecret) {
          const s = objects.find((o) => o.kind === "Secret" && o.metadata.name === cred.name);
          if (!s || !(cred.key in (s.data ?? {}))) problem(`${where}: the token Secret ${cred.name} (key ${cred.key}) is neither rendered nor an existingSecret`);
        }
      } else if (cred) problem(`${where}: sends a bearer token that no pod asks for`);
    }
  }
}

// The pod templates of a workload: [{spec, metadata, path}].
// Exactly one kind of trainer: with a `recplat train` CronJob, every serving process that owns
// state (role all or core) has its training worker off; without one, none has it off (else
// nothing would train). Serving replicas that train (more than one) need the JetStream log,
// whose key-value training lease lets one replica at a time train a model.
function checkTraining(objects) {
  const rows = [];
  for (const o of objects) {
    for (const pod of podsOf(o)) {
      for (const c of pod.spec.containers) {
        if (path.basename((c.command ?? [])[0] ?? "") !== "recplat") continue;
        const argv = [...c.command.slice(1), ...(c.args ?? [])];
        const sets = new Map();
        argv.forEach((a, i) => {
          if (a !== "--set" || argv[i + 1] === undefined) return;
          const v = argv[i + 1];
          sets.set(v.slice(0, v.indexOf("=")), v.slice(v.indexOf("=") + 1));
        });
        const sub = argv.length > 0 && !argv[0].startsWith("-") ? argv[0] : "serve";
        rows.push({ where: `${o.kind}/${o.metadata.name}`, replicas: o.spec?.replicas ?? 1, sub, sets });
      }
    }
  }
  const trainers = rows.filter((r) => r.sub === "train");
  const servers = rows.filter((r) => r.sub === "serve" && (r.sets.get("role") ?? "all") !== "frontend");
  for (const r of servers) {
    const off = r.sets.get("training.enabled") === "false";
    if (trainers.length > 0 && !off) problem(`${r.where}: trains beside ${trainers[0].where} (set training.enabled=false)`);
    if (trainers.length === 0 && off) problem(`${r.where}: training.enabled=false and no trainer CronJob: nothing trains`);
    if (!off && r.replicas > 1 && r.sets.get("log.backend") !== "jetstream") {
      problem(`${r.where}: ${r.replicas} replicas train without the JetStream training lease (log.backend=jetstream)`);
    }
  }
}

function podsOf(o) {
  switch (o.kind) {
    case "Deployment":
    case "StatefulSet":
      return [{ ...o.spec.template, claims: (o.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name) }];
    case "CronJob":
      return [{ ...o.spec.jobTemplate.spec.template, claims: [] }];
    default:
      return [];
  }
}

function matches(selector, labels) {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

function checkReferences(objects) {
  const byName = (kind, n) => objects.find((o) => o.kind === kind && o.metadata.name === n);
  const workloads = objects.filter((o) => ["Deployment", "StatefulSet"].includes(o.kind));
  for (const w of workloads) {
    if (!matches(w.spec.selector.matchLabels, w.spec.template.metadata?.labels)) problem(`${w.kind}/${w.metadata.name}: selector does not match its pod labels`);
    if (w.kind === "StatefulSet") {
      const svc = byName("Service", w.spec.serviceName);
      if (!svc) problem(`StatefulSet/${w.metadata.name}: serviceName ${w.spec.serviceName} is not rendered`);
      else if (svc.spec.clusterIP !== "None") problem(`StatefulSet/${w.metadata.name}: serviceName ${w.spec.serviceName} is not headless`);
    }
  }
  for (const svc of objects.filter((o) => o.kind === "Service")) {
    const targets = workloads.filter((w) => matches(svc.spec.selector, w.spec.template.metadata?.labels));
    if (targets.length === 0) {
      problem(`Service/${svc.metadata.name}: its selector matches no rendered workload`);
      continue;
    }
    for (const p of svc.spec.ports) {
      for (const w of targets) {
        const ports = w.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
        const ok = typeof p.targetPort === "string" ? ports.some((cp) => cp.name === p.targetPort) : ports.some((cp) => cp.containerPort === (p.targetPort ?? p.port));
        if (!ok) problem(`Service/${svc.metadata.name}: port ${p.name} targets ${p.targetPort}, which ${w.kind}/${w.metadata.name} does not expose`);
      }
    }
  }
  for (const pdb of objects.filter((o) => o.kind === "PodDisruptionBudget")) {
    if (!workloads.some((w) => matches(pdb.spec.selector.matchLabels, w.spec.template.metadata?.labels))) problem(`PodDisruptionBudget/${pdb.metadata.name}: selects no rendered workload`);
  }
  for (const hpa of objects.filter((o) => o.kind === "HorizontalPodAutoscaler")) {
    const t = hpa.spec.scaleTargetRef;
    const w = byName(t.kind, t.name);
    if (!w) problem(`HorizontalPodAutoscaler/${hpa.metadata.name}: target ${t.kind}/${t.name} is not rendered`);
    else if (w.spec.replicas !== undefined) problem(`HorizontalPodAutoscaler/${hpa.metadata.name}: ${t.kind}/${t.name} sets replicas, which would fight the autoscaler`);
    if (hpa.spec.minReplicas > hpa.spec.maxReplicas) problem(`HorizontalPodAutoscaler/${hpa.metadata.name}: minReplicas > maxReplicas`);
  }
  for (const sm of objects.filter((o) => o.kind === "ServiceMonitor")) {
    const svcs = objects.filter((o) => o.kind === "Service" && matches(sm.spec.selector.matchLabels, o.metadata.labels));
    if (svcs.length === 0) problem(`ServiceMonitor/${sm.metadata.name}: selects no rendered Service`);
    for (const ep of sm.spec.endpoints) {
      for (const s of svcs) if (!s.spec.ports.some((p) => p.name === ep.port)) problem(`ServiceMonitor/${sm.metadata.name}: Service/${s.metadata.name} has no port ${ep.port}`);
    }
  }
  for (const sa of new Set(objects.flatMap((o) => podsOf(o).map((p) => p.spec.serviceAccountName)).filter(Boolean))) {
    if (!byName("ServiceAccount", sa)) problem(`ServiceAccount/${sa} is used by pods but not rendered`);
  }
}

function checkPod(owner, pod, objects, recplat, values) {
  const where = `${owner.kind}/${owner.metadata.name}`;
  const spec = pod.spec;
  const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  const externalSecrets = [values.renewal?.existingSecret, values.objectStore?.s3?.existingSecret, values.eventLog?.nats?.existingSecret,
    values.auth?.existingSecret, values.tls?.http?.secretName, values.tls?.grpc?.secretName, values.tls?.grpc?.clientSecretName, values.tls?.metrics?.secretName,
    values.metricsAuth?.existingSecret].filter(Boolean);
  for (const v of spec.volumes ?? []) {
    if (v.configMap && !objects.some((o) => o.kind === "ConfigMap" && o.metadata.name === v.configMap.name)) problem(`${where}: volume ${v.name}: ConfigMap ${v.configMap.name} is not rendered`);
    if (v.secret && !externalSecrets.includes(v.secret.secretName)) {
      const s = objects.find((o) => o.kind === "Secret" && o.metadata.name === v.secret.secretName);
      if (!s) problem(`${where}: volume ${v.name}: Secret ${v.secret.secretName} is neither rendered nor an existingSecret`);
      for (const item of v.secret.items ?? []) if (s && !(item.key in (s.data ?? {}))) problem(`${where}: volume ${v.name}: Secret ${s.metadata.name} has no key ${item.key}`);
    }
  }
  if (spec.automountServiceAccountToken !== false) problem(`${where}: automountServiceAccountToken must be false (recplat does not call the API)`);
  const psc = spec.securityContext ?? {};
  for (const c of spec.containers) {
    const cw = `${where} container ${c.name}`;
    const csc = c.securityContext ?? {};
    if (!(csc.runAsNonRoot ?? psc.runAsNonRoot)) problem(`${cw}: runAsNonRoot is not set`);
    if (csc.readOnlyRootFilesystem !== true) problem(`${cw}: readOnlyRootFilesystem is not true`);
    if (csc.allowPrivilegeEscalation !== false) problem(`${cw}: allowPrivilegeEscalation is not false`);
    if (!(csc.capabilities?.drop ?? []).includes("ALL")) problem(`${cw}: capabilities are not dropped`);
    if (!c.resources?.requests?.memory || !c.resources?.limits?.memory) problem(`${cw}: memory request and limit are required`);
    const mounts = c.volumeMounts ?? [];
    for (const m of mounts) if (!volumes.has(m.name) && !pod.claims.includes(m.name)) problem(`${cw}: volumeMount ${m.name} has no volume`);
    const tmp = mounts.find((m) => m.mountPath === "/tmp");
    if (!tmp || !volumes.get(tmp.name)?.emptyDir) problem(`${cw}: /tmp must be an emptyDir (read-only root filesystem)`);
    const portNames = new Set((c.ports ?? []).map((p) => p.name));
    for (const [probe, want] of [["livenessProbe", "/healthz"], ["readinessProbe", "/readyz"], ["startupProbe", "/healthz"]]) {
      const p = c[probe];
      if (["Deployment", "StatefulSet"].includes(owner.kind)) {
        if (!p?.httpGet) problem(`${cw}: ${probe} is missing`);
        else {
          if (p.httpGet.path !== want) problem(`${cw}: ${probe} checks ${p.httpGet.path}, expected ${want}`);
          if (!portNames.has(p.httpGet.port)) problem(`${cw}: ${probe} port ${p.httpGet.port} is not a container port`);
        }
      }
    }
    if (recplat) recplat.check(cw, owner, c, mounts, volumes, pod.claims, objects);
  }
}

// What the recplat executable accepts: flags and subcommands (apps/recplat/main.cc),
// configuration keys and environment aliases (docs/configuration.md).
class RecplatCli {
  constructor(configDoc, mainCc, pendingSubcommands) {
    const main = fs.readFileSync(mainCc, "utf8");
    this.options = new Set();
    this.flags = new Set(["--version", "--help", "-h"]);
    for (const m of main.matchAll(/add_(option|flag)\(\s*"([^"]+)"/g)) {
      for (const n of m[2].split(",")) (m[1] === "flag" ? this.flags : this.options).add(n);
    }
    this.subcommands = new Set([...main.matchAll(/add_subcommand\(\s*"([^"]+)"/g)].map((m) => m[1]));
    this.pending = new Set(pendingSubcommands);
    const doc = fs.readFileSync(configDoc, "utf8").split("\n");
    this.keys = [];
    this.aliases = new Set();
    let table = null;
    for (const line of doc) {
      if (/^\| Key \|/.test(line)) table = "keys";
      else if (/^\| Variable \| Key \| Frontend \|/.test(line)) table = "aliases";
      else if (!line.startsWith("|")) table = null;
      const m = /^\| `([^`]+)` \|/.exec(line);
      if (!m || !table) continue;
      if (table === "keys") this.keys.push(m[1]);
      else this.aliases.add(m[1]);
    }
    if (this.keys.length < 20 || this.aliases.size === 0) throw new Error(`${configDoc}: could not read the key tables`);
    const toRegex = (k, upper) => {
      let r = k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/<name>/g, "[A-Za-z0-9_.-]+").replace(/<param>/g, ".+");
      if (upper) r = r.replace(/\\\./g, "_");
      return new RegExp(`^${r}$`, upper ? "i" : "");
    };
    this.keyRegexes = this.keys.map((k) => toRegex(k, false));
    this.envRegexes = this.keys.map((k) => toRegex(k, true));
  }

  isKey(key) {
    // A key, or a section holding keys (e.g. `surfaces.home`, `grpc`).
    return this.keyRegexes.some((r) => r.test(key)) || this.keyRegexes.some((r) => r.test(`${key}.x`)) || this.keys.some((k) => k.startsWith(`${key}.`));
  }

  check(where, owner, c, mounts, volumes, claims, objects) {
    if (path.basename((c.command ?? [])[0] ?? "") !== "recplat") return;
    const argv = [...(c.command.slice(1) ?? []), ...(c.args ?? [])];
    const sets = new Map();
    const opts = new Map();
    let sub = null;
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (!a.startsWith("-")) {
        if (sub !== null) problem(`${where}: stray argument '${a}'`);
        else if (this.subcommands.has(a)) sub = a;
        else if (this.pending.has(a)) {
          sub = a;
          console.error(`check_manifests: note: ${where}: subcommand '${a}' is not in this recplat yet (pending)`);
        } else problem(`${where}: '${a}' is not a recplat subcommand (${[...this.subcommands].join(", ")})`);
        continue;
      }
      if (this.flags.has(a)) continue;
      if (!this.options.has(a)) {
        if (this.pending.has(sub)) {
          // An option of the pending subcommand: it cannot be checked yet.
          console.error(`check_manifests: note: ${where}: option ${a} of pending '${sub}' not checked`);
          if (argv[i + 1] !== undefined && !argv[i + 1].startsWith("-")) i++;
        } else problem(`${where}: recplat has no option ${a}`);
        continue;
      }
      const v = argv[++i];
      if (v === undefined) problem(`${where}: ${a} needs a value`);
      if (a === "--set") {
        const eq = v.indexOf("=");
        if (eq <= 0) problem(`${where}: --set '${v}': expected key=value`);
        const key = v.slice(0, eq);
        if (!this.isKey(key)) problem(`${where}: --set ${key}: not a recplat configuration key (docs/configuration.md)`);
        sets.set(key, v.slice(eq + 1));
      } else opts.set(a, v);
    }
    if (sub === null) sub = "serve";
    // Keys and certificates are files on Secret volumes, never values in the pod spec.
    for (const [key, value] of sets) {
      if (!/^(auth\.[a-z_]+_file|core\.api_key_file|metrics\.bearer_token_file|(http|grpc|core|metrics)\.tls\.[a-z_]+_file)$/.test(key)) continue;
      if (!mounts.some((m) => value.startsWith(`${m.mountPath}/`) && volumes.get(m.name)?.secret)) problem(`${where}: --set ${key}=${value} is not a file on a Secret volume`);
      const m = mounts.find((x) => value.startsWith(`${x.mountPath}/`));
      const items = m && volumes.get(m.name)?.secret?.items;
      if (items && !items.some((i) => `${m.mountPath}/${i.path}` === value)) problem(`${where}: --set ${key}=${value}: the Secret volume ${m.name} does not project that file`);
    }
    for (const e of c.env ?? []) {
      if (e.name.startsWith("RECPLAT_")) {
        const k = e.name.slice("RECPLAT_".length);
        if (!this.envRegexes.some((r) => r.test(k))) problem(`${where}: env ${e.name} matches no recplat key (recplat would refuse to start)`);
      } else if (/^(RENEWAL_|RS_)/.test(e.name) && !this.aliases.has(e.name)) {
        problem(`${where}: env ${e.name} is not a documented alias`);
      }
      if (e.name === "RENEWAL_TOKEN") {
        if (e.valueFrom === undefined && !String(e.value).startsWith("/")) problem(`${where}: RENEWAL_TOKEN must name a file (the token must not be in the pod spec)`);
        else if (e.value && !mounts.some((m) => e.value.startsWith(`${m.mountPath}/`) && volumes.get(m.name)?.secret)) problem(`${where}: RENEWAL_TOKEN file ${e.value} is not on a Secret volume`);
      }
    }
    const mountOf = (p) => mounts.find((m) => p === m.mountPath || p.startsWith(`${m.mountPath}/`));
    const profile = opts.get("--profile");
    if (!profile) problem(`${where}: --profile is missing`);
    else {
      const m = mountOf(profile);
      const cm = m && volumes.get(m.name)?.configMap;
      const obj = cm && objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === cm.name);
      if (!obj || !(path.relative(m.mountPath, profile) in (obj.data ?? {}))) problem(`${where}: --profile ${profile} is not a key of a mounted ConfigMap`);
    }
    const role = sets.get("role") ?? "all";
    if (["serve", "train", "import"].includes(sub) && role !== "frontend") {
      const dir = opts.get("--data-dir") ?? sets.get("data_dir");
      const m = dir && mounts.find((x) => x.mountPath === dir);
      if (!m || m.readOnly) problem(`${where}: the data directory (${dir}) is not a writable volume mount`);
      else if (!claims.includes(m.name) && !volumes.get(m.name)?.persistentVolumeClaim && !volumes.get(m.name)?.emptyDir) problem(`${where}: the data directory is not on a volume`);
    }
    if (role === "frontend") {
      const addr = sets.get("core.address");
      const m = addr && /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc:(\d+)$/.exec(addr);
      const svc = m && objects.find((o) => o.kind === "Service" && o.metadata.name === m[1]);
      if (!svc || !svc.spec.ports.some((p) => p.name === "grpc" && p.port === Number(m[3]))) problem(`${where}: core.address ${addr} is not the grpc port of a rendered Service`);
    }
    if (sub === "serve") {
      for (const l of ["grpc", "http", "metrics"]) {
        const listen = sets.get(`${l}.listen`);
        if (listen === undefined) {
          if (l !== "grpc" || role !== "frontend") problem(`${where}: ${l}.listen is not set (the profile's loopback address would be used)`);
          continue;
        }
        const port = Number(listen.split(":").pop());
        const cp = (c.ports ?? []).find((p) => p.name === l);
        if (!cp || cp.containerPort !== port) problem(`${where}: ${l}.listen ${listen} is not container port ${l}`);
        if (!listen.startsWith("0.0.0.0:") && !listen.startsWith("[::]:")) problem(`${where}: ${l}.listen ${listen} is not reachable from outside the pod`);
      }
    }
  }
}

function selfTest() {
  const index = new TypeIndex(args.modules);
  const docs = readJson(args.objects);
  let injected = 0;
  for (const d of docs) {
    const obj = d.object;
    const type = index.rootType(obj.apiVersion, obj.kind);
    const closed = [];
    const clean = index.unknownFields(obj, type, "", closed);
    if (clean.length > 0) problem(`self-test: ${d.source} is not clean to start with: ${clean.join("; ")}`);
    for (const at of closed) {
      const copy = structuredClone(obj);
      const node = at === "" ? copy : getPath(copy, at);
      node.recplatBogusField = 1;
      const field = `${at}${at ? "." : ""}recplatBogusField`;
      const errs = index.unknownFields(copy, type);
      if (!errs.some((e) => e.startsWith(`${field}: unknown field`))) problem(`self-test: ${obj.kind}/${obj.metadata.name}: an unknown field at ${field} was not reported`);
      injected++;
    }
  }
  // validate() catches types and required fields (the part kubernetes-models does).
  const sts = docs.map((d) => d.object).find((o) => o.kind === "StatefulSet");
  if (!sts) problem("self-test: no StatefulSet rendered");
  else {
    const Model = requireFromModules(index.modelModule(sts.apiVersion, sts.kind)).StatefulSet;
    const bad = structuredClone(sts);
    bad.spec.replicas = "two";
    delete bad.spec.template.spec.containers[0].name;
    try {
      new Model(bad).validate();
      problem("self-test: validate() accepted replicas 'two' and a container without a name");
    } catch (e) {
      if (!/replicas/.test(e.message) || !/name/.test(e.message)) problem(`self-test: validate() missed a problem: ${e.message}`);
    }
  }
  if (injected < 20) problem(`self-test: only ${injected} closed object nodes found`);
  if (problems.length === 0) console.log(`self-test: ${injected} injected unknown fields reported, validate() catches types and required fields`);
}

function getPath(obj, at) {
  let node = obj;
  for (const part of at.match(/[^.[\]]+|\[\d+\]/g)) {
    node = part.startsWith("[") ? node[Number(part.slice(1, -1))] : node[part];
  }
  return node;
}

switch (args._[0]) {
  case "values":
    checkValues();
    break;
  case "manifests":
    checkManifests();
    break;
  case "self-test":
    selfTest();
    break;
  default:
    console.error("usage: check_manifests.mjs values|manifests|self-test --modules DIR ...");
    process.exit(2);
}
if (problems.length > 0) {
  for (const p of problems) console.error(`check_manifests: ${p}`);
  process.exit(1);
}
