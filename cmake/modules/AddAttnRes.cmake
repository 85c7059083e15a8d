# attnres's library and tool helpers: upstream's add_mlir_*_library, but
# installed into attnres's own export set (AttnResTargets, the CMake package
# lib/cmake/attnres) instead of MLIR's, the way CIRCT's AddCIRCT.cmake does.

# Installs `name` (a library, tool or plugin) and exports it in AttnResTargets.
function(add_attnres_install name)
  install(TARGETS ${name}
    EXPORT AttnResTargets
    COMPONENT attnres
    LIBRARY DESTINATION lib${LLVM_LIBDIR_SUFFIX}
    ARCHIVE DESTINATION lib${LLVM_LIBDIR_SUFFIX}
    RUNTIME DESTINATION bin)
  set_property(GLOBAL APPEND PROPERTY ATTNRES_EXPORTS ${name})
endfunction()

# A C++ library of attnres: headers under <prefix>/include for consumers.
function(add_attnres_library name)
  add_mlir_library(${ARGV} DISABLE_INSTALL)
  target_include_directories(${name} INTERFACE $<INSTALL_INTERFACE:include>)
  add_attnres_install(${name})
endfunction()

function(add_attnres_dialect_library name)
  set_property(GLOBAL APPEND PROPERTY ATTNRES_DIALECT_LIBS ${name})
  add_attnres_library(${ARGV})
endfunction()

function(add_attnres_conversion_library name)
  set_property(GLOBAL APPEND PROPERTY ATTNRES_CONVERSION_LIBS ${name})
  add_attnres_library(${ARGV})
endfunction()

# A tool linked against libMLIR.so, installed into <prefix>/bin.
function(add_attnres_tool name)
  add_llvm_executable(${name} ${ARGN})
  llvm_update_compile_flags(${name})
  add_attnres_install(${name})
endfunction()
