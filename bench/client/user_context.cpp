#include "bench/client/user_context.h"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "proto/client_messages.h"

namespace csm::bench {

namespace {

// The wire name of the container the file holds, from its magic bytes; "" when unknown.
std::string audio_format_of(const std::string& bytes) {
  if (bytes.rfind("RIFF", 0) == 0) return "wav";
  if (bytes.rfind("OggS", 0) == 0) return "ogg_opus";
  return "";
}

}  // namespace

std::optional<UserContext> load_user_context(const Options& options) {
  if (options.context_text.empty() && options.context_audio_file.empty()) return std::nullopt;
  UserContext context;
  context.speaker = options.context_speaker;
  context.text = options.context_text;
  context.each_turn = options.context_each_turn;
  if (options.context_audio_file.empty()) return context;
  const std::string& path = options.context_audio_file;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read context audio " + path);
  context.audio.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  context.audio_format = audio_format_of(context.audio);
  if (context.audio_format.empty()) {
    throw std::runtime_error("context audio " + path + " is neither WAV nor Ogg Opus");
  }
  return context;
}

bool context_before_turn(const UserContext& context, int turn) {
  return context.each_turn || turn == 0;
}

std::string context_add_message(const UserContext& context, const std::string& event_id) {
  proto::ContextAdd add;
  add.speaker = context.speaker;
  add.text = context.text;
  add.audio_follows = !context.audio.empty();
  if (add.audio_follows) add.audio_format = context.audio_format;
  return proto::to_json(add, event_id);
}

}  // namespace csm::bench
