# -*- Python -*-
# lit configuration for the attnres test suite.

import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "ATTNRES"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".py", ".c", ".cpp", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "lit.local.cfg",
                   "CMakeLists.txt", "README.md", "lib"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.attnres_obj_root, "test")

# Exact comparisons of variables across CHECK-LABEL blocks are a common source
# of false passes: make FileCheck scope variables to each label.
config.environment["FILECHECK_OPTS"] = "--enable-var-scope --dump-input=fail"

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP",
                                     "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                     "CUDA_HOME", "CUDA_ROOT", "CUDA_PATH",
                                     "CUDA_VISIBLE_DEVICES"])
llvm_config.use_default_substitutions()

runner_utils = os.path.join(config.mlir_lib_dir, "libmlir_runner_utils" + config.shlib_ext)
c_runner_utils = os.path.join(config.mlir_lib_dir, "libmlir_c_runner_utils" + config.shlib_ext)
# The CPU pipeline runs kernels' row tiles with OpenMP (Debian's libomp-22-dev).
libomp = os.path.join(config.llvm_lib_dir, "libomp" + config.shlib_ext)
config.substitutions.append(("%mlir_runner_utils", runner_utils))
config.substitutions.append(("%mlir_c_runner_utils", c_runner_utils))
config.substitutions.append(("%libomp", libomp))
# Sanitizer builds instrument the Python package and the mlir-opt plugin too;
# the uninstrumented hosts that load them (python3, Debian's mlir-opt) get the
# ASan runtime preloaded: `%python`, and `%host_preload` before such a host.
host_preload = ""
if getattr(config, "attnres_sanitizers", "OFF").upper() in ("ON", "1", "TRUE", "YES"):
    # (the installed package test builds an uninstrumented consumer)
    config.available_features.add("sanitizers")
    try:
        asan_rt = subprocess.check_output(
            ["clang-22", "-print-file-name=libclang_rt.asan-x86_64.so"], text=True).strip()
    except Exception:
        asan_rt = ""
    if not os.path.isabs(asan_rt) or not os.path.exists(asan_rt):
        lit_config.fatal("sanitizer build: clang-22 does not know libclang_rt.asan-x86_64.so "
                         "(Debian package libclang-rt-22-dev)")
    host_preload = ("env LD_PRELOAD=%s ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 "
                    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 " % asan_rt)
config.substitutions.append(("%host_preload", host_preload))
# (replacing lit's own `%python`, which is just the interpreter)
config.substitutions = [sub for sub in config.substitutions if sub[0] != "%python"]
config.substitutions.insert(0, ("%python", host_preload + config.python_executable))
config.substitutions.append(("%attnres_src_root", config.attnres_src_root))
config.substitutions.append(("%attnres_lib_dir", config.attnres_lib_dir))
config.substitutions.append(("%attnres_obj_root", config.attnres_obj_root))
config.substitutions.append(("%shlibext", config.shlib_ext))
# C programs against the C API (test/CAPI) and C++ consumers of the installed
# package (test/Install) are compiled with the compilers that built attnres.
config.substitutions.append(("%mlir_include_dir", config.mlir_include_dir.split(";")[0]))
config.substitutions.append(("%host_cc", config.host_cc))
config.substitutions.append(("%host_cxx", config.host_cxx))
config.substitutions.append(("%cmake_make_program", config.cmake_make_program))
config.substitutions.append(("%cmake", config.cmake_command))
# Run lowered LLVM-dialect IR on the CPU.
config.substitutions.append(
    ("%run_cpu",
     "mlir-runner -e main -entry-point-result=void "
     "-shared-libs=%s,%s,%s" % (runner_utils, c_runner_utils, libomp)))

tool_dirs = [config.attnres_tools_dir, config.llvm_tools_dir]
tools = [
    "attnres-opt",
    "attnres-lsp-server",
    "attnres-reduce",
    ToolSubst("mlir-runner", unresolved="fatal"),
    ToolSubst("mlir-translate", unresolved="fatal"),
    ToolSubst("mlir-opt", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)
config.environment["PATH"] = os.pathsep.join(
    [config.attnres_tools_dir, config.llvm_tools_dir, config.environment["PATH"]])

# Optional features.
import subprocess


def python_has(module):
    try:
        subprocess.check_call([config.python_executable, "-c", "import " + module],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return True
    except Exception:
        return False


if python_has("numpy"):
    config.available_features.add("numpy")
else:
    lit_config.note("tests with numpy references (REQUIRES: numpy: the integration tier) are "
                    "skipped: %s cannot import numpy; install Debian's python3-numpy or configure "
                    "with -DPython3_EXECUTABLE=/usr/bin/python3" % config.python_executable)
if python_has("torch"):
    config.available_features.add("torch")

# The attnres Python package the build assembles (python-bindings/): tests
# import it through PYTHONPATH, like scripts/python.sh.
if config.attnres_python_bindings.upper() in ("ON", "1", "TRUE", "YES") and \
        os.path.isdir(os.path.join(config.attnres_python_packages_dir, "attnres")):
    config.available_features.add("python-bindings")
    config.environment["PYTHONPATH"] = config.attnres_python_packages_dir
else:
    lit_config.note("tests of the Python package (REQUIRES: python-bindings) are skipped: "
                    "the package was not built (ATTNRES_ENABLE_PYTHON_BINDINGS=%s)"
                    % config.attnres_python_bindings)

# GPU tiers: `ptxas` (compile to cubin and check resources), `cuda-runtime`
# (the project's mgpu* runtime library was built), `cuda-gpu` (a device
# answers; only on machines with an NVIDIA GPU and driver).
ptxas = shutil.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas" if os.access("/usr/local/cuda/bin/ptxas", os.X_OK) else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
cuda_runtime = os.path.join(config.attnres_lib_dir, "libattnres_cuda_runtime" + config.shlib_ext)
if os.path.exists(cuda_runtime):
    config.available_features.add("cuda-runtime")
config.substitutions.append(("%attnres_cuda_runtime", cuda_runtime))
config.substitutions.append(
    ("%run_gpu",
     "mlir-runner -e main -entry-point-result=void "
     "-shared-libs=%s,%s,%s" % (cuda_runtime, runner_utils, c_runner_utils)))
config.substitutions.append(
    ("%extract_ptx", "%s %s" % (config.python_executable,
                                os.path.join(config.attnres_src_root, "scripts", "extract_ptx.py"))))
# The driver-call checker (test/lib/CudaStandin): a stand-in libcuda.so.1 the
# runtime loads instead of the driver when its directory leads
# LD_LIBRARY_PATH. `%standin_env` runs a command against it (with a timeout,
# so a hang fails the test); `%run_standin` is `%run_gpu` against it.
standin_dir = os.path.join(config.attnres_obj_root, "test", "lib", "cuda-standin")
if os.path.exists(os.path.join(standin_dir, "libcuda.so.1")) and \
        "cuda-runtime" in config.available_features:
    config.available_features.add("cuda-standin")
standin_env = "env LD_LIBRARY_PATH=%s timeout 300" % standin_dir
config.substitutions.append(("%standin_dir", standin_dir))
config.substitutions.append(("%standin_env", standin_env))
config.substitutions.append(
    ("%run_standin",
     "%s mlir-runner -e main -entry-point-result=void "
     "-shared-libs=%s,%s,%s" % (standin_env, cuda_runtime, runner_utils, c_runner_utils)))
probe = os.path.join(config.attnres_tools_dir, "attnres-cuda-probe")
try:
    if os.path.exists(probe) and subprocess.run([probe], stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL,
                                                timeout=60).returncode == 0:
        config.available_features.add("cuda-gpu")
except Exception:
    pass

# Native executables from lowered LLVM IR (mlir-translate --mlir-to-llvmir, then
# clang, whatever compiler built the project: gcc cannot read .ll files):
# `%cc_native <ll/c files> -o <exe> %native_libs`.
llvm_lib_dir = config.llvm_lib_dir
def find_clang():
    for c in [getattr(config, "attnres_clang", ""), os.path.join(config.llvm_tools_dir, "clang"),
              shutil.which("clang-22")]:
        if c and not c.endswith("-NOTFOUND") and os.access(c, os.X_OK):
            return c
    return None
clang = find_clang()
if clang:
    config.available_features.add("clang")
else:
    lit_config.note("tests that compile LLVM IR to native executables (REQUIRES: clang, "
                    "e.g. the MPI tier) are skipped: no clang-22 (Debian package clang-22)")
config.substitutions.append(
    ("%cc_native", "%s -O1 -Wno-override-module -L%s -Wl,-rpath,%s"
     % (clang or "clang-22", llvm_lib_dir, llvm_lib_dir)))
config.substitutions.append(
    ("%native_libs", "-lmlir_runner_utils -lmlir_c_runner_utils -lmlir_float16_utils -lomp -lm"))

# MPI execution tests (feature `mpi`): MPICH's mpirun, mpi.h and libmpich
# (Debian's mpich and libmpich-dev, installed by scripts/setup.sh).
def find_mpich():
    mpirun = shutil.which("mpirun.mpich") or shutil.which("mpirun")
    if not mpirun:
        return None, "no mpirun on PATH"
    try:
        cflags = subprocess.check_output(["pkg-config", "--cflags", "mpich"],
                                         stderr=subprocess.DEVNULL, text=True).strip()
    except Exception:
        return None, "pkg-config does not know mpich (libmpich-dev missing)"
    incdirs = [f[2:] for f in cflags.split() if f.startswith("-I")]
    if not any(os.path.exists(os.path.join(d, "mpi.h")) for d in incdirs or ["/usr/include"]):
        return None, "mpi.h not found in %r" % incdirs
    return (mpirun, cflags), None

mpich, why = find_mpich()
if mpich and not clang:
    mpich, why = None, "no clang-22 to build the partitioned programs"
if mpich:
    mpirun, mpi_cflags = mpich
    config.available_features.add("mpi")
    # One OpenMP thread per rank: ranks share the machine's cores. A hung
    # exchange fails the test after 5 minutes instead of blocking the suite.
    config.substitutions.append(
        ("%mpirun", "env OMP_NUM_THREADS=1 timeout 300 %s" % mpirun))
    config.substitutions.append(("%mpi_cflags", mpi_cflags))
    config.substitutions.append(("%mpi_libs", "-lmpich"))
else:
    lit_config.note("MPI execution tests (REQUIRES: mpi) are skipped: %s; "
                    "install Debian's mpich and libmpich-dev (scripts/setup.sh)" % why)

# Optional frontend tier (feature `torch-mlir`): a Python that imports torch
# (2.x, with torch.export) and torch_mlir runs PyTorch modules through
# torch-mlir's FX importer and attnres.from_torch. PyPI's torch is a ~3 GB CUDA
# build, so this is not part of the default setup: install it into a venv and
# point ATTNRES_TORCH_PYTHON at its interpreter (docs/frontends.md).
def torch_mlir_python():
    candidates = [os.environ.get("ATTNRES_TORCH_PYTHON"), config.python_executable]
    for py in [c for c in candidates if c]:
        try:
            subprocess.check_call([py, "-c", "import torch, torch_mlir.fx, numpy"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  timeout=300)
            return py, None
        except Exception:
            continue
    return None, ("no Python with torch and torch_mlir (tried %s); install with "
                  "`python3 -m venv V && V/bin/pip install torch==2.15.0 "
                  "torch-mlir==20261001 ml_dtypes numpy` and set ATTNRES_TORCH_PYTHON=V/bin/python"
                  % ", ".join(c for c in candidates if c))

torch_py, why = torch_mlir_python()
if torch_py and "python-bindings" in config.available_features:
    config.available_features.add("torch-mlir")
    config.substitutions.append(("%torch_python", host_preload + torch_py))
else:
    lit_config.note("frontend tests (REQUIRES: torch-mlir) are skipped: %s"
                    % (why or "the attnres Python package was not built"))

# Optional IREE hand-off tier (feature `iree`): attnres-export-linalg output
# compiled by iree-compile for llvm-cpu and run with iree.runtime against the
# float64 numpy reference (test/IREE). IREE comes from PyPI
# (iree-base-compiler, iree-base-runtime 3.13) and is not part of the default
# setup: install it into a venv and point ATTNRES_IREE_PYTHON at its
# interpreter (docs/testing.md), or configure with a Python that has it.
IREE_INSTALL = ("python3 -m venv V && V/bin/pip install numpy "
                "iree-base-compiler==3.13.0 iree-base-runtime==3.13.0")

def iree_python():
    candidates = [os.environ.get("ATTNRES_IREE_PYTHON"), config.python_executable]
    probe = ("import numpy, ml_dtypes, iree.runtime, iree.compiler; "
             "from iree.compiler.tools.binaries import find_tool; "
             "print(find_tool('iree-compile'))")
    for py in [c for c in candidates if c]:
        try:
            tool = subprocess.check_output([py, "-c", probe], stderr=subprocess.DEVNULL,
                                           text=True, timeout=300).strip()
        except Exception:
            continue
        if tool and os.access(tool, os.X_OK):
            return py, tool, None
    return None, None, ("no Python that imports iree.compiler, iree.runtime, numpy and "
                        "ml_dtypes (tried %s); install with `%s` and set "
                        "ATTNRES_IREE_PYTHON=V/bin/python"
                        % (", ".join(c for c in candidates if c), IREE_INSTALL))

iree_py, iree_compile, why = iree_python()
if iree_py:
    config.available_features.add("iree")
    config.substitutions.append(("%iree_python", iree_py))
    config.substitutions.append(
        ("%iree_compile_cpu",
         "%s --iree-hal-target-device=local --iree-hal-local-target-device-backends=llvm-cpu "
         "--iree-llvmcpu-target-cpu=host" % iree_compile))
    lit_config.note("IREE hand-off tests (REQUIRES: iree) use %s and %s" % (iree_py, iree_compile))
else:
    lit_config.note("IREE hand-off tests (REQUIRES: iree) are skipped: %s" % why)

# The plugin for stock mlir-opt (not built in sanitizer builds).
if os.path.exists(os.path.join(config.attnres_lib_dir, "AttnResPlugin" + config.shlib_ext)):
    config.available_features.add("attnres-plugin")

# CI (and anyone who wants to be sure) lists the tiers that must run:
# ATTNRES_REQUIRE_FEATURES="numpy python-bindings mpi" makes lit stop with an
# error instead of reporting their tests as unsupported.
required = os.environ.get("ATTNRES_REQUIRE_FEATURES", "").replace(",", " ").split()
missing = [f for f in required if f not in config.available_features]
if missing:
    lit_config.fatal("required test tiers are off: %s (see the notes above; "
                     "ATTNRES_REQUIRE_FEATURES=%r)" % (", ".join(missing), " ".join(required)))
