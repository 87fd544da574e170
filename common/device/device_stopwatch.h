// Times one stage of work as the device runs it, without making the host wait for it.
//
// On a CPU the work runs while the host issues it, so a stage's time is the host's between
// begin() and end(). On a CUDA device the host only queues the work and waits once per tick
// (host_transfer.h): what the host spent queuing says little about what the GPU spent
// running. There begin() and end() record timing events on the device's current stream, and
// take_ms() reads the GPU time between them. After the caller's own wait for the device that read
// costs nothing; before it, take_ms() waits until the device has run the stage.
//
// Owned by one thread (the engine's). Copying and moving are not needed and not offered.
#pragma once

#include <c10/core/Device.h>

#include <chrono>
#include <memory>

namespace csm::device {

class DeviceStopwatch {
 public:
  explicit DeviceStopwatch(c10::Device device);
  ~DeviceStopwatch();
  DeviceStopwatch(const DeviceStopwatch&) = delete;
  DeviceStopwatch& operator=(const DeviceStopwatch&) = delete;

  // Before the stage's first work is issued (queued).
  void begin();
  // After its last work is issued. Throws std::logic_error without a begin() first.
  void end();
  // The time in ms of the stage ended since the last take_ms(), or 0 if none was (a stage
  // that did not run this tick reads 0, not an earlier tick's time). Throws std::logic_error
  // between begin() and end().
  double take_ms();

 private:
  struct CudaEvents;  // in a CUDA build, for a CUDA device
  c10::Device device_;
  std::unique_ptr<CudaEvents> events_;
  std::chrono::steady_clock::time_point begun_, ended_;
  bool running_ = false;  // begun, not yet ended
  bool timed_ = false;    // a begin()/end() pair completed since the last take_ms()
};

}  // namespace csm::device
