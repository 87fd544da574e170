# Third-party dependencies, all from Debian 12 packages (scripts/install-deps installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# LibTorch (CPU build from Debian; GPU deployments point Torch_DIR at a CUDA PyTorch install).
find_package(Torch REQUIRED)
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
add_library(csm::torch ALIAS csm_torch)

# CMake 3.30 and later (Debian 13): Boost's own BoostConfig.cmake, not the removed FindBoost.
if(POLICY CMP0167)
  cmake_policy(SET CMP0167 NEW)
endif()
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(prometheus-cpp REQUIRED)
find_package(OpenSSL 1.1 REQUIRED)  # TLS in the server (server.tls_cert)
# Catch2 2 (Debian 12, one header) or 3 (Debian 13, a library): tests/support/catch.h includes
# what the found major version has, told by CSM_CATCH2_MAJOR (tests/CMakeLists.txt).
find_package(Catch2 REQUIRED)
if(NOT Catch2_VERSION_MAJOR MATCHES "^[23]$")
  message(FATAL_ERROR "Catch2 ${Catch2_VERSION} found; the tests need Catch2 2 or 3")
endif()

pkg_check_modules(OPUS REQUIRED IMPORTED_TARGET opus)
pkg_check_modules(OGG REQUIRED IMPORTED_TARGET ogg)
pkg_check_modules(OPUSENC REQUIRED IMPORTED_TARGET libopusenc)
pkg_check_modules(OPUSFILE REQUIRED IMPORTED_TARGET opusfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
# Compressed output formats: mp3 (LAME; Debian's libmp3lame-dev ships lame.pc), flac, aac
# (libavcodec's native encoder; the AVChannelLayout API of FFmpeg 5.1 and later).
pkg_check_modules(LAME REQUIRED IMPORTED_TARGET lame)
pkg_check_modules(FLAC REQUIRED IMPORTED_TARGET flac)
pkg_check_modules(AVCODEC REQUIRED IMPORTED_TARGET libavcodec>=59.37 libavutil>=57.28)
# libsonic (speech time-stretching) ships no pkg-config file: find its header and library.
find_path(SONIC_INCLUDE_DIR sonic.h REQUIRED)
find_library(SONIC_LIBRARY sonic REQUIRED)
add_library(csm::sonic UNKNOWN IMPORTED)
set_target_properties(csm::sonic PROPERTIES IMPORTED_LOCATION ${SONIC_LIBRARY}
                                            INTERFACE_INCLUDE_DIRECTORIES ${SONIC_INCLUDE_DIR})
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
# ICU (text/: number spelling with the rule-based number format); stable C++ API only.
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-i18n icu-uc)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
