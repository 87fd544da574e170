// The text a turn speaks (or a context turn adds): the client's text, normalized
// (text/normalizer.h: "$3.50" -> "three dollars and fifty cents") unless the request or the
// server turned normalization off. Every text bound for the tokenizer goes through here, so
// the metric csm_texts_total{normalization} counts them all.
#pragma once

#include <string>
#include <string_view>

#include "server/metrics/server_metrics.h"

namespace csm::server {

// Thread-safe (any strand may call it).
std::string spoken_text(std::string_view text, bool normalize, ServerMetrics& metrics);

}  // namespace csm::server
