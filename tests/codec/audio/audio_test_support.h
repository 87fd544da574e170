// Test signals, measurements and external-tool helpers shared by the audio tests.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace csm::audio::test {

inline constexpr double kPi = std::numbers::pi;

// Logarithmic sweep from f0 to f1 Hz, amplitude 0.5.
inline std::vector<float> chirp(int rate, double seconds, double f0 = 100.0, double f1 = 6000.0) {
  const auto n = static_cast<std::size_t>(rate * seconds);
  std::vector<float> out(n);
  const double k = std::log(f1 / f0) / seconds;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rate;
    out[i] = static_cast<float>(0.5 * std::sin(2 * kPi * f0 * (std::exp(k * t) - 1.0) / k));
  }
  return out;
}

inline std::vector<float> tone(int rate, double seconds, double hz, double amplitude = 0.5) {
  const auto n = static_cast<std::size_t>(rate * seconds);
  std::vector<float> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<float>(amplitude * std::sin(2 * kPi * hz * static_cast<double>(i) / rate));
  }
  return out;
}

// Speech-like noise: a 120 Hz glottal pulse train plus white noise, shaped by two resonances
// (formants near 500 and 1500 Hz) and a 4 Hz syllable envelope. Seeded, so repeatable.
inline std::vector<float> speech_like(int rate, double seconds, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  const auto n = static_cast<std::size_t>(rate * seconds);
  std::vector<float> out(n);
  // Two-pole resonators: y = x + a1 y1 + a2 y2.
  auto coeffs = [rate](double hz, double bandwidth) {
    const double r = std::exp(-kPi * bandwidth / rate);
    return std::array<double, 2>{2 * r * std::cos(2 * kPi * hz / rate), -r * r};
  };
  const auto f1 = coeffs(500, 80);
  const auto f2 = coeffs(1500, 120);
  double a1 = 0, a2 = 0, b1 = 0, b2 = 0;
  const auto period = static_cast<std::size_t>(rate / 120);
  for (std::size_t i = 0; i < n; ++i) {
    const double excitation = (i % period == 0 ? 1.0 : 0.0) + 0.05 * noise(rng);
    const double a = excitation + f1[0] * a1 + f1[1] * a2;
    a2 = a1;
    a1 = a;
    const double b = a + f2[0] * b1 + f2[1] * b2;
    b2 = b1;
    b1 = b;
    const double envelope = 0.5 - 0.5 * std::cos(2 * kPi * 4.0 * static_cast<double>(i) / rate);
    out[i] = static_cast<float>(0.02 * b * envelope);
  }
  return out;
}

inline double energy(std::span<const float> x) {
  double e = 0;
  for (const float v : x) e += static_cast<double>(v) * v;
  return e;
}

// 10 log10(signal / error) over the common length.
inline double snr_db(std::span<const float> reference, std::span<const float> test) {
  const std::size_t n = std::min(reference.size(), test.size());
  double signal = 0, error = 0;
  for (std::size_t i = 0; i < n; ++i) {
    signal += static_cast<double>(reference[i]) * reference[i];
    const double d = static_cast<double>(reference[i]) - test[i];
    error += d * d;
  }
  return 10.0 * std::log10(signal / std::max(error, 1e-30));
}

// Power of the `hz` component (Goertzel), normalised by the signal's length.
inline double tone_power(std::span<const float> x, int rate, double hz) {
  const double w = 2 * kPi * hz / rate;
  const double c = 2 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (const float v : x) {
    const double s = v + c * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const double power = s1 * s1 + s2 * s2 - c * s1 * s2;
  return power / (static_cast<double>(x.size()) * static_cast<double>(x.size()));
}

// The frequency in [lo, hi] Hz (1 Hz steps) with the most power.
inline double dominant_frequency(std::span<const float> x, int rate, double lo, double hi) {
  double best = lo, best_power = -1;
  for (double f = lo; f <= hi; f += 1.0) {
    const double p = tone_power(x, rate, f);
    if (p > best_power) {
      best_power = p;
      best = f;
    }
  }
  return best;
}

inline void write_file(const std::string& path, std::span<const std::uint8_t> data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

inline std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::vector<std::uint8_t> concat(const std::vector<std::vector<std::uint8_t>>& chunks) {
  std::vector<std::uint8_t> out;
  for (const auto& c : chunks) out.insert(out.end(), c.begin(), c.end());
  return out;
}

struct CommandResult {
  int status = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command; the tools (ffmpeg, ffprobe, opusinfo, opusdec, opusenc) come from
// scripts/install-deps --with-test-tools.
inline CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline bool have_tool(const std::string& name) {
  return run("command -v " + name + " >/dev/null").status == 0;
}

// ffprobe's codec_name, sample_rate and channels (and `more` stream entries, e.g. ",profile")
// of the file at `path`, and its duration, one `key=value` a line.
inline CommandResult ffprobe(const std::string& path, const std::string& more = "") {
  return run("ffprobe -v error -show_entries stream=codec_name,sample_rate,channels" + more +
             " -show_entries format=duration -of default=noprint_wrappers=1 " + path);
}

}  // namespace csm::audio::test
