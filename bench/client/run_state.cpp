#include "bench/client/run_state.h"

#include "bench/client/texts.h"

namespace csm::bench {

int RunState::max_audio_ms_for(const std::string& text) const {
  return options.max_audio_ms > 0 ? options.max_audio_ms : default_max_audio_ms(text);
}

}  // namespace csm::bench
