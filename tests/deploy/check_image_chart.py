#!/usr/bin/env python3
"""The container image and the Helm chart agree (ctest ImageChartCheck, label unit; no podman).

deploy/Dockerfile, scripts/build-image.sh and deploy/helm/recplat must agree on what the chart
assumes about the image: the tag (the chart's appVersion is the CMake project version, which
build-image.sh tags), the repository name, the executable (ENTRYPOINT / image.command), the user
(USER / podSecurityContext), the data directory (VOLUME / persistence.mountPath) and the ports
(EXPOSE and the CMD's listeners / ports). The image test (ImageTest, label image) checks the
built image itself.
"""
import argparse
import json
import pathlib
import re
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    root = pathlib.Path(parser.parse_args().root)
    dockerfile = (root / "deploy/Dockerfile").read_text()
    script = (root / "scripts/build-image.sh").read_text()
    chart = (root / "deploy/helm/recplat/Chart.yaml").read_text()
    values = (root / "deploy/helm/recplat/values.yaml").read_text()
    cmake = (root / "CMakeLists.txt").read_text()
    errors = []

    def check(ok, message):
        if not ok:
            errors.append(message)

    def value(pattern, text, what):
        m = re.search(pattern, text, re.MULTILINE)
        if not m:
            errors.append(f"cannot find {what}")
            return None
        return m.group(1)

    # Dockerfile instructions (continuation lines joined).
    joined = re.sub(r"\\\n", " ", dockerfile)
    instr = {}
    for line in joined.splitlines():
        m = re.match(r"^([A-Z]+)\s+(.*)$", line.strip())
        if m:
            instr.setdefault(m.group(1), []).append(m.group(2))

    version = value(r"^project\(recplat VERSION ([0-9.]+)", cmake, "the CMake project version")
    app_version = value(r'^appVersion:\s*"?([^"\s]+)"?', chart, "the chart's appVersion")
    check(version == app_version,
          f"Chart.yaml appVersion {app_version} is not the CMake project version {version}, "
          "which scripts/build-image.sh tags the image with (image.tag defaults to appVersion)")
    check(re.search(r'^image_tag="\$\{IMAGE_TAG:-\$version\}"', script, re.MULTILINE),
          "scripts/build-image.sh no longer tags the image with the CMake project version")

    repo = value(r"^image:\n(?:  .*\n)*?  repository:\s*(\S+)", values, "image.repository")
    script_repo = value(r'^image_repo="\$\{IMAGE_REPO:-([^}]+)\}"', script,
                        "build-image.sh's default IMAGE_REPO")
    check(repo == script_repo,
          f"values.yaml image.repository {repo} is not build-image.sh's {script_repo}")

    command = value(r"^image:\n(?:  .*\n)*?  command:\s*(\[.*\])", values, "image.command")
    entrypoint = instr.get("ENTRYPOINT", [None])[-1]
    check(command is not None and entrypoint is not None and
          json.loads(entrypoint) == [c.strip() for c in command.strip("[]").split(",")],
          f"ENTRYPOINT {entrypoint} is not values.yaml image.command {command}")

    user = instr.get("USER", [""])[-1]
    for key, want in (("runAsUser", user.split(":")[0]),
                      ("runAsGroup", user.split(":")[-1]),
                      ("fsGroup", user.split(":")[-1])):
        got = value(rf"^podSecurityContext:\n(?:  .*\n)*?  {key}:\s*(\d+)", values,
                    f"podSecurityContext.{key}")
        check(got == want, f"podSecurityContext.{key} {got} is not the Dockerfile's USER {user}")

    mount = value(r"^persistence:\n(?:  .*\n|\s*\n)*?  mountPath:\s*(\S+)", values,
                  "persistence.mountPath")
    volumes = " ".join(instr.get("VOLUME", []))
    check(mount is not None and f'"{mount}"' in volumes,
          f"persistence.mountPath {mount} is not a VOLUME of the Dockerfile ({volumes})")
    cmd = instr.get("CMD", [""])[-1]
    check(f'"--data-dir", "{mount}"' in cmd, f"the CMD's --data-dir is not {mount}")

    exposed = set(" ".join(instr.get("EXPOSE", [])).split())
    for port in ("grpc", "http", "metrics"):
        got = value(rf"^ports:\n(?:  .*\n)*?  {port}:\s*(\d+)", values, f"ports.{port}")
        check(got in exposed, f"ports.{port} {got} is not EXPOSEd ({sorted(exposed)})")
        check(f"{port}.listen=0.0.0.0:{got}" in cmd,
              f"the CMD does not listen on {port} 0.0.0.0:{got}")
    health = " ".join(instr.get("HEALTHCHECK", []) + instr.get("ENV", []))
    http = value(r"^ports:\n(?:  .*\n)*?  http:\s*(\d+)", values, "ports.http")
    check(f"127.0.0.1:{http}/healthz" in health, "the HEALTHCHECK is not on /healthz of ports.http")

    for e in errors:
        print(f"check_image_chart: {e}", file=sys.stderr)
    if not errors:
        print("check_image_chart: the image and the chart agree")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
