# Third-party dependencies, all from Debian 12 packages (scripts/install-deps installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# LibTorch: Debian's CPU build by default; a CUDA one from Debian 13's contrib
# (scripts/install-deps --cuda) or a CUDA PyTorch (Torch_DIR / CMAKE_PREFIX_PATH) for GPUs.
find_package(Torch REQUIRED)
# CSM_CUDA: AUTO builds the CUDA paths when the LibTorch found has CUDA, ON requires that it
# has, OFF leaves them out. They are compiled in only under CSM_WITH_CUDA; the CPU build never
# sees them.
set(CSM_CUDA AUTO CACHE STRING "Build the CUDA paths: AUTO (when LibTorch has CUDA), ON, OFF")
set_property(CACHE CSM_CUDA PROPERTY STRINGS AUTO ON OFF)
if(NOT CSM_CUDA MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "CSM_CUDA is '${CSM_CUDA}'; expected AUTO, ON or OFF")
endif()
set(CSM_TORCH_HAS_CUDA OFF)
if(TARGET torch_cuda OR TORCH_LIBRARIES MATCHES "torch_cuda")
  set(CSM_TORCH_HAS_CUDA ON)
endif()
if(CSM_CUDA STREQUAL "ON" AND NOT CSM_TORCH_HAS_CUDA)
  message(FATAL_ERROR "CSM_CUDA=ON, but the LibTorch found (${Torch_DIR}) has no CUDA: install "
                      "libtorch-cuda-dev (Debian 13, scripts/install-deps --cuda) or point "
                      "Torch_DIR at a CUDA PyTorch's share/cmake/Torch")
endif()
if(CSM_TORCH_HAS_CUDA AND NOT CSM_CUDA STREQUAL "OFF")
  set(CSM_WITH_CUDA ON)
else()
  set(CSM_WITH_CUDA OFF)
endif()
message(STATUS "CUDA paths: ${CSM_WITH_CUDA} (CSM_CUDA=${CSM_CUDA}, LibTorch with CUDA: ${CSM_TORCH_HAS_CUDA})")
# OpenMP for every torch user: at::parallel_for is an inline template whose `#pragma omp
# parallel` only exists in translation units compiled with -fopenmp; without it our own
# parallel kernels (core/model/cpu_gemm.cpp) silently run on one thread.
find_package(OpenMP REQUIRED)
add_library(csm_torch INTERFACE)
target_link_libraries(csm_torch INTERFACE ${TORCH_LIBRARIES} OpenMP::OpenMP_CXX)
# Torch headers are third-party: keep their warnings out of ours.
get_target_property(_torch_inc torch INTERFACE_INCLUDE_DIRECTORIES)
if(_torch_inc)
  target_include_directories(csm_torch SYSTEM INTERFACE ${_torch_inc})
endif()
if(CSM_WITH_CUDA)
  target_compile_definitions(csm_torch INTERFACE CSM_WITH_CUDA)
endif()
add_library(csm::torch ALIAS csm_torch)

# The server and the load-test client only (CSM_MODEL_ONLY leaves them out).
if(NOT CSM_MODEL_ONLY)
  # CMake 3.30 and later (Debian 13): Boost's own BoostConfig.cmake, not the removed FindBoost.
  if(POLICY CMP0167)
    cmake_policy(SET CMP0167 NEW)
  endif()
  find_package(Boost 1.74 REQUIRED)
  find_package(prometheus-cpp REQUIRED)
  find_package(OpenSSL 1.1 REQUIRED)  # TLS in the server (server.tls_cert)
endif()
# The tests: all of them, or with CSM_MODEL_ONLY those of CSM_MODEL_TESTS.
if(NOT CSM_MODEL_ONLY OR CSM_MODEL_TESTS)
  # Catch2 2 (Debian 12, one header) or 3 (Debian 13, a library): tests/support/catch.h includes
  # what the found major version has, told by CSM_CATCH2_MAJOR (tests/CMakeLists.txt).
  find_package(Catch2 REQUIRED)
  if(NOT Catch2_VERSION_MAJOR MATCHES "^[23]$")
    message(FATAL_ERROR "Catch2 ${Catch2_VERSION} found; the tests need Catch2 2 or 3")
  endif()
endif()

find_package(nlohmann_json 3.10 REQUIRED)
pkg_check_modules(OPUS REQUIRED IMPORTED_TARGET opus)
pkg_check_modules(OGG REQUIRED IMPORTED_TARGET ogg)
pkg_check_modules(OPUSFILE REQUIRED IMPORTED_TARGET opusfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
if(NOT CSM_MODEL_ONLY)
  # The output encoders (codec/audio/*_encoder): Ogg Opus files, mp3 (LAME; Debian's
  # libmp3lame-dev ships lame.pc), flac, aac (libavcodec's native encoder; the AVChannelLayout
  # API of FFmpeg 5.1 and later).
  pkg_check_modules(OPUSENC REQUIRED IMPORTED_TARGET libopusenc)
  pkg_check_modules(LAME REQUIRED IMPORTED_TARGET lame)
  pkg_check_modules(FLAC REQUIRED IMPORTED_TARGET flac)
  pkg_check_modules(AVCODEC REQUIRED IMPORTED_TARGET libavcodec>=59.37 libavutil>=57.28)
  # libsonic (speech time-stretching) ships no pkg-config file: find its header and library.
  find_path(SONIC_INCLUDE_DIR sonic.h REQUIRED)
  find_library(SONIC_LIBRARY sonic REQUIRED)
  add_library(csm::sonic UNKNOWN IMPORTED)
  set_target_properties(csm::sonic PROPERTIES IMPORTED_LOCATION ${SONIC_LIBRARY}
                                              INTERFACE_INCLUDE_DIRECTORIES ${SONIC_INCLUDE_DIR})
  # ICU (text/: number spelling with the rule-based number format); stable C++ API only.
  pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-i18n icu-uc)
endif()
