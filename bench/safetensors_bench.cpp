// bench-safetensors: how long opening a large checkpoint takes (mapping, not copying).
//
// Writes a file of SIZE_MB megabytes of random F32/BF16 data in 64 tensors, evicts it from
// the page cache, then times (median of RUNS):
//   open      SafetensorsFile::open + a tensor view of every tensor (what a loader does first)
//   touch     the same, then summing every byte (reading all pages from disk or cache)
// and prints both with their ratio. Usage: bench-safetensors [SIZE_MB=1024] [RUNS=5] [DIR=/tmp]
// (--help).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/cli/args.h"
#include "common/safetensors/safetensors.h"

namespace {

using Clock = std::chrono::steady_clock;

const csm::cli::Tool kTool{
    "bench-safetensors",
    "usage: bench-safetensors [SIZE_MB] [RUNS] [DIR]\n"
    "  SIZE_MB  size of the test checkpoint in MiB (default 1024)\n"
    "  RUNS     timed runs, the median is printed (default 5)\n"
    "  DIR      where the checkpoint is written and removed again (default the temp folder,\n"
    "           usually /tmp)\n"
    "  --help   this text\n",
    {},
    {},
    0,
    3};

void evict_from_page_cache(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int bench(const csm::cli::Args& args) {
  using csm::cli::kIntMax;
  using csm::cli::to_int;
  const auto& given = args.positionals();
  const int64_t size_mb = given.size() > 0 ? to_int("SIZE_MB", given[0], 1, kIntMax) : 1024;
  const int runs = given.size() > 1 ? static_cast<int>(to_int("RUNS", given[1], 1, kIntMax)) : 5;
  const std::string dir =
      given.size() > 2 ? given[2] : std::filesystem::temp_directory_path().string();
  const std::string path = dir + "/bench-safetensors-" + std::to_string(::getpid()) + ".safetensors";

  const int tensors = 64;
  const int64_t per_tensor_bytes = size_mb * 1024 * 1024 / tensors;
  {
    csm::safetensors::SafetensorsWriter writer;
    for (int i = 0; i < tensors; ++i) {
      const bool bf16 = i % 2 == 1;  // half the tensors F32, half BF16, like mixed checkpoints
      auto t = torch::rand({per_tensor_bytes / (bf16 ? 2 : 4)});
      writer.add("layer." + std::to_string(i) + (bf16 ? ".bf16" : ".f32"),
                 bf16 ? t.to(torch::kBFloat16) : t);
    }
    writer.write(path);
  }
  const double gib = static_cast<double>(std::filesystem::file_size(path)) / (1 << 30);

  std::vector<double> open_ms, touch_ms;
  for (int r = 0; r < runs; ++r) {
    evict_from_page_cache(path);
    auto t0 = Clock::now();
    {
      auto file = csm::safetensors::SafetensorsFile::open(path);
      size_t views = 0;
      for (const auto& info : file->tensors()) views += file->tensor(info.name).defined();
      if (views != static_cast<size_t>(tensors)) return 1;
    }
    open_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());

    evict_from_page_cache(path);
    t0 = Clock::now();
    {
      auto file = csm::safetensors::SafetensorsFile::open(path);
      double sum = 0;
      for (const auto& info : file->tensors()) sum += file->tensor(info.name).sum().item<double>();
      if (sum < 0) return 1;
    }
    touch_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::filesystem::remove(path);

  const double open_med = median(open_ms), touch_med = median(touch_ms);
  std::printf("file: %.2f GiB, %d tensors, %d runs, page cache evicted before each run\n", gib,
              tensors, runs);
  std::printf("open + views (median): %8.3f ms\n", open_med);
  std::printf("open + read all bytes : %8.3f ms\n", touch_med);
  std::printf("ratio read-all / open : %8.1fx\n", touch_med / open_med);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, bench);
}
