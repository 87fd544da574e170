// The audio section of the server config: Opus output settings and input limits, e.g.
//   "audio": {"opus": {"frame_ms": 20, "bitrate": 32000, "complexity": 5, "vbr": true,
//                      "application": "audio"},
//             "input": {"max_bytes": 33554432, "max_seconds": 120}}
// Every key is optional; the defaults are the member initialisers of the structs.
#pragma once

#include "codec/audio/decode_limits.h"
#include "codec/audio/opus_options.h"

namespace csm::audio {

struct AudioConfig {
  OpusOptions opus;    // raw Opus and Ogg Opus output
  DecodeLimits input;  // voice prompts and context audio sent by clients

  template <class V>
  void describe(V& v) {
    v.field("opus", opus, "Opus encoder settings for opus and ogg_opus output");
    v.field("input", input, "limits on audio that clients upload");
  }
};

}  // namespace csm::audio
