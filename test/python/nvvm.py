# RUN: %python %s | FileCheck %s
#
# target="nvvm": the builders' models go through `attnres-to-nvvm` when this
# build registers it (the GPU objects of the gpu.binary come back), and
# otherwise compile() raises attnres.Error saying the pipeline is missing.
# Needs no GPU: only the compile path runs.

import attnres

model = attnres.block_attnres(layers=4, block_size=2, d=64, tokens=16)
site = attnres.site(3, 64, tokens=16)

if attnres.is_pipeline_registered("attnres-to-nvvm"):
    for what, m in [("model", model), ("site", site)]:
        binary = attnres.compile(m.ir, m.entry, target="nvvm")
        assert isinstance(binary, attnres.GPUBinary) and binary.objects, binary
        assert all(o["data"] for o in binary.objects)
        assert "gpu.binary" in binary.host_ir
        if binary.format == "assembly":
            assert ".entry" in binary.text
    print("nvvm: compiled")
else:
    try:
        attnres.compile(model.ir, model.entry, target="nvvm")
        raise AssertionError("expected attnres.Error")
    except attnres.Error as e:
        print("nvvm:", e)
# CHECK: nvvm: {{compiled|target 'nvvm' needs the 'attnres-to-nvvm' pass pipeline, which is not registered}}

# The same models always run through the CPU pipeline.
for m in [model, site]:
    attnres.Module.parse(m.ir).run_pipeline("attnres-to-llvm")
print("cpu: lowered")
# CHECK: cpu: lowered
