"""PyTorch interop: run compiled functions on torch CPU tensors.

Inputs go through numpy without copies when they are contiguous CPU tensors
(`Tensor.numpy()` shares memory; bfloat16 tensors are reinterpreted as their
int16 bit patterns); non-contiguous inputs are copied once. Results come
back as tensors over the memory the compiled code produced (no copy: the
tensor keeps the numpy array that owns it alive); bf16 results are
reinterpreted as torch.bfloat16. `out=` takes contiguous CPU tensors (any
other layout is an error: they are written in place).
"""

import numpy as np


def _torch():
    try:
        import torch
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("attnres.run_torch needs PyTorch (Debian: python3-torch)") from e
    return torch


def to_numpy(tensor):
    """A numpy view of a CPU tensor (a contiguous copy when it is not
    contiguous); bfloat16 tensors become uint16 bit patterns."""
    torch = _torch()
    if not isinstance(tensor, torch.Tensor):
        raise TypeError("expected a torch.Tensor, got %s" % type(tensor).__name__)
    if tensor.device.type != "cpu":
        raise ValueError("expected a CPU tensor, got one on %s" % tensor.device)
    t = tensor.detach()
    if not t.is_contiguous():
        t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(np.uint16)
    return t.numpy()


def from_numpy(array, dtype):
    """A tensor sharing memory with `array`, a result of MLIR element type
    `dtype` (bf16: uint16 bit patterns -> torch.bfloat16)."""
    torch = _torch()
    if dtype == "bf16":
        return torch.from_numpy(array.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(array)


def _destination(tensor):
    """A writable numpy view of a contiguous CPU tensor (never a copy)."""
    torch = _torch()
    if not isinstance(tensor, torch.Tensor):
        raise TypeError("out= expects torch.Tensor destinations, got %s" % type(tensor).__name__)
    if tensor.device.type != "cpu":
        raise ValueError("out= expects CPU tensors, got one on %s" % tensor.device)
    if not tensor.is_contiguous():
        raise ValueError("out= tensors must be contiguous (they are written in place)")
    if tensor.requires_grad:
        raise ValueError("out= tensors must not require grad")
    return to_numpy(tensor)


def _call_into(function, args, out):
    """Calls `function` on numpy `args` with torch tensor destinations."""
    torch = _torch()
    outs = [out] if isinstance(out, torch.Tensor) else list(out)
    function(*args, out=tuple(_destination(t) for t in outs))
    return out


def run_torch(function, *tensors, out=None):
    """Calls a `CompiledFunction` (CPU) on torch CPU tensors and returns
    tensors: one, a tuple, or None like the function itself. With `out=`
    (a tensor or a tuple/list of tensors, one per result) the results are
    computed into those tensors, which are returned."""
    args = [to_numpy(t) for t in tensors]
    if out is not None:
        return _call_into(function, args, out)
    out = function(*args)
    if out is None:
        return None
    specs = function.results
    if isinstance(out, tuple):
        return tuple(from_numpy(a, s["dtype"]) for a, s in zip(out, specs))
    return from_numpy(out, specs[0]["dtype"])
