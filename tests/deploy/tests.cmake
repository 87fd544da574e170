# Scale-out (label deploy): three demo csm-server instances behind HAProxy with the real
# docker/haproxy/haproxy.cfg, driven by csm-bench through it; kill -9 of one instance and a
# SIGTERM (rolling restart) of another mid-run (tests/deploy/run-deploy-test.py). Serial: it
# measures cadence on the machine's cores. Skipped (77) without haproxy
# (scripts/install-deps --with-test-tools).
add_test(NAME "deploy: HAProxy spreads sessions, kill -9 fails only in-flight turns, SIGTERM none"
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/run-deploy-test.py ${CMAKE_BINARY_DIR})
set_tests_properties("deploy: HAProxy spreads sessions, kill -9 fails only in-flight turns, SIGTERM none"
                     PROPERTIES LABELS deploy RUN_SERIAL TRUE TIMEOUT 180 SKIP_RETURN_CODE 77)
