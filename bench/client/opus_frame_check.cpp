#include "bench/client/opus_frame_check.h"

#include <opus/opus.h>

#include <stdexcept>

namespace csm::bench {

OpusFrameCheck::OpusFrameCheck(int sample_rate) : sample_rate_(sample_rate) {
  int error = OPUS_OK;
  decoder_ = opus_decoder_create(sample_rate, 1, &error);
  if (error != OPUS_OK || decoder_ == nullptr) {
    throw std::runtime_error("opus_decoder_create(" + std::to_string(sample_rate) +
                             " Hz): " + opus_strerror(error));
  }
  pcm_.resize(static_cast<size_t>(sample_rate) * 120 / 1000);  // the longest Opus packet
}

OpusFrameCheck::~OpusFrameCheck() { opus_decoder_destroy(decoder_); }

double OpusFrameCheck::decode_frame_ms(const std::vector<std::string>& packets) {
  long samples = 0;
  for (const auto& packet : packets) {
    const int n = opus_decode_float(decoder_, reinterpret_cast<const unsigned char*>(packet.data()),
                                    static_cast<opus_int32>(packet.size()), pcm_.data(),
                                    static_cast<int>(pcm_.size()), 0);
    if (n < 0) return -1;
    samples += n;
  }
  return 1000.0 * static_cast<double>(samples) / sample_rate_;
}

}  // namespace csm::bench
