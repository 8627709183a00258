# The layering rule, checked when CMake configures: a target may include "kdbench/<lib>/..." only
# if it links kdbench_<lib>, directly or through a PUBLIC dependency; a library's public headers may
# include only what its PUBLIC dependencies provide (or its consumers would not compile). The
# include roots already make a violation a compile error; this check names the file and the
# missing link instead, before anything is built.
#
# kdbench_library() and kdbench_test() register their targets; kdbench_check_layering() runs once
# at the end of the top-level CMakeLists.txt.

function(kdbench_register_layering target)
  set_property(GLOBAL APPEND PROPERTY KDBENCH_LAYERED_TARGETS ${target})
endfunction()

# The targets that `target` links, transitively, starting from its `property` (LINK_LIBRARIES
# for the target itself, INTERFACE_LINK_LIBRARIES for what it passes on). $<LINK_ONLY:x> entries
# are PRIVATE dependencies of static libraries: linked but not included, so they are followed only
# with `with_private` (LibTorch detection) and skipped for the include closure (layering).
function(_kdbench_closure target property with_private out)
  set(seen)
  get_target_property(queue ${target} ${property})
  if(NOT queue)
    set(queue)
  endif()
  while(queue)
    list(POP_FRONT queue dep)
    if(dep MATCHES "^\\$<LINK_ONLY:(.*)>$")
      if(NOT with_private)
        continue()
      endif()
      set(dep ${CMAKE_MATCH_1})
    endif()
    if(NOT TARGET ${dep} OR dep IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${dep})
    get_target_property(more ${dep} INTERFACE_LINK_LIBRARIES)
    if(more)
      list(APPEND queue ${more})
    endif()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

# Lines `#include "kdbench/<lib>/..."` of `file` as "<lib>;<header>" pairs in `out`.
function(_kdbench_included_libs file out)
  file(STRINGS ${file} lines REGEX "^[ \t]*#[ \t]*include[ \t]+\"kdbench/[a-z_]+/")
  set(found)
  foreach(line ${lines})
    string(REGEX MATCH "kdbench/([a-z_]+)/[^\"]+" header "${line}")
    list(APPEND found "${CMAKE_MATCH_1}|${header}")
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

function(kdbench_check_layering)
  get_property(targets GLOBAL PROPERTY KDBENCH_LAYERED_TARGETS)
  set(errors)
  foreach(target ${targets})
    get_target_property(dir ${target} SOURCE_DIR)
    get_target_property(sources ${target} SOURCES)
    _kdbench_closure(${target} LINK_LIBRARIES OFF linked)
    _kdbench_closure(${target} INTERFACE_LINK_LIBRARIES OFF exported)
    # The target's own files: its sources, the private headers beside them, its public headers.
    file(GLOB private_headers ${dir}/*.h)
    file(GLOB public_headers ${dir}/include/kdbench/*/*.h)
    set(files ${private_headers} ${public_headers})
    foreach(s ${sources})
      if(NOT IS_ABSOLUTE ${s})
        set(s ${dir}/${s})
      endif()
      if(EXISTS ${s})
        list(APPEND files ${s})
      endif()
    endforeach()
    foreach(file ${files})
      _kdbench_included_libs(${file} uses)
      set(is_public OFF)
      if(file IN_LIST public_headers)
        set(is_public ON)
      endif()
      foreach(use ${uses})
        string(REPLACE "|" ";" use "${use}")
        list(GET use 0 lib)
        list(GET use 1 header)
        set(needed kdbench_${lib})
        if(needed STREQUAL target OR NOT TARGET ${needed})
          continue()
        endif()
        file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${file})
        if(is_public AND NOT needed IN_LIST exported)
          list(APPEND errors "  ${rel} (a public header of ${target}) includes ${header}, but "
                             "${target} does not link ${needed} PUBLIC\n")
        elseif(NOT needed IN_LIST linked)
          list(APPEND errors "  ${rel} includes ${header}, but ${target} does not link ${needed}\n")
        endif()
      endforeach()
    endforeach()
  endforeach()
  if(errors)
    string(JOIN "" text ${errors})
    message(FATAL_ERROR "kdbench layering: a target includes a library it does not link:\n${text}"
                        "Link the library (kdbench_library PUBLIC_DEPS / PRIVATE_DEPS) or drop "
                        "the include; see docs/design.md (Layout).")
  endif()
endfunction()
