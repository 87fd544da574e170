# The folder layering (docs/ARCHITECTURE.md, "Layering"): scripts/check-layering scans the
# #include lines of common/, proto/, codec/, core/ and server/ and names every file:line that
# breaks a rule. The self-test runs it on fake trees to show that it can fail.
add_test(NAME "layering: includes follow the folder rules"
         COMMAND ${PROJECT_SOURCE_DIR}/scripts/check-layering ${PROJECT_SOURCE_DIR})
set_tests_properties("layering: includes follow the folder rules" PROPERTIES
  LABELS layering TIMEOUT 60)

add_test(NAME "layering: the check fails on a tree that breaks the rules"
         COMMAND ${PROJECT_SOURCE_DIR}/tests/layering_selftest.sh
                 ${PROJECT_SOURCE_DIR}/scripts/check-layering)
set_tests_properties("layering: the check fails on a tree that breaks the rules" PROPERTIES
  LABELS layering TIMEOUT 60)
