#include "codec/mimi/parity.h"

#include "codec/mimi/mimi.h"
#include "common/device/torch_device.h"
#include "common/safetensors/safetensors.h"

#include <torch/torch.h>

namespace csm::mimi {
namespace {

constexpr double kRelativeTolerance = 2e-5;

class Checker {
 public:
  explicit Checker(std::shared_ptr<safetensors::SafetensorsFile> cases) : cases_(std::move(cases)) {}

  at::Tensor input(const std::string& name) const { return cases_->tensor(name); }

  void compare(const std::string& name, const at::Tensor& actual) {
    at::Tensor expected = cases_->tensor(name);
    ParityResult r;
    r.tensor = name;
    at::Tensor got = actual.detach().to(torch::kCPU);
    if (got.sizes() != expected.sizes()) {
      r.max_abs_error = std::numeric_limits<double>::infinity();
    } else if (expected.scalar_type() == torch::kInt64) {
      r.exact = true;
      r.max_abs_error = static_cast<double>(got.to(torch::kInt64).ne(expected).sum().item<int64_t>());
      r.pass = r.max_abs_error == 0;
    } else {
      at::Tensor ref = expected.to(torch::kFloat64);
      r.tolerance = kRelativeTolerance * ref.abs().max().item<double>();
      r.max_abs_error = (got.to(torch::kFloat64) - ref).abs().max().item<double>();
      r.pass = r.max_abs_error <= r.tolerance;
    }
    results.push_back(r);
  }

  std::vector<ParityResult> results;

 private:
  std::shared_ptr<safetensors::SafetensorsFile> cases_;
};

// One code frame (or 1920 samples) per call, batch = all golden items, states from zero.
at::Tensor stream_decode(const MimiModel& model, const at::Tensor& codes) {
  MimiDecodeState state = model.new_decode_state();
  std::vector<at::Tensor> pcm;
  for (int64_t f = 0; f < codes.size(2); ++f) {
    pcm.push_back(model.decode_step(state, codes.narrow(2, f, 1)));
  }
  return torch::cat(pcm, 2);
}

void stream_encode(const MimiModel& model, const at::Tensor& pcm, at::Tensor& latent,
                   at::Tensor& codes) {
  MimiEncodeState state = model.new_encode_state();
  const int64_t frame = model.config().frame_size;
  std::vector<at::Tensor> latents, all_codes;
  for (int64_t f = 0; f < pcm.size(2) / frame; ++f) {
    EncodeTrace trace;
    all_codes.push_back(model.encode_step(state, pcm.narrow(2, f * frame, frame), {}, 0, &trace));
    latents.push_back(trace.latent);
  }
  latent = torch::cat(latents, 2);
  codes = torch::cat(all_codes, 2);
}

}  // namespace

std::vector<ParityResult> run_parity(const std::string& dir, MimiOptions options) {
  device::disable_tf32();
  std::shared_ptr<safetensors::SafetensorsFile> cases;
  try {
    cases = safetensors::SafetensorsFile::open(dir + "/cases.safetensors");
  } catch (const safetensors::SafetensorsError& e) {
    throw MimiError(std::string("mimi parity: ") + e.what());
  }
  Checker check(cases);
  const at::Tensor pcm = check.input("pcm_in");
  const at::Tensor codes = check.input("codes_in");
  options.max_slots = pcm.size(0);
  options.max_frames_per_call = 1;

  options.full_window = false;
  auto model = MimiModel::load_dir(dir, options);
  options.full_window = true;
  auto full = MimiModel::load_dir(dir, options);

  check.compare("derived_codebooks", model->codebooks());
  EncodeTrace enc;
  check.compare("enc_codes", model->encode(pcm, 0, &enc));
  check.compare("enc_seanet_out", enc.seanet_out);
  check.compare("enc_transformer_out", enc.transformer_out);
  check.compare("enc_latent", enc.latent);
  check.compare("enc_codes_unaligned", model->encode(check.input("pcm_in_unaligned")));
  at::Tensor latent, stream_codes;
  stream_encode(*model, pcm, latent, stream_codes);
  check.compare("enc_latent_stream", latent);
  check.compare("enc_codes_stream", stream_codes);
  stream_encode(*full, pcm, latent, stream_codes);
  check.compare("enc_latent_stream_fullwindow", latent);
  check.compare("enc_codes_stream_fullwindow", stream_codes);

  DecodeTrace dec;
  check.compare("dec_pcm", model->decode(codes, &dec));
  check.compare("dec_latent", dec.latent);
  check.compare("dec_upsampled", dec.upsampled);
  check.compare("dec_transformer_out", dec.transformer_out);
  check.compare("dec_pcm_k3", model->decode(codes.narrow(1, 0, 3)));
  check.compare("dec_pcm_stream", stream_decode(*model, codes));
  check.compare("dec_pcm_stream_fullwindow", stream_decode(*full, codes));
  return check.results;
}

}  // namespace csm::mimi
