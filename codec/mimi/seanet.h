// SEANet encoder and decoder (spec §3.3–3.5): the convolutional stacks between 24 kHz audio
// and the 25 Hz latent. The plan (which module index holds which conv) is derived from the
// config once and used both to name checkpoint tensors and to build the modules.
#pragma once

#include "codec/mimi/config.h"
#include "codec/mimi/conv.h"
#include "codec/mimi/weights.h"

#include <string>
#include <vector>

namespace csm::mimi {

// One weighted module of a SEANet stack. A ResidualBlock is x + conv1x1(ELU(conv_k(ELU(x)))).
struct SeanetModule {
  enum class Kind { Conv, ConvTranspose, ResidualBlock };
  Kind kind = Kind::Conv;
  int64_t index = 0;     // position in `{encoder,decoder}.model`
  bool elu_before = false;
  int64_t in = 0, out = 0, kernel = 1, stride = 1, dilation = 1;
  int64_t hidden = 0;    // residual blocks: width of the inner branch
};

std::vector<SeanetModule> seanet_plan(const SeanetConfig& config, bool encoder);
// Canonical (moshi) tensor names and shapes of a SEANet stack.
void seanet_tensors(const SeanetConfig& config, bool encoder, std::vector<TensorSpec>& out);

class Seanet {
 public:
  // Moves each weight to `options` (device, dtype). Weights must have been checked already.
  Seanet(const SeanetConfig& config, bool encoder, const Weights& weights,
         const c10::TensorOptions& options);
  void declare(StateLayout& layout) const;
  // encoder: [B,1,N] -> [B,D,N/hop]; decoder: [B,D,T] -> [B,1,T*hop].
  at::Tensor step(at::Tensor x, StateCursor& cursor) const;

 private:
  struct Stage {
    SeanetModule::Kind kind;
    bool elu_before = false;
    CausalConv1d conv, conv2;  // conv2: the 1x1 conv of a residual block
    CausalConvTranspose1d convtr;
  };
  double alpha_ = 1.0;
  std::vector<Stage> stages_;
};

}  // namespace csm::mimi
