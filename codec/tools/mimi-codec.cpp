// mimi-codec: command-line Mimi for checking real checkpoints and measuring speed.
//
//   mimi-codec decode --model DIR --codes FILE --out OUT.wav
//       FILE: .json ({"codes": [[...]]} as [K][F] or [B][K][F]) or .safetensors (tensor
//       "codes", int64). Writes 32-bit float mono WAV at the model's sample rate (item 0).
//   mimi-codec encode --model DIR --wav IN.wav --out CODES.json [--codebooks K]
//       IN.wav: mono, 16-bit PCM or 32-bit float, at the model's sample rate (no resampling).
//   mimi-codec bench (--model DIR | --full | --demo) [--frames 125] [--slots 1,4,8]
//                    [--repeat 3] [--threads N] [--profile TRACE.json]
//       Offline decode/encode of FRAMES frames (median of REPEAT) and streaming decode (one
//       frame per call, for each slot count) and encode (one frame per call); prints medians
//       of wall and process CPU time. --full: released sizes with random weights; --demo: the
//       demo model. --profile writes a torch profiler trace of the first streaming decode run.
// Common options: --device DEV (cpu), --dtype float32|bfloat16|float16. All flags: --help.
#include "codec/audio/audio_error.h"
#include "codec/audio/wav_reader.h"
#include "codec/audio/wav_writer.h"
#include "codec/mimi/mimi.h"
#include "codec/mimi/random_checkpoint.h"
#include "common/cli/args.h"
#include "common/safetensors/safetensors.h"

#include <ATen/Context.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>

namespace {

using csm::mimi::MimiError;
using csm::mimi::MimiModel;

using csm::cli::Args;

const csm::cli::Tool kTool{
    "mimi-codec",
    "usage: mimi-codec decode --model DIR --codes FILE --out OUT.wav [options]\n"
    "       mimi-codec encode --model DIR --wav IN.wav --out CODES.json [--codebooks K]\n"
    "                         [options]\n"
    "       mimi-codec bench (--model DIR | --full | --demo) [--frames N] [--slots LIST]\n"
    "                        [--repeat N] [--profile TRACE.json] [options]\n"
    "  decode              codes (.json or .safetensors) to a 32-bit float mono WAV\n"
    "  encode              a mono WAV at the model's rate to codes (JSON)\n"
    "  bench               time offline and streaming decode / encode\n"
    "  --model DIR         Mimi checkpoint folder (config.json, weights); required for\n"
    "                      decode and encode; bench: default the demo model\n"
    "  --codes FILE        decode: the codes, [K][F] or [B][K][F] (required)\n"
    "  --wav IN.wav        encode: the audio, 16-bit PCM or 32-bit float (required)\n"
    "  --out FILE          decode / encode: where the result goes (required)\n"
    "  --codebooks K       encode: codebooks to keep (default 0 = all the model uses)\n"
    "  --full              bench: released sizes with random weights\n"
    "  --demo              bench: the demo model (the default without --model / --full)\n"
    "  --frames N          bench: frames per run (default 125)\n"
    "  --slots LIST        bench: streaming decode slot counts (default 1,4,8)\n"
    "  --repeat N          bench: offline runs, the median is printed (default 3)\n"
    "  --profile FILE      bench: torch profiler trace of the first streaming decode run\n"
    "                      (default none)\n"
    "  --device DEV        torch device: cpu, cuda, cuda:N (default cpu)\n"
    "  --dtype DTYPE       float32|bfloat16|float16 (default float32)\n"
    "  --threads N         CPU threads (default 0 = torch's setting)\n"
    "  --help              this text\n",
    {"--model", "--codes", "--wav", "--out", "--codebooks", "--frames", "--slots", "--repeat",
     "--profile", "--device", "--dtype", "--threads"},
    {"--full", "--demo"},
    1,
    1};

csm::mimi::MimiOptions model_options(const Args& args, int64_t slots) {
  csm::mimi::MimiOptions o;
  o.device = args.get("--device", o.device);
  o.dtype = args.get("--dtype", o.dtype);
  o.max_slots = slots;
  o.num_threads = static_cast<int>(args.get_int("--threads", 0, 0, csm::cli::kIntMax));
  return o;
}

// ---- WAV (mono, PCM16 or float32), through codec/audio ----------------------------------

void write_wav(const std::string& path, const at::Tensor& samples, int64_t rate) {
  at::Tensor s = samples.to(torch::kCPU, torch::kFloat32).contiguous();
  // IEEE float: decoded audio may exceed +-1 (spec §7.11)
  std::vector<uint8_t> file = csm::audio::wav_header(csm::audio::SampleFormat::F32LE,
                                                     static_cast<int>(rate), 1, s.numel());
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data_ptr<float>());
  file.insert(file.end(), bytes, bytes + s.numel() * 4);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
  if (!out) throw MimiError("cannot write " + path);
}

at::Tensor read_wav(const std::string& path, int64_t expected_rate) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  auto fail = [&](const std::string& why) -> at::Tensor { throw MimiError(path + ": " + why); };
  try {
    const csm::audio::DecodeLimits limits;
    const csm::audio::WavInfo info = csm::audio::parse_wav(bytes, limits);
    if (info.channels != 1) return fail("only mono is supported");
    if (info.sample_rate != expected_rate) {
      return fail("sample rate " + std::to_string(info.sample_rate) + ", model needs " +
                  std::to_string(expected_rate) + " (resample first)");
    }
    if (!(info.bits == 16 && !info.is_float) && !(info.bits == 32 && info.is_float)) {
      return fail("only 16-bit PCM or 32-bit float WAV is supported");
    }
    std::vector<float> pcm = csm::audio::decode_wav(bytes, limits);
    return torch::tensor(pcm, torch::kFloat32);
  } catch (const csm::audio::AudioError& e) {
    return fail(e.what());
  }
}

// ---- decode / encode --------------------------------------------------------------------

at::Tensor read_codes(const std::string& path) {
  at::Tensor codes;
  if (path.size() > 12 && path.substr(path.size() - 12) == ".safetensors") {
    codes = csm::safetensors::SafetensorsFile::open(path)->tensor("codes").to(torch::kInt64);
  } else {
    std::ifstream in(path);
    if (!in) throw MimiError("cannot open " + path);
    const auto doc = nlohmann::json::parse(in);
    const auto& c = doc.at("codes");
    std::vector<int64_t> flat, shape;
    for (const nlohmann::json* level = &c; level->is_array(); level = &level->at(0)) {
      shape.push_back(static_cast<int64_t>(level->size()));
      if (level->empty()) break;
    }
    std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
      if (j.is_array()) {
        for (const auto& x : j) walk(x);
      } else {
        flat.push_back(j.get<int64_t>());
      }
    };
    walk(c);
    codes = torch::tensor(flat, torch::kInt64).reshape(shape);
  }
  if (codes.dim() == 2) codes = codes.unsqueeze(0);
  if (codes.dim() != 3) throw MimiError(path + ": codes must be [K][F] or [B][K][F]");
  return codes;
}

int run_decode(const Args& args) {
  const std::string model_dir = args.require("--model"), codes = args.require("--codes");
  const std::string out = args.require("--out");
  auto model = MimiModel::load_dir(model_dir, model_options(args, 1));
  const at::Tensor pcm = model->decode(read_codes(codes));
  write_wav(out, pcm[0][0], model->config().sample_rate);
  std::printf("%s: %lld samples\n", out.c_str(), static_cast<long long>(pcm.size(2)));
  return 0;
}

int run_encode(const Args& args) {
  const std::string model_dir = args.require("--model"), wav = args.require("--wav");
  const std::string out = args.require("--out");
  const int64_t codebooks = args.get_int("--codebooks", 0, 0);
  auto model = MimiModel::load_dir(model_dir, model_options(args, 1));
  const at::Tensor pcm = read_wav(wav, model->config().sample_rate);
  const at::Tensor codes = model->encode(pcm.view({1, 1, -1}), codebooks)[0].to(torch::kCPU);
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t k = 0; k < codes.size(0); ++k) {
    at::Tensor row = codes[k].contiguous();
    rows.push_back(std::vector<int64_t>(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + row.numel()));
  }
  std::ofstream(out) << nlohmann::json{{"codes", rows}}.dump() << "\n";
  std::printf("%s: %lld codebooks x %lld frames\n", out.c_str(),
              static_cast<long long>(codes.size(0)), static_cast<long long>(codes.size(1)));
  return 0;
}

// ---- bench ------------------------------------------------------------------------------

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}
// CPU time of the whole process (all threads), ms: on a shared, loaded machine this varies far
// less than wall time; with --threads 1 it is the compute cost of the call.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Wall and CPU time of repeated calls.
struct Timings {
  std::vector<double> wall, cpu;
  template <class Fn>
  void time(Fn&& fn) {
    const auto t0 = Clock::now();
    const double c0 = cpu_ms();
    fn();
    wall.push_back(ms_since(t0));
    cpu.push_back(cpu_ms() - c0);
  }
};

struct BenchInput {
  std::shared_ptr<const MimiModel> model;
  at::Tensor codes;  // [max_slots, n_q, frames]
  at::Tensor pcm;    // [max_slots, 1, frames * frame_size]
  int64_t frames = 0;
};

void bench_offline(const BenchInput& in, int repeat) {
  const auto& c = in.model->config();
  Timings dec, enc;
  for (int r = 0; r < repeat; ++r) {
    dec.time([&] { (void)in.model->decode(in.codes.narrow(0, 0, 1)).to(torch::kCPU); });
    enc.time([&] { (void)in.model->encode(in.pcm.narrow(0, 0, 1)).to(torch::kCPU); });
  }
  const auto n = static_cast<long long>(in.frames);
  std::printf("offline decode [1,%lld,%lld] -> %lld samples: median %.1f ms (cpu %.1f ms)\n",
              static_cast<long long>(c.quantizer.n_q), n, n * c.frame_size, median(dec.wall),
              median(dec.cpu));
  std::printf("offline encode %lld samples -> [1,%lld,%lld]: median %.1f ms (cpu %.1f ms)\n",
              n * c.frame_size, static_cast<long long>(c.quantizer.num_codebooks_active), n,
              median(enc.wall), median(enc.cpu));
}

// One code frame per call for the first `slots` slots (the others inactive).
void bench_stream_decode(const BenchInput& in, int64_t slots, const std::string& profile_path) {
  std::vector<bool> active(static_cast<size_t>(in.codes.size(0)), false);
  std::fill(active.begin(), active.begin() + slots, true);
  auto state = in.model->new_decode_state();
  std::unique_ptr<torch::autograd::profiler::RecordProfile> profile;
  if (!profile_path.empty()) {
    profile = std::make_unique<torch::autograd::profiler::RecordProfile>(profile_path);
  }
  Timings t;
  double peak = 0;
  for (int64_t f = 0; f < in.frames; ++f) {
    at::Tensor out;
    t.time([&] { out = in.model->decode_step(state, in.codes.narrow(2, f, 1), active).to(torch::kCPU); });
    peak = std::max(peak, out.abs().max().item<double>());
  }
  profile.reset();
  std::printf("streaming decode, %lld slot(s): median %.2f ms per 80 ms frame (cpu %.2f ms; "
              "first %.2f ms; %.2f ms per slot-frame; peak |pcm| %.3g)\n",
              static_cast<long long>(slots), median(t.wall), median(t.cpu), t.wall.front(),
              median(t.wall) / static_cast<double>(slots), peak);
}

void bench_stream_encode(const BenchInput& in) {
  const int64_t frame = in.model->config().frame_size;
  std::vector<bool> first_only(static_cast<size_t>(in.pcm.size(0)), false);
  first_only[0] = true;
  auto state = in.model->new_encode_state();
  Timings t;
  for (int64_t f = 0; f < in.frames; ++f) {
    t.time([&] {
      (void)in.model->encode_step(state, in.pcm.narrow(2, f * frame, frame), first_only)
          .to(torch::kCPU);
    });
  }
  std::printf("streaming encode, 1 slot: median %.2f ms per frame (cpu %.2f ms; first %.2f ms)\n",
              median(t.wall), median(t.cpu), t.wall.front());
}

int run_bench(const Args& args) {
  const int repeat = static_cast<int>(args.get_int("--repeat", 3, 1, csm::cli::kIntMax));
  const auto slot_counts = args.get_int_list("--slots", "1,4,8", 1, csm::cli::kIntMax);
  const int64_t max_slots = *std::max_element(slot_counts.begin(), slot_counts.end());
  const csm::mimi::MimiOptions options = model_options(args, max_slots);
  BenchInput in;
  in.frames = args.get_int("--frames", 125, 1, csm::cli::kIntMax);
  std::string label = args.get("--model");
  if (args.has("--model")) {
    in.model = MimiModel::load_dir(label, options);
  } else {
    const bool full = args.has("--full");
    const auto config = full ? csm::mimi::released_config() : csm::mimi::demo_config();
    label = full ? "full-size config, random weights" : "demo config";
    in.model = MimiModel::create(config, csm::mimi::random_weights(config, 1), options);
  }
  const auto& c = in.model->config();
  std::printf("mimi bench: %s, device %s, dtype %s, threads %d, %lld frames, median of %d\n",
              label.c_str(), options.device.c_str(), options.dtype.c_str(), torch::get_num_threads(),
              static_cast<long long>(in.frames), repeat);
  at::Generator gen = at::detail::createCPUGenerator(7);
  in.codes = torch::randint(c.quantizer.bins, {max_slots, c.quantizer.n_q, in.frames}, gen,
                            torch::kInt64);
  in.pcm = torch::randn({max_slots, 1, in.frames * c.frame_size}, gen) * 0.1;
  bench_offline(in, repeat);
  for (int64_t slots : slot_counts) {
    bench_stream_decode(in, slots, slots == slot_counts.front() ? args.get("--profile") : "");
  }
  bench_stream_encode(in);
  return 0;
}

int run(const Args& args) {
  const std::string& command = args.positionals()[0];
  torch::NoGradGuard no_grad;
  if (command == "decode") return run_decode(args);
  if (command == "encode") return run_encode(args);
  if (command == "bench") return run_bench(args);
  throw csm::cli::UsageError("unknown command '" + command + "' (decode | encode | bench)");
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, run);
}
