#include "proto/json_parse.h"

#include <catch2/catch.hpp>

#include "proto/client_messages.h"
#include "proto/protocol_error.h"
#include "proto/speech_request.h"

using namespace csm::proto;

namespace {

// The code of the ProtocolError that `f` throws; fails the test when it throws nothing or
// anything else.
template <typename F>
ErrorCode error_code_of(F&& f) {
  try {
    f();
  } catch (const ProtocolError& e) {
    return e.code();
  }
  FAIL("no ProtocolError");
  return ErrorCode::Internal;
}

}  // namespace

TEST_CASE("untrusted JSON: numbers that overflow a double are invalid_json", "[proto]") {
  for (const char* text : {"1e999", "-2e308", R"({"a":1e400})"}) {
    CAPTURE(text);
    CHECK(error_code_of([&] { parse_untrusted_json(text, "message"); }) == ErrorCode::InvalidJson);
  }
  CHECK(error_code_of([&] { parse_client_message("1e999", {}); }) == ErrorCode::InvalidJson);
  CHECK(error_code_of([&] {
          parse_client_message(R"({"type":"session.update","session":{"temperature":1e999}})", {});
        }) == ErrorCode::InvalidJson);
}
