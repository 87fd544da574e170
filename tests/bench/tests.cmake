# The end-to-end bench test runs build/bin/csm-bench against build/bin/csm-server (demo model).
if(TARGET csm-tests-bench)
  add_dependencies(csm-tests-bench csm-bench csm-server csm_demo_assets)
endif()
