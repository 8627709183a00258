# KDBENCH_WITH_NCCL: AUTO builds the NCCL data plane only when LibTorch was built with CUDA and an
# NCCL library is found; ON makes their absence an error; OFF never builds it.
set(KDBENCH_HAVE_NCCL OFF)
if(NOT KDBENCH_WITH_NCCL STREQUAL "OFF")
  set(_torch_cuda OFF)
  if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES OR CUDA_FOUND)
    set(_torch_cuda ON)
  endif()
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS $ENV{NCCL_HOME}/include $ENV{CUDA_HOME}/include)
  find_library(NCCL_LIBRARY nccl HINTS $ENV{NCCL_HOME}/lib $ENV{NCCL_HOME}/lib64)
  if(_torch_cuda AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
    set(KDBENCH_HAVE_NCCL ON)
    add_library(kdbench::nccl UNKNOWN IMPORTED)
    set_target_properties(kdbench::nccl PROPERTIES IMPORTED_LOCATION ${NCCL_LIBRARY}
      INTERFACE_INCLUDE_DIRECTORIES ${NCCL_INCLUDE_DIR})
  elseif(KDBENCH_WITH_NCCL STREQUAL "ON")
    message(FATAL_ERROR "KDBENCH_WITH_NCCL=ON but CUDA LibTorch (${_torch_cuda}) or NCCL "
                        "(include: ${NCCL_INCLUDE_DIR}, lib: ${NCCL_LIBRARY}) was not found")
  endif()
endif()
message(STATUS "kdbench: MPI=${KDBENCH_WITH_MPI} NCCL=${KDBENCH_HAVE_NCCL}")
