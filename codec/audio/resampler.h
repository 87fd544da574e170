// Sample-rate conversion of mono float audio with libsoxr (high quality, linear phase).
// Streaming: process() takes any number of input samples and returns the output that is ready;
// flush() returns the filter's tail at the end of the stream. Over a whole stream the output has
// round(n_in * out_rate / in_rate) samples, the same as the one-shot resample().
// Not thread-safe: one Resampler per stream, used by one thread at a time.
#pragma once

#include <span>
#include <vector>

struct soxr;  // libsoxr's handle, kept out of our headers

namespace csm::audio {

class Resampler {
 public:
  // Rates in Hz, each in [1000, 768000]; throws AudioError(Invalid) otherwise.
  Resampler(int input_rate, int output_rate);
  ~Resampler();
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  std::vector<float> process(std::span<const float> input);
  // Ends the stream: returns the remaining output. process() must not be called afterwards.
  std::vector<float> flush();

  int input_rate() const { return input_rate_; }
  int output_rate() const { return output_rate_; }

 private:
  // Runs soxr until it has consumed `input` (nullptr: flush) and produced all it can.
  std::vector<float> run(const float* input, std::size_t count);

  int input_rate_;
  int output_rate_;
  soxr* handle_ = nullptr;  // null when the rates are equal (a plain copy)
};

// Whole-signal conversion.
std::vector<float> resample(std::span<const float> input, int input_rate, int output_rate);

}  // namespace csm::audio
