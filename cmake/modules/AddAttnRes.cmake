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

# A C++ library of attnres, installed and exported.
function(add_attnres_library name)
  add_mlir_library(${ARGV} DISABLE_INSTALL)
  attnres_interface_includes(${name})
  add_attnres_install(${name})
endfunction()

# Consumers of `name` get attnres's headers: the source and generated include
# directories from the build tree, <prefix>/include from an install.
function(attnres_interface_includes name)
  target_include_directories(${name} INTERFACE
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
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
