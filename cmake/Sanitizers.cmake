# CSM_SANITIZE: build everything with sanitizers, e.g. "address,undefined" (make test-asan) or
# "thread" (tests/sanitizers/run-suite BUILD thread). Debian's LibTorch, Boost and Opus are
# not instrumented; the runtime options and suppressions for them live in tests/sanitizers/.
set(CSM_SANITIZE "" CACHE STRING "Sanitizers for every target (address,undefined | thread)")
if(CSM_SANITIZE)
  # vptr checks RTTI across LibTorch's uninstrumented shared objects: false positives only.
  set(_csm_san_flags -fsanitize=${CSM_SANITIZE} -fno-omit-frame-pointer)
  if(CSM_SANITIZE MATCHES "undefined")
    list(APPEND _csm_san_flags -fno-sanitize=vptr -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_csm_san_flags})
  add_link_options(${_csm_san_flags})
  message(STATUS "sanitizers: ${CSM_SANITIZE}")
endif()
