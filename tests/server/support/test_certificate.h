// A self-signed TLS certificate for 127.0.0.1 and localhost and its unencrypted key, made by
// the openssl command in a test's scratch folder: the server's server.tls_cert / tls_key, and
// the one certificate its test clients trust (curl --cacert, NODE_EXTRA_CA_CERTS, Beast).
#pragma once

#include <string>

#include "codec/audio/audio_test_support.h"
#include "support/catch.h"
#include "support/paths.h"

namespace csm::test {

struct TestCertificate {
  explicit TestCertificate(const ScratchDir& dir, const std::string& name = "server")
      : cert(dir.file(name + ".crt")), key(dir.file(name + ".key")) {
    const auto r = csm::audio::test::run(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
        " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + key + " -out " + cert +
        " 2>&1");
    INFO(r.output);
    REQUIRE(r.status == 0);
  }
  std::string cert;  // PEM
  std::string key;   // PEM
};

}  // namespace csm::test
