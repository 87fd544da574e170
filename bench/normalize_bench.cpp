// bench-normalize: how long text normalization (text/normalizer.h) takes per call.
//
// Builds a realistic 4,096-byte English text (mostly plain words, with numbers, money,
// dates, times, units, a URL, an e-mail address and abbreviations here and there) and a
// plain text of the same size with nothing to normalize (the pass-through baseline), then
// times REPEATS calls of normalize() on each, interleaved, after a warm-up, and prints the
// median and p90 microseconds per call, the throughput in MB/s and their ratio.
// Usage: bench-normalize [--repeats N] (--help).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/cli/args.h"
#include "text/normalizer.h"

namespace {

using Clock = std::chrono::steady_clock;

const csm::cli::Tool kTool{
    "bench-normalize",
    "usage: bench-normalize [--repeats N]\n"
    "  --repeats N  timed calls per text (default 2000)\n"
    "  --help       this text\n",
    {"--repeats"},
    {},
    0,
    0};

constexpr std::size_t kTextBytes = 4096;

// Sentences repeated (cut at a space) to fill `bytes`.
std::string fill(const std::vector<std::string>& sentences, std::size_t bytes) {
  std::string text;
  for (std::size_t k = 0; text.size() < bytes; ++k) {
    if (!text.empty()) text += ' ';
    text += sentences[k % sentences.size()];
  }
  text.resize(bytes);
  const std::size_t space = text.rfind(' ');
  std::fill(text.begin() + static_cast<std::ptrdiff_t>(space), text.end(), '.');
  return text;
}

std::string mixed_text() {
  return fill(
      {"The quarterly report came in on Jan 5, 2026, and it was better than anyone expected.",
       "Revenue grew 12.5% to $2.5B, while costs fell by about $300 million over the year.",
       "Dr. Smith said the new lab on Main St. would open at 9:30 am on Monday.",
       "We drove 120 km in the rain, stopped twice, and still arrived before 3 p.m.",
       "If you have questions, write to support@example.com or visit https://www.example.com/help.",
       "The team shipped version 2 of the app, which is 3x faster and uses 40% less memory.",
       "Tickets cost $12.99 each, or $45 for a family of four, and the show starts at 19:30.",
       "Most of the morning was quiet; people talked about the weather, their plans for the "
       "weekend, and whether the trains would run on time after the storm.",
       "In 1999 the company had 1,250 employees; by the 2010s it had grown to over 20,000.",
       "Call us at (555) 123-4567 between 9 and 5, e.g. during the lunch break.",
       "She read chapters 3-5 of the book and listened to an old recording of the concert."},
      kTextBytes);
}

std::string plain_text() {
  return fill(
      {"The morning was quiet and the streets were still wet from the rain that fell overnight.",
       "People walked slowly past the shops, talking about the weather and their plans.",
       "Nobody seemed to be in a hurry, and the cafe on the corner was already full.",
       "She said it's the kind of day you don't want to end, and he agreed with a smile.",
       "They talked about books, old friends, and the places they wanted to see someday."},
      kTextBytes);
}

struct Stats {
  double median_us = 0, p90_us = 0;
};

Stats stats(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 9 / 10]};
}

double time_one(const std::string& text, std::size_t& sink) {
  const auto t0 = Clock::now();
  const auto result = csm::text::normalize(text);
  const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  sink += result.text.size() + result.words.size();
  return us;
}

int bench(const csm::cli::Args& args) {
  const auto repeats = static_cast<std::size_t>(args.get_int("--repeats", 2000, 1, 10'000'000));
  const std::string mixed = mixed_text(), plain = plain_text();
  std::size_t sink = 0;
  for (int k = 0; k < 50; ++k) {  // warm-up: ICU formatters, caches
    time_one(mixed, sink);
    time_one(plain, sink);
  }
  std::vector<double> mixed_us, plain_us;
  mixed_us.reserve(repeats);
  plain_us.reserve(repeats);
  for (std::size_t r = 0; r < repeats; ++r) {
    mixed_us.push_back(time_one(mixed, sink));
    plain_us.push_back(time_one(plain, sink));
  }
  const Stats m = stats(mixed_us), p = stats(plain_us);
  const auto mb_per_s = [](double us) { return static_cast<double>(kTextBytes) / us; };
  const auto changed = csm::text::normalize(mixed);
  std::printf("text: %zu bytes, %zu repeats each (interleaved), %zu output words (mixed)\n",
              kTextBytes, repeats, changed.words.size());
  std::printf("mixed text   median %8.1f us  p90 %8.1f us  %7.1f MB/s\n", m.median_us, m.p90_us,
              mb_per_s(m.median_us));
  std::printf("plain text   median %8.1f us  p90 %8.1f us  %7.1f MB/s\n", p.median_us, p.p90_us,
              mb_per_s(p.median_us));
  std::printf("ratio mixed / plain (median): %.2fx\n", m.median_us / p.median_us);
  return sink == 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  return csm::cli::run_tool(kTool, argc, argv, bench);
}
