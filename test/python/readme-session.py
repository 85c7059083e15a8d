# RUN: %python %s %attnres_src_root/README.md %S/Inputs/readme_session.py
# RUN: %python %S/Inputs/readme_session.py | FileCheck %s
#
# The Python session in README.md is Inputs/readme_session.py, byte for byte
# (first RUN line: this script compares them), and it runs and checks the
# compiled Block AttnRes model against numpy (second RUN line).
#
# CHECK: <attnres.Model @block_attnres(emb: tensor<16x64xf32>, queries: tensor<9x64xf32>, W: tensor<8x64x64xf32>, g: tensor<8x64xf32>) -> (tensor<16x64xf32>)>
# CHECK-NEXT: (16, 64) float32 max |y - ref| < 5e-5: True

import difflib
import sys

MARKER = "<!-- test/python/Inputs/readme_session.py -->"


def readme_block(path):
    """The ```python block that follows MARKER in the README."""
    lines = open(path, encoding="utf-8").read().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == MARKER)
    fence = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("```"))
    assert lines[fence].strip() == "```python", lines[fence]
    end = next(i for i in range(fence + 1, len(lines)) if lines[i].startswith("```"))
    return "".join(lines[fence + 1:end])


if __name__ == "__main__":
    readme, session = sys.argv[1], sys.argv[2]
    block = readme_block(readme)
    text = open(session, encoding="utf-8").read()
    if block != text:
        sys.stdout.writelines(difflib.unified_diff(
            block.splitlines(keepends=True), text.splitlines(keepends=True),
            "README.md", "test/python/Inputs/readme_session.py"))
        sys.exit("README.md's Python session and test/python/Inputs/readme_session.py differ")
    print("README session in sync")
