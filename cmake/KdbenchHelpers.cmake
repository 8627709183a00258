# Shared helpers for kdbench targets.

# kdbench_warnings(target): warnings on for our own code; LibTorch and HDF5 headers are SYSTEM.
function(kdbench_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter
                                           -Winvalid-pch)
endfunction()

# kdbench_warnings(...) also asks GCC to say when it rejects a precompiled header
# (-Winvalid-pch): a rejected PCH silently costs ~20 s per translation unit.

# One precompiled <torch/torch.h> for the whole build. Every target that uses LibTorch (its own
# TORCH flag or through a dependency) reuses it (kdbench_apply_torch_pch, run once at the end of the
# top-level CMakeLists.txt); a PCH per target would compile the same 300 MB header once per library
# and test binary. Sharing it requires the same language flags everywhere, which the common
# kdbench_warnings, CMAKE_CXX_STANDARD and LibTorch's own flags give.
function(kdbench_add_torch_pch)
  if(NOT KDBENCH_PCH)
    return()
  endif()
  add_library(kdbench_torch_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/torch_pch.cpp)
  target_link_libraries(kdbench_torch_pch PRIVATE "${TORCH_LIBRARIES}" Threads::Threads)
  kdbench_warnings(kdbench_torch_pch)
  target_precompile_headers(kdbench_torch_pch PRIVATE <torch/torch.h>)
endfunction()

# Every registered target whose link closure contains LibTorch reuses the shared PCH.
function(kdbench_apply_torch_pch)
  if(NOT KDBENCH_PCH)
    return()
  endif()
  get_property(targets GLOBAL PROPERTY KDBENCH_LAYERED_TARGETS)
  foreach(target ${targets})
    _kdbench_link_closure(${target} deps)
    if("torch" IN_LIST deps)
      target_precompile_headers(${target} REUSE_FROM kdbench_torch_pch)
    endif()
  endforeach()
endfunction()

# kdbench_library(name SOURCES ... PUBLIC_DEPS ... PRIVATE_DEPS ... [TORCH]): one library per
# folder. Its public headers live in <folder>/include/kdbench/<lib>/ and are included as
# "kdbench/<lib>/x.h"; that include root is the only one it exports, so a target can include
# another library's header only by linking that library. Private headers sit beside the .cpp
# files and are visible to this library alone. The repository root is never an include path.
function(kdbench_library name)
  cmake_parse_arguments(ARG "TORCH" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name}
    PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  kdbench_register_layering(${name})
  kdbench_warnings(${name})
  if(ARG_TORCH)
    target_link_libraries(${name} PUBLIC "${TORCH_LIBRARIES}")
  endif()
endfunction()

# LibTorch's imported targets carry include dirs as non-SYSTEM; make them SYSTEM so its headers'
# warnings do not drown ours.
if(TARGET torch)
  get_target_property(_torch_inc torch INTERFACE_INCLUDE_DIRECTORIES)
  if(_torch_inc)
    set_target_properties(torch PROPERTIES INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${_torch_inc}")
  endif()
endif()
