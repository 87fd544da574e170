#include "proto/cartesia_messages.h"

#include <nlohmann/json.hpp>

#include "proto/base64.h"
#include "proto/json_parse.h"
#include "proto/protocol_error.h"
#include "proto/utf8.h"

namespace csm::proto::cartesia {
namespace {

using nlohmann::json;

// Reads the fields of one message; every error names the field and carries the context_id.
class Reader {
 public:
  Reader(const json& object, std::string context_id)
      : object_(object), context_id_(std::move(context_id)) {}

  [[noreturn]] void fail(ErrorCode code, const std::string& message,
                         const std::string& param) const {
    throw ProtocolError(code, message, context_id_, param);
  }
  const json* find(const char* name) const {
    auto it = object_.find(name);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  std::optional<std::string> string(const char* name) const {
    const json* v = find(name);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
      fail(ErrorCode::InvalidRequest,
           std::string(name) + " must be a string, not " + brief_json(*v), name);
    }
    return v->get<std::string>();
  }
  bool boolean(const char* name) const {
    const json* v = find(name);
    if (!v) return false;
    if (!v->is_boolean()) {
      fail(ErrorCode::InvalidRequest,
           std::string(name) + " must be true or false, not " + brief_json(*v), name);
    }
    return v->get<bool>();
  }
  std::optional<int64_t> integer(const char* name, int64_t lo, int64_t hi) const {
    const json* v = find(name);
    if (!v) return std::nullopt;
    if (!v->is_number_integer() || v->get<int64_t>() < lo || v->get<int64_t>() > hi) {
      fail(ErrorCode::InvalidRequest,
           std::string(name) + " must be an integer in [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "], not " + brief_json(*v),
           name);
    }
    return v->get<int64_t>();
  }
  const json* object(const char* name) const {
    const json* v = find(name);
    if (v && !v->is_object()) {
      fail(ErrorCode::InvalidRequest, std::string(name) + " must be an object", name);
    }
    return v;
  }

 private:
  const json& object_;
  std::string context_id_;
};

std::optional<Codec> raw_encoding(std::string_view name) {
  if (name == "pcm_s16le") return Codec::PcmS16le;
  if (name == "pcm_f32le") return Codec::PcmF32le;
  if (name == "pcm_mulaw") return Codec::Mulaw;
  if (name == "pcm_alaw") return Codec::Alaw;
  return std::nullopt;
}

OutputFormat parse_output_format(const json& value, const std::string& context_id) {
  Reader r(value, context_id);
  const std::string container = r.string("container").value_or("");
  if (container != "raw") {
    r.fail(ErrorCode::UnsupportedFormat,
           container.empty() ? "output_format.container is required (\"raw\")"
                             : "output_format.container must be \"raw\" on the WebSocket "
                               "(Cartesia streams raw audio only; wav and mp3 are for /tts/bytes)",
           "output_format.container");
  }
  const std::string encoding = r.string("encoding").value_or("");
  const auto codec = raw_encoding(encoding);
  if (!codec) {
    r.fail(ErrorCode::UnsupportedFormat,
           "output_format.encoding must be pcm_s16le, pcm_f32le, pcm_mulaw or pcm_alaw",
           "output_format.encoding");
  }
  const auto rate = r.integer("sample_rate", 1, 1000000);
  if (!rate) {
    r.fail(ErrorCode::InvalidRequest, "output_format.sample_rate is required",
           "output_format.sample_rate");
  }
  OutputFormat format;
  format.codec = *codec;
  format.sample_rate = static_cast<int>(*rate);
  try {
    validate(format);
  } catch (const ProtocolError& e) {
    throw ProtocolError(e.code(), e.what(), context_id, "output_format");
  }
  return format;
}

std::string parse_voice(const json& value, const std::string& context_id) {
  Reader r(value, context_id);
  const std::string mode = r.string("mode").value_or("id");
  if (mode != "id") {
    r.fail(ErrorCode::InvalidRequest,
           "voice.mode must be \"id\" (embeddings are not supported by this server)",
           "voice.mode");
  }
  auto id = r.string("id");
  if (!id || id->empty()) r.fail(ErrorCode::InvalidRequest, "voice.id is required", "voice.id");
  return *id;
}

}  // namespace

ClientMessage parse_message(std::string_view text, size_t max_message_bytes,
                            size_t max_text_bytes) {
  if (text.size() > max_message_bytes) {
    throw ProtocolError(ErrorCode::PayloadTooLarge,
                        "message of " + std::to_string(text.size()) + " bytes is over the limit of " +
                            std::to_string(max_message_bytes));
  }
  if (auto bad = find_invalid_utf8(text)) {
    throw ProtocolError(ErrorCode::InvalidUtf8,
                        "message is not valid UTF-8 at byte " + std::to_string(*bad));
  }
  const json message = parse_untrusted_json(text, "message");
  if (!message.is_object()) {
    throw ProtocolError(ErrorCode::InvalidRequest, "a message must be a JSON object");
  }
  std::string context_id;
  if (auto it = message.find("context_id"); it != message.end() && it->is_string()) {
    context_id = it->get<std::string>();
  }
  Reader r(message, context_id);
  r.string("context_id");  // a context_id of another type is an error
  if (context_id.empty()) {
    r.fail(ErrorCode::InvalidRequest, "context_id is required (a non-empty string)",
           "context_id");
  }
  if (r.boolean("cancel")) return Cancel{context_id};

  Generation g;
  g.context_id = context_id;
  g.model_id = r.string("model_id").value_or("");
  g.transcript = r.string("transcript").value_or("");
  if (g.transcript.size() > max_text_bytes) {
    r.fail(ErrorCode::TextTooLong,
           "transcript of " + std::to_string(g.transcript.size()) + " bytes is over the limit of " +
               std::to_string(max_text_bytes),
           "transcript");
  }
  g.continue_ = r.boolean("continue");
  g.flush = r.boolean("flush");
  if (auto delay = r.integer("max_buffer_delay_ms", 0, kMaxBufferDelayMs)) {
    g.max_buffer_delay_ms = static_cast<int>(*delay);
  }
  if (const json* voice = r.object("voice")) g.voice_id = parse_voice(*voice, context_id);
  if (const json* format = r.object("output_format")) {
    g.output_format = parse_output_format(*format, context_id);
  }
  // Documented optional fields we do not use: their types are still checked.
  r.string("language");
  r.boolean("add_timestamps");
  r.boolean("add_phoneme_timestamps");
  r.boolean("use_normalized_timestamps");
  r.object("generation_config");
  r.object("__experimental_controls");
  if (const json* d = r.find("duration"); d && !d->is_number()) {
    r.fail(ErrorCode::InvalidRequest, "duration must be a number", "duration");
  }
  return g;
}

std::string chunk_json(const std::string& context_id, std::string_view audio, double step_time_ms,
                       std::optional<uint64_t> flush_id) {
  json j = {{"type", "chunk"},
            {"data", base64_encode(audio)},
            {"done", false},
            {"status_code", 206},
            {"step_time", step_time_ms},
            {"context_id", context_id}};
  if (flush_id) j["flush_id"] = *flush_id;
  return j.dump();
}

std::string flush_done_json(const std::string& context_id, uint64_t flush_id) {
  return json{{"type", "flush_done"}, {"done", false},        {"flush_done", true},
              {"flush_id", flush_id}, {"status_code", 206}, {"context_id", context_id}}
      .dump();
}

std::string done_json(const std::string& context_id) {
  return json{{"type", "done"}, {"done", true}, {"status_code", 206}, {"context_id", context_id}}
      .dump();
}

std::string error_json(const std::string& context_id, ErrorCode code, const std::string& message) {
  json j = {{"type", "error"},
            {"done", true},
            {"status_code", http_status(code)},
            {"title", std::string(error_name(code))},
            {"error_code", std::string(error_name(code))},
            {"error", message},
            {"message", message}};
  if (!context_id.empty()) j["context_id"] = context_id;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace csm::proto::cartesia
