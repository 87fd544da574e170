# Warnings for our own targets only (third-party headers come in as SYSTEM includes).
function(csm_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
endfunction()

# A torch-using target: links torch and reuses the shared precompiled header.
function(csm_use_torch target)
  target_link_libraries(${target} PUBLIC csm::torch)
  target_precompile_headers(${target} REUSE_FROM csm_torch_pch)
endfunction()
