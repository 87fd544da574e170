// bench-audio: encode cost of one 80 ms model frame (1920 samples at 24 kHz) for every output
// format, per stream on one thread. Prints the median, p90 and mean microseconds per frame
// and the streams one core could keep in real time: 80 ms / median cost (the mean is shown
// too; on a shared machine it mostly measures preemption).
//
//   bench-audio [FRAMES]      (default 1500 frames = 120 s of audio per format; --help)
//
// Input: a speech-like synthetic signal (harmonics of a moving pitch, noise, syllable
// envelope), so VBR Opus and the resamplers see realistic content. Each format gets a fresh
// encoder; the first 25 frames are a warm-up and are not timed.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "codec/audio/stream_encoder.h"
#include "common/cli/args.h"

namespace {

using namespace csm::audio;

const csm::cli::Tool kTool{
    "bench-audio",
    "usage: bench-audio [FRAMES]\n"
    "  FRAMES   80 ms frames timed per format, 10 at least (default 1500 = 120 s of audio)\n"
    "  --help   this text\n",
    {},
    {},
    0,
    1};

std::vector<float> speech_like(std::size_t samples) {
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0F, 0.02F);
  std::vector<float> out(samples);
  double phase = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    const double t = static_cast<double>(i) / kModelSampleRate;
    const double pitch = 120.0 + 30.0 * std::sin(2 * std::numbers::pi * 0.5 * t);
    phase += 2 * std::numbers::pi * pitch / kModelSampleRate;
    double v = 0;
    for (int h = 1; h <= 20; ++h) v += std::sin(h * phase) / h;
    const double envelope = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * 4.0 * t);
    out[i] = static_cast<float>(0.15 * v * envelope) + noise(rng);
  }
  return out;
}

struct Row {
  std::string name;
  OutputSpec spec;
};

std::vector<Row> rows() {
  std::vector<Row> r;
  for (const int complexity : {0, 5, 10}) {
    OutputSpec s;
    s.format = OutputFormat::Opus;
    s.opus.complexity = complexity;
    r.push_back({"opus 20ms 32k audio c" + std::to_string(complexity), s});
  }
  OutputSpec voip;
  voip.format = OutputFormat::Opus;
  voip.opus.application = "voip";
  r.push_back({"opus 20ms 32k voip c5", voip});
  OutputSpec opus80 = r[1].spec;
  opus80.opus.frame_ms = 80;
  r.push_back({"opus 80ms 32k audio c5", opus80});
  OutputSpec ogg = r[1].spec;
  ogg.format = OutputFormat::OggOpus;
  r.push_back({"ogg_opus 20ms 32k c5", ogg});
  for (const int rate : {24000, 8000, 16000, 48000}) {
    OutputSpec s;
    s.format = OutputFormat::Pcm;
    s.sample_rate = rate;
    r.push_back({"pcm s16 " + std::to_string(rate / 1000) + "k", s});
  }
  OutputSpec wav;
  wav.format = OutputFormat::Wav;
  wav.sample_format = SampleFormat::F32LE;
  r.push_back({"wav f32 24k", wav});
  OutputSpec mulaw;
  mulaw.format = OutputFormat::MuLaw;
  r.push_back({"mulaw 8k", mulaw});
  OutputSpec alaw;
  alaw.format = OutputFormat::ALaw;
  r.push_back({"alaw 8k", alaw});
  for (const auto& [name, format] : {std::pair{"mp3 64k 24k", OutputFormat::Mp3},
                                     std::pair{"flac s16 24k", OutputFormat::Flac},
                                     std::pair{"aac-lc 64k 24k adts", OutputFormat::Aac}}) {
    OutputSpec s;
    s.format = format;
    r.push_back({name, s});
  }
  return r;
}

int bench(const csm::cli::Args& args) {
  const int64_t asked = args.positionals().empty()
                            ? 1500
                            : csm::cli::to_int("FRAMES", args.positionals()[0], 1, 1'000'000);
  const int frames = static_cast<int>(std::max<int64_t>(10, asked));
  constexpr int kWarmup = 25;
  const std::vector<float> signal =
      speech_like(static_cast<std::size_t>(frames + kWarmup) * kModelFrameSamples);
  std::printf("%-26s %10s %10s %10s %12s %12s\n", "format", "median_us", "p90_us", "mean_us",
              "streams/core", "bytes/frame");
  for (const Row& row : rows()) {
    auto encoder = make_stream_encoder(row.spec);
    std::vector<double> us;
    std::size_t bytes = 0;
    for (int f = 0; f < frames + kWarmup; ++f) {
      const std::span<const float> frame(
          signal.data() + static_cast<std::size_t>(f) * kModelFrameSamples, kModelFrameSamples);
      const auto start = std::chrono::steady_clock::now();
      const std::vector<Chunk> out = encoder->encode(frame);
      const auto stop = std::chrono::steady_clock::now();
      if (f < kWarmup) continue;
      us.push_back(std::chrono::duration<double, std::micro>(stop - start).count());
      for (const Chunk& c : out) bytes += c.size();
    }
    encoder->finish();
    std::sort(us.begin(), us.end());
    double mean = 0;
    for (const double v : us) mean += v;
    mean /= static_cast<double>(us.size());
    std::printf("%-26s %10.1f %10.1f %10.1f %12.0f %12.0f\n", row.name.c_str(), us[us.size() / 2],
                us[us.size() * 9 / 10], mean, 80000.0 / us[us.size() / 2],
                static_cast<double>(bytes) / static_cast<double>(us.size()));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, bench);
}
