"""Element types at the numpy boundary.

numpy has float16 and float32 but no bfloat16. Compiled functions take bf16
arguments as uint16 arrays holding the bit patterns (or as
``ml_dtypes.bfloat16`` arrays when that package is installed) and return bf16
results as uint16 bit patterns. These helpers convert between bit patterns and
float32.
"""

import numpy as np

#: MLIR element type -> numpy dtype of results (bf16: bit patterns).
NUMPY_DTYPES = {
    "f16": np.dtype(np.float16),
    "bf16": np.dtype(np.uint16),
    "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64),
    "i8": np.dtype(np.int8),
    "i16": np.dtype(np.int16),
    "i32": np.dtype(np.int32),
    "i64": np.dtype(np.int64),
}

#: The floating-point element types models and sites may use.
FLOAT_TYPES = ("f32", "f16", "bf16")


def f32_to_bf16(x):
    """Rounds `x` to bf16 (round to nearest even) and returns the uint16 bit
    patterns. NaN stays NaN."""
    f = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    u = f.view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    nan = np.isnan(f)
    if np.any(nan):
        rounded = np.where(nan, np.uint16(0x7FC0), rounded)
    return rounded.reshape(f.shape)


def bf16_to_f32(bits):
    """The float32 values of bf16 bit patterns (uint16 or ml_dtypes.bfloat16
    arrays)."""
    b = np.ascontiguousarray(np.asarray(bits))
    if b.dtype.itemsize != 2 or b.dtype.kind == "f":
        raise TypeError("bf16_to_f32 expects uint16 bit patterns, got %s" % b.dtype)
    return (b.view(np.uint16).astype(np.uint32) << 16).view(np.float32)


def round_to(dtype, x):
    """`x` rounded to the MLIR element type `dtype`, as float64."""
    x = np.asarray(x, dtype=np.float64)
    if dtype == "f32":
        return x.astype(np.float32).astype(np.float64)
    if dtype == "f16":
        return x.astype(np.float16).astype(np.float64)
    if dtype == "bf16":
        return bf16_to_f32(f32_to_bf16(x)).astype(np.float64)
    if dtype == "f64":
        return x
    raise ValueError("unknown floating-point element type %r" % (dtype,))


def to_numpy(dtype, x):
    """`x` as the array a compiled function takes for element type `dtype`
    (bf16: rounded bit patterns)."""
    if dtype == "bf16":
        return f32_to_bf16(x)
    if dtype not in NUMPY_DTYPES:
        raise ValueError("unknown element type %r" % (dtype,))
    return np.ascontiguousarray(np.asarray(x, dtype=NUMPY_DTYPES[dtype]))


def from_numpy(dtype, a):
    """The float64 values of an array a compiled function returned for
    element type `dtype`."""
    if dtype == "bf16":
        return bf16_to_f32(a).astype(np.float64)
    return np.asarray(a, dtype=np.float64)
