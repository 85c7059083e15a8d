#!/usr/bin/env python3
"""Extracts the PTX (or cubin bytes) embedded in the `gpu.binary` ops of MLIR
text produced by `attnres-opt --attnres-to-nvvm="format=isa"`.

Usage: extract_ptx.py [INPUT.mlir|-] [-o OUT] [--all]
Writes the first object's text (or all objects, separated by a comment line,
with --all). MLIR prints the object as a string with \\XX hex escapes.
"""
import argparse
import re
import sys


def unescape(body):
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "\\\"":
                out.append(ord(nxt))
                i += 2
                continue
            if nxt == "n":
                out.append(10)
                i += 2
                continue
            if nxt == "t":
                out.append(9)
                i += 2
                continue
            out.append(int(body[i + 1:i + 3], 16))
            i += 3
            continue
        out.extend(c.encode("utf-8"))
        i += 1
    return bytes(out)


def objects(text):
    # #gpu.object<#nvvm.target<...>, properties = {...}, "...">  or  ..., "...">
    # (22.1 prints `assembly = "..."` for format=isa and `bin = "..."` else).
    for m in re.finditer(r'#gpu\.object<#nvvm\.target<[^>]*>(?:, properties = \{[^}]*\})?, (?:assembly = |bin = )?"((?:[^"\\]|\\.)*)"', text, re.S):
        yield unescape(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input", nargs="?", default="-")
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--all", action="store_true")
    args = ap.parse_args()
    text = sys.stdin.read() if args.input == "-" else open(args.input).read()
    objs = list(objects(text))
    if not objs:
        sys.exit("extract_ptx: no #gpu.object found (lower with format=isa)")
    data = b"\n// ----- next object -----\n".join(objs) if args.all else objs[0]
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.output, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
