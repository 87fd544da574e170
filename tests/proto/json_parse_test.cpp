#include "proto/json_parse.h"

#include "support/catch.h"

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

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

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

TEST_CASE("untrusted JSON: nesting deeper than the limit is refused before parsing", "[proto]") {
  CHECK(parse_untrusted_json(nested(kMaxJsonDepth), "message").is_array());
  CHECK(error_code_of([&] { parse_untrusted_json(nested(kMaxJsonDepth + 1), "message"); }) ==
        ErrorCode::InvalidJson);
  // Brackets inside strings, escaped quotes included, are text, not nesting.
  const std::string in_string = R"({"a":"\")" + std::string(1000, '[') + R"("})";
  CHECK(parse_untrusted_json(in_string, "message")["a"].get<std::string>().size() == 1001);
  // The shapes that once overflowed the stack, in both parsers (the message size limit raised
  // so that the depth check is what refuses it).
  MessageLimits large;
  large.max_message_bytes = 1 << 20;
  CHECK(error_code_of([&] {
          parse_client_message(R"({"type":"response.cancel","response_id":)" + nested(100'000) + "}",
                               large);
        }) == ErrorCode::InvalidJson);
  // Within the default limits the message size refuses it first.
  CHECK(error_code_of([&] {
          parse_client_message(R"({"type":"response.cancel","response_id":)" + nested(100'000) + "}",
                               {});
        }) == ErrorCode::PayloadTooLarge);
  CHECK(error_code_of([&] {
          parse_speech_request(R"({"model":"tts-1","input":"Hi.","voice":"alloy","seed":)" +
                                   nested(200'000) + "}",
                               {});
        }) == ErrorCode::InvalidJson);
}

TEST_CASE("untrusted JSON: error messages quote values briefly", "[proto]") {
  CHECK(brief_json(nlohmann::json::array({1, 2})) == "an array");
  CHECK(brief_json(nlohmann::json::object()) == "an object");
  CHECK(brief_json(42) == "42");
  const std::string long_text(10'000, 'x');
  CHECK(brief_json(long_text).size() < 50);
  // A cut inside a UTF-8 sequence is replaced, not thrown.
  CHECK_NOTHROW(brief_json(std::string(39, 'a') + "\xC3\xA9"));
  try {
    parse_client_message(R"({"type":"response.cancel","response_id":")" + long_text + R"("})", {});
    FAIL("accepted a string response_id");
  } catch (const ProtocolError& e) {
    CHECK(e.code() == ErrorCode::InvalidRequest);
    CHECK(std::string(e.what()).size() < 200);
  }
}
