// libFuzzer target: the body of POST /v1/audio/speech as the server parses it. Any exception
// other than ProtocolError, any sanitizer report, leak or crash is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/protocol_error.h"
#include "proto/speech_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    const auto request = csm::proto::parse_speech_request(body, csm::proto::SpeechLimits{});
    (void)csm::proto::content_type(request);
  } catch (const csm::proto::ProtocolError&) {
  }
  return 0;
}
