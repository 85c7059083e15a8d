"""Reads MLIR text on stdin and assigns the i-th of N `attnres.depth_attn` ops
to pipeline chunk floor(i * C / N) (`attnres.chunk = c : i64`, the annotation
attnres-stage-traffic and attnres-pipeline-partition read; ops in between
belong to the chunk of the nearest preceding annotated op).
Usage: annotate_chunks.py C < in.mlir > out.mlir"""
import re
import sys

chunks = int(sys.argv[1])
text = sys.stdin.read()
sites = list(re.finditer(r"attnres\.depth_attn (%[^,]+), \[([^\]]*)\]( \{([^}]*)\})?", text))
out, last = [], 0
for i, m in enumerate(sites):
    c = i * chunks // len(sites)
    attrs = ("{%s, attnres.chunk = %d : i64}" % (m.group(4), c) if m.group(3)
             else "{attnres.chunk = %d : i64}" % c)
    out.append(text[last:m.start()])
    out.append("attnres.depth_attn %s, [%s] %s" % (m.group(1), m.group(2), attrs))
    last = m.end()
out.append(text[last:])
sys.stdout.write("".join(out))
