# Every dependency is a Debian package found through its CMake config.
# oneDNN's config calls find_package(OpenCL REQUIRED): ocl-icd-opencl-dev.
find_package(dnnl CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(OpenMP REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)  # checkpoint headers
find_package(ZLIB REQUIRED)                  # gzipped IDX data files
# Optional: distributed/ runs every program as one process without it. The
# CXX component (this project enables no C compiler) with MPI's C API only.
set(MPI_CXX_SKIP_MPICXX ON)
find_package(MPI COMPONENTS CXX)
if(MINITF_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(MINITF_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
