// Opus encoder settings, read from config (see common/config/config.h for describe()).
#pragma once

#include <string>

#include "common/config/config.h"

namespace csm::audio {

struct OpusOptions {
  int frame_ms = 20;    // packet duration in ms: 10, 20, 40, 60 or 80
  int bitrate = 32000;  // target bits per second
  int complexity = 5;   // 0 (fastest) .. 10 (best)
  bool vbr = true;      // constrained VBR when true, CBR when false
  // "audio" (CELT: keeps the waveform, best for generated speech) or "voip" (SILK/hybrid with
  // a speech high-pass filter; waveform not preserved).
  std::string application = "audio";

  template <class V>
  void describe(V& v) {
    v.field("frame_ms", frame_ms, "Opus packet duration in ms (10, 20, 40, 60 or 80)",
            config::Range{10, 80});
    v.field("bitrate", bitrate, "Opus target bitrate in bits/s", config::Range{6000, 510000});
    v.field("complexity", complexity, "Opus encoder complexity, 0..10", config::Range{0, 10});
    v.field("vbr", vbr, "constrained variable bitrate (false: constant bitrate)");
    v.field("application", application, "Opus application mode", config::OneOf{{"voip", "audio"}});
  }
  // Throws config::ConfigError naming the key when a value is outside what libopus accepts.
  void validate() const;
};

}  // namespace csm::audio
