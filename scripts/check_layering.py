#!/usr/bin/env python3
"""Checks every #include of the project against its module table (ARCHITECTURE.md, "One owner
of state and policy"; docs/design.md, "Modules").

A module is a folder with its own CMake target. The module of a file is the longest module path
that prefixes it. Rules, for every quoted or angle-bracketed #include of every .h/.cc file:
  1. a project header ("core/...", "frontends/...", "trainers/...", "tools/...", "apps/...")
     must belong to the including file's module or to one of its allowed dependencies (MODULES);
  2. a header under some module's internal/ folder may be included only from that module (and
     from its mirror under tests/, e.g. tests/core/models for core/models);
  3. third-party headers that are slow to compile or that would leak a layer (RocksDB, gRPC,
     LibTorch) only where CONFINED allows them.
tests/ and bench/ may include any public header (they test and measure everything), subject
to rules 2 and 3. Prints one line per violation and exits 1 when there is any.

Usage: scripts/check_layering.py [--root DIR] [--list]
"""

import argparse
import os
import re
import sys

# Module -> modules it may include (besides itself). "proto" is the generated internal API
# (recplat/v1/*.pb.h); every module may include it.
CORE_BASE = ["core/common"]
MODULES = {
    "core/common": [],
    "core/common/metrics": ["core/common"],
    "core/common/s3": ["core/common"],
    "core/common/stomp": ["core/common"],
    "core/api": ["core/common"],
    "core/config": ["core/common"],
    "core/catalog": ["core/common"],
    "core/log": ["core/common"],
    "core/state": ["core/common", "core/catalog", "core/log", "core/shop"],
    "core/shop": ["core/common", "core/catalog"],
    "core/ingest": ["core/common", "core/log", "core/state"],
    "core/models": ["core/common", "core/catalog"],
    "core/registry": ["core/common", "core/common/s3", "core/config", "core/models"],
    "core/training": ["core/common", "core/common/metrics", "core/config", "core/models",
                      "core/registry", "core/state", "core/ingest", "core/catalog",
                      # The training lease's key-value bucket (key_value_bucket.h).
                      "core/log"],
    "core/engine": ["core/common", "core/common/metrics", "core/config", "core/catalog",
                    "core/models", "core/registry", "core/state"],
    "core/eval": ["core/common", "core/catalog", "core/models"],
    "core/monitoring": ["core/common"],
    "core/service": ["core/common", "core/common/metrics", "core/api", "core/config",
                     "core/catalog", "core/log", "core/state", "core/ingest", "core/models",
                     "core/registry", "core/training", "core/engine", "core/shop",
                     "core/monitoring"],
    "core/grpc": ["core/common", "core/common/metrics", "core/api"],
    # Frontends are codecs over core/api: no other core module, no other frontend.
    "frontends/http_rest": ["core/common", "core/common/metrics", "core/api"],
    "frontends/http_rest/ecoseller": ["core/common", "core/api", "frontends/http_rest"],
    "frontends/http_rest/article_rec": ["core/common", "core/api", "frontends/http_rest"],
    "frontends/http_rest/eosc": ["core/common", "core/common/stomp", "core/api",
                                 "frontends/http_rest"],
    "frontends/renewal_ws": ["core/common", "core/common/metrics", "core/api"],
    "frontends/batch": ["core/common", "core/common/metrics", "core/common/s3", "core/api"],
    # The simulator speaks the recsystem protocol from the other end, with the same codec.
    "tools/renewal_sim": ["core/common", "core/api", "frontends/renewal_ws"],
    # Trained families use the public model interface only.
    "trainers/ease": ["core/common", "core/models"],
    # The iALS solver knows no model family (it is shared with batch jobs); ials serves it.
    "trainers/als": ["core/common"],
    "trainers/ials": ["core/common", "core/models", "trainers/als"],
    "trainers/rp3beta": ["core/common", "core/models"],
    "trainers/blend": ["core/common", "core/models"],
    "trainers/similarity": ["core/common", "core/models"],
    "trainers/news": ["core/common", "core/models"],
    "trainers/article_rec": ["core/common", "core/models", "trainers/als"],
    # The LibTorch families share the module loader (dlopen only, no torch headers).
    "trainers/torch_common": [],
    "trainers/torch_gru4rec": ["core/common", "core/models", "trainers/torch_common"],
    "trainers/torch_ncf": ["core/common", "core/models", "trainers/torch_common"],
    "trainers/torch_rl": ["core/common", "core/models", "trainers/torch_common"],
    "trainers/torch_simplex": ["core/common", "core/models", "trainers/torch_common"],
    # The executable wires everything.
    "apps/recplat": ["*"],
}
LEAVES = ("tests/", "bench/")

# Third-party include prefixes -> path regexes of the files that may include them.
CONFINED = [
    (re.compile(r"^rocksdb/"), "RocksDB",
     re.compile(r"^(core/(log|state)/|tests/core/(log|state)/|bench/)")),
    # The NATS C client: the JetStream event log's .cc files only.
    (re.compile(r"^nats/"), "libnats",
     re.compile(r"^(core/log/[a-z0-9_/]+\.cc$|tests/core/log/|bench/)")),
    (re.compile(r"^(grpcpp/|grpc/|grpc\+\+/)|\.grpc\.pb\.h$"), "gRPC",
     re.compile(r"^(core/grpc/|tests/core/grpc/|tests/e2e/|bench/)")),
    (re.compile(r"^(torch/|ATen/|c10/|caffe2/)"), "LibTorch",
     re.compile(r"^(trainers/torch_[a-z0-9_]+/|tests/trainers/torch_[a-z0-9_]+/)")),
    # The one S3 client: libcurl and expat stay in its .cc files.
    (re.compile(r"^(curl/|expat\.h$|expat_external\.h$)"), "libcurl/expat",
     re.compile(r"^(core/common/s3/[a-z0-9_]+\.cc$|tests/core/common/s3/)")),
]

PROJECT_ROOTS = ("core/", "frontends/", "trainers/", "tools/", "apps/")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
SOURCE_DIRS = ("core", "frontends", "trainers", "tools", "apps", "tests", "bench")


def module_of(path):
    """The longest declared module that prefixes `path`, or None."""
    best = None
    for module in MODULES:
        if path.startswith(module + "/") and (best is None or len(module) > len(best)):
            best = module
    return best


def internal_owner(header):
    """For ".../X/internal/...", the folder X; else None."""
    parts = header.split("/")
    if "internal" not in parts[:-1]:
        return None
    return "/".join(parts[: parts.index("internal")])


def check_file(path, text, errors):
    src_module = module_of(path)
    is_leaf = path.startswith(LEAVES)
    for lineno, line in enumerate(text.splitlines(), 1):
        m = INCLUDE.match(line)
        if not m:
            continue
        header = m.group(2)
        close = ">" if m.group(1) == "<" else '"'
        where = f"{path}:{lineno}: #include {m.group(1)}{header}{close}"
        for pattern, name, allowed in CONFINED:
            if pattern.search(header) and not allowed.search(path):
                errors.append(f"{where}: {name} headers are confined to other modules")
        if not header.startswith(PROJECT_ROOTS):
            continue
        owner = internal_owner(header)
        if owner is not None:
            mirror = "tests/" + owner
            if not (path.startswith(owner + "/") or path.startswith(mirror + "/")):
                errors.append(f"{where}: {owner}/internal/ is private to {owner}")
                continue
        if is_leaf:
            continue
        if src_module is None:
            errors.append(f"{where}: {os.path.dirname(path)} is not in the module table")
            continue
        dst_module = module_of(header)
        if dst_module is None:
            errors.append(f"{where}: {os.path.dirname(header)} is not in the module table")
            continue
        allowed = MODULES[src_module]
        if dst_module == src_module or "*" in allowed or dst_module in allowed:
            continue
        errors.append(f"{where}: {src_module} may not depend on {dst_module} "
                      f"(allowed: {', '.join(allowed) or 'nothing'})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    parser.add_argument("--list", action="store_true", help="print the module table")
    args = parser.parse_args()
    if args.list:
        for module, deps in MODULES.items():
            print(f"{module}: {', '.join(deps) or '-'}")
        return 0
    root = os.path.abspath(args.root)
    errors = []
    checked = 0
    for top in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith((".h", ".cc")):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, root)
                with open(full, encoding="utf-8", errors="replace") as f:
                    check_file(rel, f.read(), errors)
                checked += 1
    for e in errors:
        print(f"layering: {e}")
    if errors:
        print(f"layering: {len(errors)} violation(s) in {checked} files")
        return 1
    print(f"layering: ok ({checked} files, {len(MODULES)} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
