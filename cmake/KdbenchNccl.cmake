# KDBENCH_WITH_NCCL: AUTO builds the NCCL data plane of gangs (suite/comm/nccl_communicator.cpp)
# whenever nccl.h, libnccl and the CUDA runtime are found, also against the CPU LibTorch, so that
# machines without a GPU compile and link it; ON makes their absence an error; OFF never builds it.
# Search order: $NCCL_HOME, $CUDA_HOME, then the CUDA toolkit (/usr/local/cuda, nvcc on PATH).
# KDBENCH_TORCH_CUDA: LibTorch has CUDA, so the collectives use its current CUDA stream.
set(KDBENCH_HAVE_NCCL OFF)
set(KDBENCH_TORCH_CUDA OFF)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES)
  set(KDBENCH_TORCH_CUDA ON)
endif()
if(NOT KDBENCH_WITH_NCCL STREQUAL "OFF")
  find_package(CUDAToolkit QUIET)
  set(_cuda_lib_dirs)
  if(CUDAToolkit_FOUND)
    set(_cuda_lib_dirs ${CUDAToolkit_LIBRARY_DIR} ${CUDAToolkit_INCLUDE_DIRS}/../lib64)
  endif()
  find_path(NCCL_INCLUDE_DIR nccl.h
    HINTS $ENV{NCCL_HOME}/include $ENV{CUDA_HOME}/include ${CUDAToolkit_INCLUDE_DIRS})
  find_library(NCCL_LIBRARY nccl
    HINTS $ENV{NCCL_HOME}/lib $ENV{NCCL_HOME}/lib64 $ENV{CUDA_HOME}/lib64 ${_cuda_lib_dirs})
  if(CUDAToolkit_FOUND AND TARGET CUDA::cudart AND NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
    set(KDBENCH_HAVE_NCCL ON)
    add_library(kdbench::nccl INTERFACE IMPORTED)
    set_target_properties(kdbench::nccl PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES ${NCCL_INCLUDE_DIR}
      INTERFACE_LINK_LIBRARIES "${NCCL_LIBRARY};CUDA::cudart")
  elseif(KDBENCH_WITH_NCCL STREQUAL "ON")
    message(FATAL_ERROR "KDBENCH_WITH_NCCL=ON but the CUDA runtime (found: ${CUDAToolkit_FOUND}) "
                        "or NCCL (include: ${NCCL_INCLUDE_DIR}, lib: ${NCCL_LIBRARY}) was not found; "
                        "set CUDA_HOME or NCCL_HOME, or KDBENCH_WITH_NCCL=AUTO")
  endif()
endif()
message(STATUS "kdbench: MPI=${KDBENCH_WITH_MPI} NCCL=${KDBENCH_HAVE_NCCL} "
               "(CUDA LibTorch: ${KDBENCH_TORCH_CUDA})")
