# The AVX512 kernels, compiled once more from their own sources with CSM_EMULATED_AVX512
# defined: no target pragma or attribute, and include/immintrin.h puts SIMDe's portable
# intrinsics (libsimde-dev) under the Intel names. So their code is checked on CPUs without
# AVX512 too (an AVX512 CPU also runs the common and core tests on the real instructions):
#  - common/cpu/gemm_avx512.cpp (bf16 dot products, fp32 FMA) and gemm_int8_avx512.cpp (int8 on
#    VNNI), by gemm_test.cpp here;
#  - core/model/cpu_kernels_avx512.cpp (fused RMSNorm, SwiGLU, RoPE, attention), by the core
#    tests of those kernels compiled again, their kernel_sets() naming the AVX512 set alone.
# These objects define detail::avx512_rows and detail::avx512_kernels for the test binary in
# place of the libraries' (static: their AVX512 objects are then not linked; were they, the
# duplicate definitions would fail the link, not pass unnoticed).
find_path(CSM_SIMDE_INCLUDE_DIR simde/x86/avx512.h)
if(NOT CSM_SIMDE_INCLUDE_DIR)
  message(FATAL_ERROR "SIMDe headers (Debian: libsimde-dev) not found; the tests of the AVX512 "
                      "kernels need them (scripts/install-deps installs them)")
endif()
add_library(csm_avx512_emulated OBJECT
  ${PROJECT_SOURCE_DIR}/common/cpu/gemm_avx512.cpp
  ${PROJECT_SOURCE_DIR}/common/cpu/gemm_int8_avx512.cpp
  ${PROJECT_SOURCE_DIR}/core/model/cpu_kernels_avx512.cpp)
target_include_directories(csm_avx512_emulated BEFORE PRIVATE
                           ${CMAKE_CURRENT_SOURCE_DIR}/avx512_emulated/include)
target_include_directories(csm_avx512_emulated PRIVATE ${PROJECT_SOURCE_DIR}
                                                   ${CSM_SIMDE_INCLUDE_DIR})
target_compile_definitions(csm_avx512_emulated PRIVATE CSM_EMULATED_AVX512)
target_link_libraries(csm_avx512_emulated PRIVATE csm::torch)
csm_warnings(csm_avx512_emulated)
# SIMDe's 64-byte vectors go through memory between functions without AVX512 (GCC warns that
# the ABI differs from AVX512's); every function that passes them is compiled here, alike.
target_compile_options(csm_avx512_emulated PRIVATE -Wno-psabi)

csm_test_binary(csm-tests-avx512-emulated avx512_emulated csm_core)
target_sources(csm-tests-avx512-emulated PRIVATE
  $<TARGET_OBJECTS:csm_avx512_emulated>
  ${CMAKE_CURRENT_SOURCE_DIR}/core/model/elementwise_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/core/model/attention_test.cpp)
target_compile_definitions(csm-tests-avx512-emulated PRIVATE CSM_EMULATED_AVX512)
target_precompile_headers(csm-tests-avx512-emulated REUSE_FROM csm_torch_pch)

# The emulation itself, checked against the instructions where the CPU has them: one program
# (tests/support/avx512_kernel_outputs.cpp) built with the real kernels and with the emulated
# ones writes each kernel's outputs for the same inputs; the two must be the same bytes
# (skipped on CPUs without AVX512-BF16 and VNNI).
foreach(target csm-tests-avx512-outputs csm-tests-avx512-outputs-emulated)
  add_executable(${target} ${CMAKE_CURRENT_SOURCE_DIR}/support/avx512_kernel_outputs.cpp)
  target_link_libraries(${target} PRIVATE csm_core)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  target_precompile_headers(${target} REUSE_FROM csm_torch_pch)
  csm_warnings(${target})
endforeach()
target_sources(csm-tests-avx512-outputs-emulated PRIVATE $<TARGET_OBJECTS:csm_avx512_emulated>)
target_compile_definitions(csm-tests-avx512-outputs-emulated PRIVATE CSM_EMULATED_AVX512)
add_test(NAME "avx512_emulated: the emulated kernels give the real ones' bytes"
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/avx512_emulated/compare-outputs.sh
                 $<TARGET_FILE:csm-tests-avx512-outputs>
                 $<TARGET_FILE:csm-tests-avx512-outputs-emulated>)
set_tests_properties("avx512_emulated: the emulated kernels give the real ones' bytes"
                     PROPERTIES LABELS avx512_emulated SKIP_RETURN_CODE 77)
