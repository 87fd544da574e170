// The encoding side of one WebSocket response: its frame encoder and the index of its next
// frame. Frames are encoded on the engine's output pool, in order on the engine session's
// lane (StrandSink's prepare step), so the io threads only write bytes; the tail is taken on
// the strand once every turn of the response has ended. The two never overlap: a turn's
// on_end reaches the strand only after the lane has encoded that turn's last frame, and a
// response's turns run one after another on the same lane.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "proto/audio_frame.h"
#include "server/audio/encoders.h"

namespace csm::server {

class ResponseEncoder {
 public:
  // `max_frames`: the response's max_audio_ms in frames (0: none).
  ResponseEncoder(uint32_t response_id, std::unique_ptr<FrameEncoder> encoder,
                  uint32_t max_frames = 0)
      : response_id_(response_id), encoder_(std::move(encoder)), max_frames_(max_frames) {}

  // Opus: the decoder's pre-skip at 48 kHz (response.created); 0 for other codecs.
  int opus_pre_skip_48k() const { return encoder_->opus_pre_skip_48k(); }
  // The audio encoded so far (after speed), ms; read on the strand once every turn has ended.
  double audio_ms() const { return encoder_->audio_ms(); }

  // One 80 ms frame as a binary protocol message (proto/audio_frame.h). Empty for a frame
  // beyond max_frames: the engine may generate a few more before the response's stop reaches
  // it, and were they encoded, the tail would carry their audio under an index the client
  // never saw.
  std::string encode(std::span<const float> pcm) {
    if (max_frames_ > 0 && next_index_ >= max_frames_) return {};
    proto::AudioFrame frame;
    frame.response_id = response_id_;
    frame.frame_index = next_index_++;
    encoder_->encode(pcm, frame);
    return proto::encode_audio_frame(frame);
  }

  // What the encoder still holds, as a message with the next index (PROTOCOL.md, "The
  // tail"); empty when it holds nothing.
  std::string tail() {
    proto::AudioFrame frame;
    frame.response_id = response_id_;
    frame.frame_index = next_index_;
    return encoder_->finish(frame) ? proto::encode_audio_frame(frame) : std::string();
  }

 private:
  const uint32_t response_id_;
  std::unique_ptr<FrameEncoder> encoder_;
  const uint32_t max_frames_;
  uint32_t next_index_ = 0;
};

}  // namespace csm::server
