#include "server/engine_wiring/spoken_text.h"

#include "text/normalizer.h"

namespace csm::server {

std::string spoken_text(std::string_view text, bool normalize, ServerMetrics& metrics) {
  using Normalization = ServerMetrics::Normalization;
  if (!normalize) {
    metrics.text_normalized(Normalization::Off);
    return std::string(text);
  }
  std::string spoken = text::normalize_text(text);
  metrics.text_normalized(spoken == text ? Normalization::Unchanged : Normalization::Changed);
  return spoken;
}

}  // namespace csm::server
