#!/usr/bin/env python3
"""Writes the seed corpus of attnres-fuzz: every `// -----` chunk of the
repository's .mlir tests and examples (and the frontend corpus), each with a
few pipeline-selector bytes (the fuzz target's first input byte), chosen
deterministically. Usage: fuzz_seeds.py OUT_DIR"""
import glob
import hashlib
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = sorted(glob.glob(os.path.join(REPO, "test", "**", "*.mlir"), recursive=True) +
                   glob.glob(os.path.join(REPO, "examples", "*.mlir")))
    count = 0
    for path in files:
        text = open(path, encoding="utf-8", errors="replace").read()
        if len(text) > 200_000:
            continue
        for i, chunk in enumerate(text.split("// -----")):
            digest = hashlib.sha1(("%s:%d" % (os.path.relpath(path, REPO), i)).encode()).digest()
            for sel in digest[:3]:
                data = bytes([sel]) + chunk.encode()
                name = hashlib.sha1(data).hexdigest()
                with open(os.path.join(out, name), "wb") as f:
                    f.write(data)
                count += 1
    print("fuzz_seeds.py: %d seeds from %d files in %s" % (count, len(files), out))


if __name__ == "__main__":
    main()
