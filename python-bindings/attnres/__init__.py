"""attnres: Python bindings of the attnres MLIR compiler.

    import attnres
    m = attnres.Module.parse(text)        # attnres.Error on bad IR
    m.run_pipeline("attnres-to-llvm")     # any registered pass or pipeline
    print(m)
    f = attnres.compile(text, "site")     # CPU: attnres-to-llvm + in-process JIT
    h = f(q, v0, v1)                      # numpy in, numpy out
    m = attnres.from_torch(module, x)     # PyTorch -> torch-mlir linalg -> attnres-raise

See docs/python.md for the whole API.
"""

import threading

from . import _attnres
from ._attnres import Error, Module
from . import builders, dtypes, reference
from .builders import (Argument, IRBuilder, Model, TanhRMSNormMatmul, block_attnres,
                       full_attnres, site)
from .dtypes import bf16_to_f32, f32_to_bf16
from .grad_builders import LinearSublayer, block_attnres_grad
from .frontend import TorchFunction, TorchModel, from_torch
from .torch_interop import run_torch

__all__ = [
    "Argument", "CompiledFunction", "Error", "GPUBinary", "IRBuilder", "Model", "Module",
    "TanhRMSNormMatmul", "bf16_to_f32", "block_attnres", "builders", "clear_cache",
    "compile", "dtypes", "f32_to_bf16", "from_torch", "full_attnres", "is_pass_registered",
    "is_pipeline_registered", "reference", "release_result_memory", "result_memory_held",
    "run_torch", "site", "TorchFunction", "LinearSublayer", "block_attnres_grad",
    "TorchModel",
]

Error.__module__ = "attnres"
Module.__module__ = "attnres"
Error.__doc__ = ("An MLIR diagnostic made an operation fail (parsing, verification, "
                 "a pass, translation, JIT). str(error) is the located diagnostics text.")

TARGETS = ("cpu", "nvvm")


def is_pipeline_registered(name):
    """Whether `name` is a registered pass pipeline (e.g. "attnres-to-llvm")."""
    return _attnres.is_pipeline_registered(name)


def release_result_memory():
    """Frees the memory kept for results of compiled functions: buffers of
    result arrays that died, kept (up to 4 per size, 1 GiB in all) so that
    the next call does not map and page-fault fresh memory."""
    _attnres.release_result_memory()


def result_memory_held():
    """Bytes currently kept for reuse by `release_result_memory`'s pool."""
    return _attnres.result_memory_held()


def is_pass_registered(name):
    """Whether `name` is a registered pass (e.g. "attnres-fuse")."""
    return _attnres.is_pass_registered(name)


class CompiledFunction:
    """A function compiled for the CPU. Call it with one numpy array per
    argument of the entry function (positional); it returns one numpy array,
    a tuple of them (several results) or None (no results).

    Element types: f32 -> numpy.float32, f16 -> numpy.float16, bf16 ->
    uint16 bit patterns (or ml_dtypes.bfloat16 arrays) in, uint16 bit
    patterns out (see attnres.bf16_to_f32), f64/i8/i16/i32/i64 likewise.
    Wrong argument counts, shapes or dtypes raise ValueError / TypeError.
    Non-contiguous arrays are copied; tensor arguments are never written.

    Returned arrays are computed in place (no copy) and own their memory
    independently of the function and its module: when the result sizes
    are known from the arguments, in memory from a pool that keeps the
    buffers of dead results for the next call (`release_result_memory`);
    otherwise in the buffers the compiled code allocated. `out=` (one array, or a tuple/list with one per result)
    computes the results directly into caller arrays (C-contiguous,
    writable, the result's dtype and shape, not overlapping an argument or
    each other) and returns `out`; `supports_out` says whether the function
    allows it (result sizes must be static or sizes of arguments).
    Calls are thread-safe and release the GIL.

    `arguments` and `results` describe the signature (dicts with dtype,
    numpy_dtype, shape with None for dynamic sizes, memref, type)."""

    def __init__(self, native, ir, target, options):
        self._native = native
        self.ir = ir
        self.target = target
        self.options = options

    @property
    def entry(self):
        return self._native.entry

    @property
    def arguments(self):
        return self._native.arguments

    @property
    def results(self):
        return self._native.results

    @property
    def supports_out(self):
        return self._native.supports_out

    def __call__(self, *args, out=None):
        if out is None:
            return self._native(*args)
        return self._native(*args, out=out)

    def __repr__(self):
        args = ", ".join(a["type"] for a in self.arguments)
        res = ", ".join(r["type"] for r in self.results)
        return "<attnres.CompiledFunction @%s(%s) -> (%s) on %s>" % (
            self.entry, args, res, self.target)


class GPUBinary:
    """What target="nvvm" returns: the host module after `attnres-to-nvvm`
    (`host_ir`) and the objects of its gpu.binary ops (`objects`: dicts
    with module, target, format, data). `text` is the PTX of the first
    object when its format is "assembly"."""

    def __init__(self, host_ir, objects):
        self.host_ir = host_ir
        self.objects = objects

    @property
    def data(self):
        return self.objects[0]["data"]

    @property
    def format(self):
        return self.objects[0]["format"]

    @property
    def text(self):
        if self.format != "assembly":
            raise ValueError("the gpu.binary holds %s, not PTX text (compile with "
                             "the pipeline's assembly format to get PTX)" % self.format)
        return self.data.decode("utf-8")

    def __repr__(self):
        return "<attnres.GPUBinary %s>" % ", ".join(
            "%s: %s, %d bytes" % (o["module"], o["format"], len(o["data"])) for o in self.objects)


_cache = {}
_cache_lock = threading.Lock()


def clear_cache():
    """Forgets every compiled function `compile` cached."""
    with _cache_lock:
        _cache.clear()


def compile(ir_text, entry, target="cpu", options=""):
    """Compiles function `entry` of the MLIR text `ir_text` (or a `Module`).

    target="cpu": lowers with `attnres-to-llvm{options}`, JIT-compiles for
    the host and returns a `CompiledFunction` (numpy in, numpy out).
    target="nvvm": runs `attnres-to-nvvm{options}` and returns a `GPUBinary`
    with the PTX/cubin; raises attnres.Error when that pipeline is not
    registered in this build.

    Results are cached per (IR text, entry, target, options). Raises
    attnres.Error for bad IR, a missing entry, unsupported signatures and
    pipeline failures (with the located diagnostics), ValueError for bad
    options or targets."""
    if isinstance(ir_text, Module):
        ir_text = str(ir_text)
    if not isinstance(ir_text, str):
        raise TypeError("ir_text must be MLIR text (str) or an attnres.Module, got %s"
                        % type(ir_text).__name__)
    if not isinstance(entry, str) or not entry:
        raise TypeError("entry must be a function name (str), got %r" % (entry,))
    if target not in TARGETS:
        raise ValueError("target must be one of %s, got %r" % (", ".join(TARGETS), target))
    if not isinstance(options, str):
        raise TypeError("options must be a string of pipeline options, got %r" % (options,))
    key = (ir_text, entry, target, options)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    if target == "cpu":
        result = CompiledFunction(_attnres.compile_cpu(ir_text, entry, options), ir_text,
                                  target, options)
    else:
        host_ir, objects = _attnres.compile_nvvm(ir_text, entry, options)
        result = GPUBinary(host_ir, objects)
    with _cache_lock:
        return _cache.setdefault(key, result)
