# Shared helpers for kdbench targets.

# kdbench_warnings(target): warnings on for our own code; LibTorch and HDF5 headers are SYSTEM.
function(kdbench_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
endfunction()

# kdbench_torch_pch(target): precompile the LibTorch headers once per target; torch/torch.h costs
# ~20 s per translation unit on this class of machine without it.
function(kdbench_torch_pch target)
  if(KDBENCH_PCH)
    target_precompile_headers(${target} PRIVATE <torch/torch.h>)
  endif()
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
    kdbench_torch_pch(${name})
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
