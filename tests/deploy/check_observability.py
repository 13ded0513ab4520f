#!/usr/bin/env python3
"""Checks that recplat's metrics, dashboards, rules and docs agree (ctest: ObservabilityCheck).

- The committed dashboards (deploy/grafana/*.json) are what make_dashboards.py writes.
- Every dashboard is valid JSON with unique panel ids and uids, and every panel has queries.
- Every metric a dashboard or a rule reads is in the metrics table of docs/operations.md.
- Every metric the sources register (a "recplat_..." name in core/, frontends/, apps/,
  trainers/) is in that table, and every name in the table is registered somewhere.

Usage: check_observability.py [--root REPO]   (exit 1 with the reasons when a check fails)
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

METRIC = re.compile(r"\b((?:recplat|process)_[a-z0-9_]+)\b")
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")
# Names built at run time rather than written out: RequestMetrics(registry, "grpc") makes
# recplat_<frontend>_requests_total and recplat_<frontend>_request_latency_seconds.
BUILT_NAMES = {"recplat_grpc_requests_total", "recplat_grpc_request_latency_seconds"}
# process_* series of ProcessCollector (core/common/metrics/process_metrics.cc).
SOURCE_DIRS = ("core", "frontends", "apps", "trainers")


def base_name(name, documented):
    """A histogram's series name without _bucket/_count/_sum when the base is documented."""
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in documented:
            return name[: -len(suffix)]
    return name


def documented_metrics(root):
    """Metric names of the docs/operations.md metrics table (first column, in backquotes)."""
    names = set()
    with open(os.path.join(root, "docs", "operations.md"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\|\s*`((?:recplat|process)_[a-z0-9_]+)`\s*\|", line)
            if m:
                names.add(m.group(1))
    return names


def source_metrics(root):
    """recplat_* names written as string literals in the sources, and the process_* names."""
    names = set()
    for d in SOURCE_DIRS:
        for path in glob.glob(os.path.join(root, d, "**", "*.cc"), recursive=True) + glob.glob(
            os.path.join(root, d, "**", "*.h"), recursive=True
        ):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for m in re.finditer(r'"((?:recplat|process)_[a-z0-9_]+)"', text):
                names.add(m.group(1))
    # Prefixes that are not names (e.g. "recplat_" in StrCat) end with "_".
    return {n for n in names if not n.endswith("_")}


def check_dashboards(root, errors):
    grafana = os.path.join(root, "deploy", "grafana")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, os.path.join(grafana, "make_dashboards.py"), "--out", out],
                       check=True)
        generated = sorted(os.listdir(out))
        committed = sorted(os.path.basename(p) for p in glob.glob(os.path.join(grafana, "*.json")))
        if generated != committed:
            errors.append(f"dashboards: generated {generated}, committed {committed}")
        for name in generated:
            with open(os.path.join(out, name), encoding="utf-8") as f:
                want = f.read()
            path = os.path.join(grafana, name)
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    if f.read() != want:
                        errors.append(f"{name}: differs from what make_dashboards.py writes "
                                      "(rerun it)")
    exprs = []
    uids = set()
    for path in sorted(glob.glob(os.path.join(grafana, "*.json"))):
        name = os.path.basename(path)
        try:
            with open(path, encoding="utf-8") as f:
                dashboard = json.load(f)
        except ValueError as e:
            errors.append(f"{name}: not JSON: {e}")
            continue
        if dashboard.get("uid") in uids:
            errors.append(f"{name}: uid {dashboard.get('uid')} repeated")
        uids.add(dashboard.get("uid"))
        ids = [p["id"] for p in dashboard["panels"]]
        if len(ids) != len(set(ids)):
            errors.append(f"{name}: panel ids repeat")
        for panel in dashboard["panels"]:
            if panel["type"] == "row":
                continue
            targets = [t.get("expr", "") for t in panel.get("targets", [])]
            if not targets or not all(targets):
                errors.append(f"{name}: panel '{panel['title']}' has no query")
            exprs.extend((name, e) for e in targets)
    return exprs


def rule_exprs(root):
    exprs = []
    for path in sorted(glob.glob(os.path.join(root, "deploy", "prometheus", "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            exprs.append((os.path.basename(path), f.read()))
    return exprs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    root = os.path.abspath(parser.parse_args().root)
    errors = []
    documented = documented_metrics(root)
    if not documented:
        errors.append("docs/operations.md: no metrics table found")
    exprs = check_dashboards(root, errors) + rule_exprs(root)
    for where, text in exprs:
        for m in METRIC.finditer(text):
            name = base_name(m.group(1), documented)
            if name not in documented:
                errors.append(f"{where}: reads {name}, which docs/operations.md does not list")
    registered = source_metrics(root) | BUILT_NAMES
    for name in sorted(registered - documented):
        errors.append(f"{name} is registered in the sources but not in docs/operations.md")
    for name in sorted(documented - registered):
        errors.append(f"docs/operations.md lists {name}, which no source registers")
    for e in sorted(set(errors)):
        print(e, file=sys.stderr)
    if errors:
        return 1
    print(f"observability: {len(documented)} metrics documented, {len(exprs)} queries and rule "
          "files checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
