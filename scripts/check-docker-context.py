#!/usr/bin/env python3
"""Checks the Dockerfile's build context without a container engine.

    check-docker-context.py ROOT [DEP_INFO]

The builder stage copies the workspace as .dockerignore filters it and runs
`cargo build --locked -p plumbline-server`; the runtime stage copies
packaging/server.toml. This checks that everything those need stays in the context:

- the workspace's Cargo.toml, Cargo.lock and .cargo/config.toml;
- every workspace member's manifest and target sources (cargo loads the whole
  workspace, even to build one package), as `cargo metadata --no-deps` lists them;
- every file of the workspace the server binary was built from, as rustc's dep-info
  file (DEP_INFO, e.g. target/debug/plumbline-server.d) lists them (sources, migrations);
- packaging/server.toml;

and that build output, local data and secrets stay out. Exits 1 with the offending
paths otherwise.

.dockerignore rules as Docker applies them: one pattern a line (# comments), paths
relative to the context with a leading / ignored, `*` and `?` within one path element,
`**` across elements, a pattern that matches a directory excludes everything below it,
`!` re-includes, and the last matching line wins.
"""

import json
import os
import re
import subprocess
import sys


def pattern_regex(pattern):
    """The regex of one .dockerignore pattern (without its `!`)."""
    pattern = os.path.normpath(pattern.strip()).lstrip("/")
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("[" + body + "]")
                i = end + 1
                continue
        elif c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def read_rules(path):
    rules = []
    if not os.path.exists(path):
        return rules
    with open(path, encoding="utf-8") as file:
        for line in file:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            if negate:
                line = line[1:]
            rules.append((negate, pattern_regex(line)))
    return rules


def excluded(rules, relative):
    """Whether the context leaves `relative` out (it or a parent directory matches)."""
    parts = relative.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for negate, regex in rules:
        if any(regex.match(candidate) for candidate in candidates):
            result = not negate
    return result


def dep_info_files(path):
    """The files a rustc dep-info file lists (`target: a b\\ c ...`, first rule)."""
    with open(path, encoding="utf-8") as file:
        first = file.readline()
    _, _, deps = first.partition(": ")
    files = re.split(r"(?<!\\) ", deps.strip())
    return [f.replace("\\ ", " ") for f in files if f]


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = os.path.realpath(sys.argv[1])
    rules = read_rules(os.path.join(root, ".dockerignore"))

    needed = {"Cargo.toml": "workspace", "Cargo.lock": "workspace",
              ".cargo/config.toml": "workspace", "packaging/server.toml": "runtime stage"}
    metadata = json.loads(subprocess.run(
        ["cargo", "metadata", "--no-deps", "--format-version", "1"],
        cwd=root, check=True, capture_output=True, text=True).stdout)
    for package in metadata["packages"]:
        paths = [package["manifest_path"]] + [t["src_path"] for t in package["targets"]]
        for path in paths:
            needed[os.path.relpath(os.path.realpath(path), root)] = "member " + package["name"]
    if len(sys.argv) == 3:
        for path in dep_info_files(sys.argv[2]):
            real = os.path.realpath(path)
            if real.startswith(root + os.sep):
                needed[os.path.relpath(real, root)] = "plumbline-server's sources"

    problems = []
    for path, why in sorted(needed.items()):
        if excluded(rules, path):
            problems.append(f"left out of the build context but needed ({why}): {path}")
    for path in ["target/release/plumbline-server", ".git/HEAD", "ui/node_modules/x/y.js",
                 "secrets/database-password.txt", "server.db", "tests/artifacts/x.png"]:
        if not excluded(rules, path):
            problems.append(f"in the build context but must stay out: {path}")
    for problem in problems:
        print("check-docker-context: " + problem, file=sys.stderr)
    if problems:
        return 1
    print(f"check-docker-context: {len(needed)} needed files in the context, "
          "build output, data and secrets out", file=sys.stderr)
    return 0


if __name__ == "__main__":
    # main's 0 or 1 is the exit status check-packaging.sh acts on.
    sys.exit(main())
