// ResponseEncoder: frame indices, the tail's index, and the response's max_audio_ms: frames
// the engine generates beyond it (before the stop reaches it) are not encoded, so the tail
// follows the last frame sent and carries none of their audio.
#include "support/catch.h"

#include <vector>

#include "proto/audio_frame.h"
#include "server/stream/response_encoder.h"

using csm::proto::AudioFrame;
using csm::proto::Codec;
using csm::proto::decode_audio_frame;
using csm::proto::OutputFormat;
using csm::server::make_frame_encoder;
using csm::server::ResponseEncoder;

namespace {

std::unique_ptr<csm::server::FrameEncoder> opus() {
  OutputFormat f;
  f.codec = Codec::Opus;
  return make_frame_encoder(f);
}

const std::vector<float> kFrame(1920, 0.25F);

}  // namespace

TEST_CASE("response encoder: consecutive indices, the tail next", "[server][encoder]") {
  ResponseEncoder e(3, opus());
  for (uint32_t i = 0; i < 4; ++i) {
    AudioFrame f = decode_audio_frame(e.encode(kFrame));
    CHECK(f.response_id == 3u);
    CHECK(f.frame_index == i);
  }
  CHECK(decode_audio_frame(e.tail()).frame_index == 4u);
}

TEST_CASE("response encoder: frames beyond max_frames are not encoded", "[server][encoder]") {
  ResponseEncoder capped(1, opus(), 3);
  ResponseEncoder exact(1, opus());
  for (int i = 0; i < 3; ++i) {
    CHECK(capped.encode(kFrame) == exact.encode(kFrame));
  }
  CHECK(capped.encode(kFrame).empty());  // the engine ran one frame past the stop
  CHECK(capped.encode(kFrame).empty());
  CHECK(capped.audio_ms() == exact.audio_ms());
  const std::string tail = capped.tail();
  CHECK(decode_audio_frame(tail).frame_index == 3u);
  CHECK(tail == exact.tail());  // the same audio as a response that stopped in time
}
