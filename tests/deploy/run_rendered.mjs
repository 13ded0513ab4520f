// Runs the recplat command lines of a rendered chart against a built recplat, on this machine:
// a manual check that the binary accepts every flag and key the chart passes (not in ctest:
// HelmChartTest must not need a C++ build). Usage:
//
//   helm_render -chart deploy/helm/recplat -f tests/deploy/values/scaleout-default.yaml \
//       -json /tmp/objects.json -o /dev/null
//   node tests/deploy/run_rendered.mjs build/apps/recplat/recplat /tmp/objects.json
//
// Each container runs with the rendered arguments and environment, except: the profile is the
// ConfigMap's, written to a temporary directory; the data directory is a temporary one (shared
// by the core and the trainer, as on the PVC); listeners move to 127.0.0.1:0; core.address is
// the core started first; the Renewal token file holds a dummy JWT. A serve process must write
// its ports file within 15 s and answer 200 on /healthz and /readyz; `recplat train` must not
// exit 2 (bad configuration or usage; 1 is a training failure, e.g. no data yet); pending
// subcommands (batch) are skipped. Exit status 1 on any failure.
import fs from "node:fs";
import { spawn } from "node:child_process";

const [bin, objectsFile] = process.argv.slice(2);
if (!bin || !objectsFile) {
  console.error("usage: run_rendered.mjs RECPLAT_BINARY OBJECTS_JSON");
  process.exit(2);
}
const objects = JSON.parse(fs.readFileSync(objectsFile, "utf8")).map((d) => d.object);
const dir = fs.mkdtempSync(`${process.env.TMPDIR ?? "/tmp"}/run-rendered-`);
const profile = objects.find((o) => o.kind === "ConfigMap" && o.data?.["profile.yaml"]);
fs.writeFileSync(`${dir}/profile.yaml`, profile.data["profile.yaml"]);
fs.writeFileSync(`${dir}/token`, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl\n");
const processes = [];
let coreGrpc = null;
let failed = false;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// The core first (frontends need its address), then the rest in order.
const order = (o) => (o.kind === "StatefulSet" ? 0 : o.kind === "Deployment" ? 1 : 2);
const workloads = objects.filter((o) => ["StatefulSet", "Deployment", "CronJob"].includes(o.kind)).sort((a, b) => order(a) - order(b));

try {
  for (const o of workloads) {
    const pod = o.kind === "CronJob" ? o.spec.jobTemplate.spec.template : o.spec.template;
    for (const c of pod.spec.containers) {
      const where = `${o.kind}/${o.metadata.name}`;
      const ports = `${dir}/${o.metadata.name}.ports`;
      let args = c.args.map((a) => {
        if (a === "/etc/recplat/profile.yaml") return `${dir}/profile.yaml`;
        if (a === "/var/lib/recplat") return `${dir}/data`;
        if (a.startsWith("core.address=")) return `core.address=${coreGrpc}`;
        return a.replace(/0\.0\.0\.0:\d+/, "127.0.0.1:0");
      });
      if (args[0] === "batch") {
        console.log(`${where}: skipped (recplat batch is pending)`);
        continue;
      }
      if (args[0] === "serve") args = [...args, "--ports-file", ports];
      const env = { PATH: process.env.PATH };
      for (const e of c.env ?? []) env[e.name] = e.name === "RENEWAL_TOKEN" ? `${dir}/token` : e.value;
      const p = spawn(bin, args, { env });
      processes.push(p);
      let output = "";
      p.stdout.on("data", (d) => (output += d));
      p.stderr.on("data", (d) => (output += d));
      let status = null;
      for (const t0 = Date.now(); Date.now() - t0 < 15000 && status === null; await sleep(100)) {
        if (p.exitCode !== null) status = `exit ${p.exitCode}`;
        else if (args[0] === "serve" && fs.existsSync(ports) && fs.readFileSync(ports, "utf8").trim()) status = "serving";
      }
      let ok;
      if (args[0] === "serve") {
        ok = status === "serving";
        if (ok) {
          const bound = JSON.parse(fs.readFileSync(ports, "utf8"));
          if (o.kind === "StatefulSet") coreGrpc = bound.grpc;
          for (const path of ["/healthz", "/readyz"]) {
            const code = await fetch(`http://${bound.http}${path}`).then((r) => r.status, () => "no answer");
            status += ` ${path} ${code}`;
            ok &&= code === 200;
          }
        }
      } else {
        ok = status !== null && status !== "exit 2";
      }
      console.log(`${ok ? "ok" : "FAIL"}: ${where}: recplat ${args[0]}: ${status ?? "timeout"}`);
      if (!ok) {
        failed = true;
        console.log(output.split("\n").slice(-8).join("\n"));
      }
    }
  }
} finally {
  for (const p of processes) if (p.exitCode === null) p.kill("SIGTERM");
  await sleep(500);
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
