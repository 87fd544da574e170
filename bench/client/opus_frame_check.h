// Decodes the Opus packets of received audio frames with libopus and reports how much audio
// each frame holds, so the bench can check that every frame carries exactly 80 ms.
// One checker per response (Opus decoders keep state across packets). Not thread-safe.
#pragma once

#include <string>
#include <vector>

struct OpusDecoder;

namespace csm::bench {

class OpusFrameCheck {
 public:
  // `sample_rate`: the decode rate (8000, 12000, 16000, 24000 or 48000 Hz).
  explicit OpusFrameCheck(int sample_rate = 24000);
  ~OpusFrameCheck();
  OpusFrameCheck(const OpusFrameCheck&) = delete;
  OpusFrameCheck& operator=(const OpusFrameCheck&) = delete;

  // Decodes the packets of one frame in order; returns the audio they hold in ms, or -1
  // when a packet does not decode.
  double decode_frame_ms(const std::vector<std::string>& packets);

 private:
  OpusDecoder* decoder_ = nullptr;
  int sample_rate_;
  std::vector<float> pcm_;
};

}  // namespace csm::bench
