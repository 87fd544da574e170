// libFuzzer target: a WebSocket client message as the server parses it (UTF-8 check, JSON
// parse with its depth limit, every message type's fields), with the server's default
// limits and with a tight text limit. Any exception other than ProtocolError, any sanitizer
// report, leak or crash is a finding. Built and run by tests/fuzz/run-fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/client_messages.h"
#include "proto/protocol_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  csm::proto::MessageLimits tight;
  tight.max_text_bytes = 16;
  tight.max_audio_bytes = 64;
  for (const auto& limits : {csm::proto::MessageLimits{}, tight}) {
    try {
      const auto parsed = csm::proto::parse_client_message(text, limits);
      // What parses must print back as a message that parses the same way.
      csm::proto::parse_client_message(csm::proto::to_json(parsed.message, parsed.event_id),
                                       csm::proto::MessageLimits{1 << 30, 1 << 30, 1 << 30});
    } catch (const csm::proto::ProtocolError&) {
    }
  }
  return 0;
}
