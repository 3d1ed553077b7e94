#!/usr/bin/env python3
"""DeepDiff (ignore_order=True, as IntuneCD uses it) on the real corpus, for comparison
with `plumbline bench review`'s per-pair figure.

Each corpus policy is compared with a copy that has what a tenant's export has: arrays
and settings reordered, volatile fields changed (id, timestamps, version) and one value
changed. Prints the mean time per pair. Needs `pip install deepdiff`.

    python3 scripts/bench-deepdiff.py [CORPUS_DIR] [ROUNDS]
"""
import copy
import json
import pathlib
import random
import sys
import time

from deepdiff import DeepDiff

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "core/demo-data/openintunebaseline")
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
rng = random.Random(20261123)


def load(path):
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return json.loads(raw.decode(encoding))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
    return None


def shuffle(value):
    if isinstance(value, list):
        items = [shuffle(v) for v in value]
        rng.shuffle(items)
        return items
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {k: shuffle(value[k]) for k in keys}
    return value


def tenant_copy(policy):
    other = shuffle(copy.deepcopy(policy))
    other["id"] = "00000000-0000-0000-0000-%012d" % rng.randrange(10**12)
    other["lastModifiedDateTime"] = "2026-11-01T00:00:00Z"
    other["version"] = rng.randrange(100)
    # one real change: the first boolean or number found, flipped or bumped
    stack = [other]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(items):
            if isinstance(value, bool):
                node[key] = not value
                return other
            if isinstance(value, (dict, list)):
                stack.append(value)
    return other


pairs = []
for path in sorted(root.rglob("*.json")):
    policy = load(path)
    if isinstance(policy, dict):
        pairs.append((policy, tenant_copy(policy)))

started = time.perf_counter()
for _ in range(rounds):
    for a, b in pairs:
        DeepDiff(a, b, ignore_order=True)
elapsed = time.perf_counter() - started
per_pair = elapsed / (rounds * len(pairs))
print(f"DeepDiff {__import__('deepdiff').__version__} ignore_order=True: {per_pair * 1e3:.2f} ms per pair "
      f"({len(pairs)} corpus policies x {rounds} rounds, {elapsed:.1f} s)")
