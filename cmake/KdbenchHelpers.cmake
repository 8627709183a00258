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

# Whether `file` includes a LibTorch header (<torch/..>, <ATen/..>, <c10/..>), directly or through
# kdbench headers ("kdbench/<lib>/x.h" from kdbench_<lib>'s include root, or a private "x.h" beside
# the file). Memoised in global properties: every header is read once per configure.
function(_kdbench_uses_torch file out)
  string(MAKE_C_IDENTIFIER "${file}" id)
  get_property(known GLOBAL PROPERTY KDBENCH_TORCH_${id} SET)
  if(known)
    get_property(result GLOBAL PROPERTY KDBENCH_TORCH_${id})
    set(${out} ${result} PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY KDBENCH_TORCH_${id} OFF)  # include cycles end here
  set(result OFF)
  file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]+[<\"]")
  get_filename_component(dir ${file} DIRECTORY)
  foreach(line ${lines})
    if(line MATCHES "[<\"](torch|ATen|c10)/")
      set(result ON)
      break()
    endif()
    set(header)
    if(line MATCHES "\"kdbench/([a-z_]+)/([^\"]+)\"")
      if(TARGET kdbench_${CMAKE_MATCH_1})
        get_target_property(lib_dir kdbench_${CMAKE_MATCH_1} SOURCE_DIR)
        set(header ${lib_dir}/include/kdbench/${CMAKE_MATCH_1}/${CMAKE_MATCH_2})
      endif()
    elseif(line MATCHES "\"([^\"/]+)\"")
      set(header ${dir}/${CMAKE_MATCH_1})
    endif()
    if(header AND EXISTS ${header})
      _kdbench_uses_torch(${header} nested)
      if(nested)
        set(result ON)
        break()
      endif()
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY KDBENCH_TORCH_${id} ${result})
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# Every registered target whose link closure contains LibTorch reuses the shared PCH, except in
# its sources that include no LibTorch header: loading the 570 MB PCH costs ~4.5 s per
# translation unit, more than such a file takes to compile without it.
function(kdbench_apply_torch_pch)
  if(NOT KDBENCH_PCH)
    return()
  endif()
  get_property(targets GLOBAL PROPERTY KDBENCH_LAYERED_TARGETS)
  foreach(target ${targets})
    _kdbench_closure(${target} LINK_LIBRARIES ON deps)
    if(NOT "torch" IN_LIST deps)
      continue()
    endif()
    target_precompile_headers(${target} REUSE_FROM kdbench_torch_pch)
    get_target_property(dir ${target} SOURCE_DIR)
    get_target_property(sources ${target} SOURCES)
    foreach(source ${sources})
      if(NOT IS_ABSOLUTE ${source})
        set(source ${dir}/${source})
      endif()
      _kdbench_uses_torch(${source} uses)
      if(NOT uses)
        set_source_files_properties(${source} TARGET_DIRECTORY ${target}
                                    PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
      endif()
    endforeach()
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
  # Unity build: a library's sources compile as a few concatenated translation units, so each
  # LibTorch batch loads the precompiled header once instead of once per file (see bench/README.md
  # for the measured build times). KDBENCH_UNITY_BUILD=OFF for edit-compile cycles on one file.
  if(KDBENCH_UNITY_BUILD)
    set_target_properties(${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
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
