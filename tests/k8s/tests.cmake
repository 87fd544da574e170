# Deployment files, checked offline (label deploy; no cluster, no Prometheus server):
#  - docker/k8s: every manifest, and the kustomizations rendered here (base and cuda/), against
#    the OpenAPI schemas of Kubernetes 1.33 and of the prometheus-operator CRDs pinned in
#    tests/k8s/package-lock.json, plus the references between them (validate-manifests.mjs);
#    its self-check breaks copies of the manifests in a temporary folder and expects each to
#    be refused;
#  - docker/monitoring: promtool check rules and promtool test rules on the alert rules;
#  - every metric the dashboard, the alerts and the prometheus-adapter rule query is exported
#    by csm-server, run with docker/k8s's config (check-metric-names.mjs).
# The npm fixture installs the pinned packages into build/k8s-node once per lock file.
set(CSM_K8S_NODE_DIR ${CMAKE_BINARY_DIR}/k8s-node)
add_test(NAME "k8s: validator packages (npm ci)"
  COMMAND ${PROJECT_SOURCE_DIR}/tests/support/npm-fixture ${CMAKE_CURRENT_LIST_DIR}
          ${CSM_K8S_NODE_DIR} node_modules/kubernetes-models/package.json)
set_tests_properties("k8s: validator packages (npm ci)" PROPERTIES
  FIXTURES_SETUP csm_k8s_node LABELS deploy TIMEOUT 300)

add_test(NAME "k8s: manifests validate against pinned Kubernetes schemas"
  COMMAND node ${CSM_K8S_NODE_DIR}/validate-manifests.mjs ${PROJECT_SOURCE_DIR}/docker/k8s)
add_test(NAME "k8s: manifest validator refuses broken manifests"
  COMMAND node ${CSM_K8S_NODE_DIR}/validate-manifests.mjs --self-check ${PROJECT_SOURCE_DIR}/docker/k8s)
add_test(NAME "k8s: dashboard, alert and adapter metrics exist in a demo server's scrape"
  COMMAND node ${CSM_K8S_NODE_DIR}/check-metric-names.mjs ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}/bin)
set_tests_properties("k8s: manifests validate against pinned Kubernetes schemas"
                     "k8s: manifest validator refuses broken manifests"
                     "k8s: dashboard, alert and adapter metrics exist in a demo server's scrape"
  PROPERTIES FIXTURES_REQUIRED csm_k8s_node LABELS deploy TIMEOUT 120)

add_test(NAME "k8s: promtool check and test the alert rules"
  COMMAND sh -c "promtool check rules alerts.yml && promtool test rules alerts_test.yml"
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/docker/monitoring)
set_tests_properties("k8s: promtool check and test the alert rules" PROPERTIES LABELS deploy TIMEOUT 60)
