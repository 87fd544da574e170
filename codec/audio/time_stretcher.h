// Time-scaling of mono speech with libsonic: plays the model's audio faster or slower (OpenAI's
// `speed`, 0.25..4.0) while keeping its pitch. Applied to the 24 kHz output of the Mimi codec,
// per response, before the output encoder.
//
// Streaming: process() takes any number of input samples and returns the output that is ready;
// finish() returns the tail at the end of the stream. Over a whole stream the output has about
// n_in / speed samples: sonic cuts or repeats whole pitch periods and rounds each step to whole
// samples, so the real rate is off by up to about 0.7% at the extremes (measured on a 220 Hz
// tone and espeak-ng speech: +0.7% samples at 0.25, -0.6% at 3 and 4, within 0.05% at 0.5..2).
//
// Latency: sonic needs 2 x the longest pitch period it searches (sample_rate / 65 Hz) before it
// produces anything: 738 input samples (30.75 ms) at 24 kHz, at every speed. Then it keeps
// about that much input back while streaming. Measured at 24 kHz on a 220 Hz harmonic tone,
// input written one sample at a time, input held = written - speed x output, after 0.5 s:
//   speed   0.25  0.5  0.75  1.25  1.5   2     3     4
//   mean     433  683   629   628  683  629   910   950   input samples
//   max      659  737   737   819  792  737  1174  1228   (51 ms at 24 kHz)
// With the model's 80 ms frames (1920 samples) output comes from the first frame on at every
// speed; at speed 2 the first frame gives 654 samples of the 960 it stands for.
// Speed 1.0 bypasses sonic: the output is the input, unchanged, with no latency.
//
// Samples: sonic 0.2.0 (Debian 12) works in 16-bit integers, so at speeds other than 1 the
// input is clipped to [-1, 1] (NaN counts as 0) and the output is quantised to 16 bits.
// Quality: sonicSetQuality(1) searches the pitch period at full rate instead of at 4 kHz
// followed by a local refinement (the default, 0). It changes which periods are cut or repeated
// but not the duration or pitch, and cost 4-7x the CPU in our measurement (espeak-ng speech,
// 22.05 kHz: 43.6 ms vs 7.2 ms for 6.7 s at speed 2); sonic's own header calls the default
// "virtually as good as 1, but very much faster". We keep the default.
//
// Not thread-safe: one TimeStretcher per response, used by one thread at a time. Torch-free.
#pragma once

#include <span>
#include <vector>

#include "codec/audio/pcm.h"

struct sonicStreamStruct;  // libsonic's handle, kept out of our headers

namespace csm::audio {

class TimeStretcher {
 public:
  static constexpr double kMinSpeed = 0.25;
  static constexpr double kMaxSpeed = 4.0;

  // `speed` in [kMinSpeed, kMaxSpeed] (2 = twice as fast, half as long); `sample_rate` in Hz,
  // [8000, 48000]. Throws AudioError(Invalid) otherwise (NaN included), AudioError(Codec) if
  // sonic cannot allocate its stream.
  explicit TimeStretcher(double speed, int sample_rate = kModelSampleRate);
  ~TimeStretcher();
  TimeStretcher(const TimeStretcher&) = delete;
  TimeStretcher& operator=(const TimeStretcher&) = delete;

  // Returns the output ready now; may be empty (sonic is still filling its window). Throws
  // AudioError(Invalid) after finish(), AudioError(Codec) if sonic fails to grow a buffer.
  std::vector<float> process(std::span<const float> input);
  // Ends the stream: returns the remaining output. A second call returns nothing.
  std::vector<float> finish();

  double speed() const { return speed_; }
  int sample_rate() const { return sample_rate_; }

  // The nominal mapping between durations of the model's (input) audio and the stretched
  // (output) audio: output = input / speed. The server uses it to turn a client's played_ms of
  // stretched audio into model audio. At any moment the real position differs by the latency
  // above (at most about 51 ms of input) and the rate error (under 1%). `speed` as above.
  static double input_ms_for_output_ms(double output_ms, double speed) { return output_ms * speed; }
  static double output_ms_for_input_ms(double input_ms, double speed) { return input_ms / speed; }

 private:
  // Moves everything sonic has ready to the end of `output`.
  void read_available(std::vector<float>& output);

  double speed_;
  int sample_rate_;
  sonicStreamStruct* stream_ = nullptr;  // null at speed 1 (a plain copy)
  std::vector<float> clipped_;           // scratch: the input in sonic's range
  bool finished_ = false;
};

}  // namespace csm::audio
