"""PyTorch interop: run compiled functions on torch CPU tensors.

Inputs go through numpy without copies when they are contiguous CPU tensors
(`Tensor.numpy()` shares memory; bfloat16 tensors are reinterpreted as their
int16 bit patterns). Results come back as tensors that share memory with the
numpy arrays the compiled function returned (`torch.from_numpy`); bf16
results are reinterpreted as torch.bfloat16.
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


def run_torch(function, *tensors):
    """Calls a `CompiledFunction` (CPU) on torch CPU tensors and returns
    tensors: one, a tuple, or None like the function itself."""
    args = [to_numpy(t) for t in tensors]
    out = function(*args)
    if out is None:
        return None
    specs = function.results
    if isinstance(out, tuple):
        return tuple(from_numpy(a, s["dtype"]) for a, s in zip(out, specs))
    return from_numpy(out, specs[0]["dtype"])
