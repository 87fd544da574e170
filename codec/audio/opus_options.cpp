#include "codec/audio/opus_options.h"

namespace csm::audio {

void OpusOptions::validate() const {
  if (frame_ms != 10 && frame_ms != 20 && frame_ms != 40 && frame_ms != 60 && frame_ms != 80) {
    throw config::ConfigError("frame_ms", "opus options",
                              std::to_string(frame_ms) + " is not one of 10, 20, 40, 60, 80");
  }
  if (bitrate < 6000 || bitrate > 510000) {
    throw config::ConfigError("bitrate", "opus options", "outside [6000, 510000]");
  }
  if (complexity < 0 || complexity > 10) {
    throw config::ConfigError("complexity", "opus options", "outside [0, 10]");
  }
  if (application != "voip" && application != "audio") {
    throw config::ConfigError("application", "opus options", "must be \"voip\" or \"audio\"");
  }
}

}  // namespace csm::audio
