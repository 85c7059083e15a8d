"""From a PyTorch module to attnres: torch-mlir's FX importer, then attnres-raise.

    import attnres
    model = attnres.from_torch(module, x)      # torch-mlir linalg, AttnRes sites raised
    print(model.sites)                         # how many sites became attnres.depth_attn
    run = model.compile()                      # attnres-to-llvm + JIT, as attnres.compile
    y = run(x)                                 # torch tensors in, torch tensors out

torch and torch-mlir are optional dependencies (see docs/frontends.md):

    python3 -m venv V && V/bin/pip install torch==2.15.0 torch-mlir==20261001 ml_dtypes numpy
"""

from . import _attnres
from .builders import Argument, Model
from .torch_interop import from_numpy, to_numpy

INSTALL = "pip install torch==2.15.0 torch-mlir==20261001 ml_dtypes numpy"

_TORCH_DTYPES = {
    "torch.float32": "f32", "torch.float16": "f16", "torch.bfloat16": "bf16",
    "torch.float64": "f64", "torch.int64": "i64", "torch.int32": "i32",
    "torch.int16": "i16", "torch.int8": "i8",
}


def _require(module, what):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as e:
        raise ImportError(
            "attnres.from_torch needs %s (the %r package is not importable: %s); "
            "install it with: %s" % (what, module.split(".")[0], e, INSTALL)) from e


class TorchFunction:
    """A compiled model called on torch CPU tensors (or numpy arrays):
    returns torch tensors. `function` is the underlying CompiledFunction."""

    def __init__(self, function):
        self.function = function

    @property
    def arguments(self):
        return self.function.arguments

    @property
    def results(self):
        return self.function.results

    def __call__(self, *args, out=None):
        """Tensors (or arrays) in, tensors out; `out=` takes contiguous CPU
        tensors (one per result) and computes the results into them."""
        arrays = [a if not hasattr(a, "detach") else to_numpy(a) for a in args]
        if out is not None:
            from .torch_interop import _call_into
            return _call_into(self.function, arrays, out)
        out = self.function(*arrays)
        if out is None:
            return None
        specs = self.function.results
        if isinstance(out, tuple):
            return tuple(from_numpy(a, s["dtype"]) for a, s in zip(out, specs))
        return from_numpy(out, specs[0]["dtype"])

    def __repr__(self):
        return "<attnres.TorchFunction %r>" % (self.function,)


class TorchModel(Model):
    """What `from_torch` returns: a `Model` (ir, entry, arguments, results)
    whose IR is torch-mlir's linalg-on-tensors with the AttnRes sites raised.

    Extra attributes: `frontend_ir` (torch-mlir's output before raising),
    `sites` (number of `attnres.depth_attn` ops after raising).
    `compile(target="cpu")` returns a `TorchFunction` (tensors in and out);
    `compile(target="nvvm")` returns an `attnres.GPUBinary`."""

    def __init__(self, ir, entry, arguments, results, frontend_ir, sites):
        super().__init__(ir, entry, arguments, results)
        self.frontend_ir = frontend_ir
        self.sites = sites

    def compile(self, target="cpu", options=""):
        compiled = super().compile(target=target, options=options)
        return TorchFunction(compiled) if target == "cpu" else compiled

    def __repr__(self):
        return "<attnres.TorchModel %s, %d AttnRes sites raised>" % (
            self.signature(), self.sites)


def _argument(name, tensor, dynamic):
    dtype = _TORCH_DTYPES.get(str(tensor.dtype))
    if dtype is None:
        raise TypeError("from_torch: argument %s has dtype %s, which attnres does not "
                        "take (f32, f16, bf16, f64, i8..i64)" % (name, tensor.dtype))
    shape = [None if d in dynamic else int(s) for d, s in enumerate(tensor.shape)]
    return Argument(name, shape, dtype)


def _dynamic_dims(dynamic_shapes, n):
    """Per positional argument, the set of dims marked dynamic."""
    dims = [set() for _ in range(n)]
    if dynamic_shapes is None:
        return dims
    specs = dynamic_shapes
    if isinstance(specs, dict):
        specs = list(specs.values())
    # forward(*args): one spec for the varargs tuple
    if len(specs) == 1 and isinstance(specs[0], (tuple, list)) and n != 1:
        specs = specs[0]
    for i, spec in enumerate(list(specs)[:n]):
        if isinstance(spec, dict):
            dims[i] = set(spec)
        elif isinstance(spec, (tuple, list)):
            dims[i] = {d for d, v in enumerate(spec) if v is not None}
    return dims


def from_torch(module, *example_args, dynamic_shapes=None, func_name="forward",
               raise_sites=True, report=False):
    """Exports `module(*example_args)` with torch-mlir's FX importer to
    linalg-on-tensors (parameters become dense_resource constants), runs
    `attnres-raise` on it and returns a `TorchModel`.

    `dynamic_shapes` is passed to torch.export (e.g. `{"x": {0: Dim("T")}}`).
    `raise_sites=False` keeps torch-mlir's IR as is (for comparisons);
    `report=True` prints attnres-raise's remarks (raised sites, rejected
    candidates and why) to stderr.

    Raises ImportError naming the package and the pip command when torch or
    torch-mlir is missing, TypeError for unsupported argument types and
    attnres.Error when the exported IR does not parse or a pass fails."""
    torch = _require("torch", "PyTorch")
    fx = _require("torch_mlir.fx", "torch-mlir")
    if not isinstance(module, torch.nn.Module):
        raise TypeError("from_torch: expected a torch.nn.Module, got %s"
                        % type(module).__name__)
    for i, a in enumerate(example_args):
        if not isinstance(a, torch.Tensor):
            raise TypeError("from_torch: example argument %d is a %s, not a torch.Tensor"
                            % (i, type(a).__name__))
    module = module.eval()
    exported = fx.export_and_import(module, *example_args, output_type="linalg-on-tensors",
                                    func_name=func_name, dynamic_shapes=dynamic_shapes)
    text = exported.operation.get_asm()
    mod = _attnres.Module.parse(text)
    if raise_sites:
        mod.run_pipeline("builtin.module(func.func(attnres-raise{report=%s}))"
                         % ("true" if report else "false"))
    ir = str(mod)
    dynamic = _dynamic_dims(dynamic_shapes, len(example_args))
    arguments = [_argument("arg%d" % i, a, dynamic[i]) for i, a in enumerate(example_args)]
    with torch.no_grad():
        out = module(*example_args)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    results = [_argument("result%d" % i if len(outs) > 1 else "result", o, set())
               for i, o in enumerate(outs)]
    return TorchModel(ir, func_name, arguments, results, text,
                      ir.count("attnres.depth_attn "))
