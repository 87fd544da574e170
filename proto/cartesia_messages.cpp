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

// An output_format, as the WebSocket (`rest` false: container raw only) or the REST routes
// (raw, wav or mp3) take it.
struct ParsedFormat {
  Container container = Container::Raw;
  OutputFormat format;
  Codec encoding = Codec::PcmS16le;
  std::optional<int> bit_rate;
};

ParsedFormat parse_output_format(const json& value, const std::string& context_id, bool rest) {
  Reader r(value, context_id);
  const std::string container = r.string("container").value_or("");
  ParsedFormat parsed;
  if (container == "raw") {
    parsed.container = Container::Raw;
  } else if (rest && container == "wav") {
    parsed.container = Container::Wav;
  } else if (rest && container == "mp3") {
    parsed.container = Container::Mp3;
  } else if (!rest) {
    r.fail(ErrorCode::UnsupportedFormat,
           container.empty() ? "output_format.container is required (\"raw\")"
                             : "output_format.container must be \"raw\" on the WebSocket "
                               "(Cartesia streams raw audio only; wav and mp3 are for /tts/bytes)",
           "output_format.container");
  } else if (container.empty()) {
    r.fail(ErrorCode::InvalidRequest,
           "output_format.container is required (\"raw\", \"wav\" or \"mp3\")",
           "output_format.container");
  } else {
    r.fail(ErrorCode::UnsupportedFormat,
           "output_format.container must be \"raw\", \"wav\" or \"mp3\", not " +
               brief_json(*r.find("container")),
           "output_format.container");
  }
  if (parsed.container == Container::Mp3) {
    r.string("encoding");  // Cartesia's mp3 has none; one sent is type-checked and ignored
    if (auto bit_rate = r.integer("bit_rate", 1, 1000000)) {
      parsed.bit_rate = static_cast<int>(*bit_rate);
    }
    parsed.encoding = Codec::Mp3;
  } else {
    const std::string encoding = r.string("encoding").value_or("");
    const auto codec = raw_encoding(encoding);
    if (!codec) {
      r.fail(ErrorCode::UnsupportedFormat,
             "output_format.encoding must be pcm_s16le, pcm_f32le, pcm_mulaw or pcm_alaw",
             "output_format.encoding");
    }
    if (parsed.container == Container::Wav && *codec != Codec::PcmS16le &&
        *codec != Codec::PcmF32le) {
      r.fail(ErrorCode::UnsupportedFormat,
             "a wav output_format's encoding must be pcm_s16le or pcm_f32le",
             "output_format.encoding");
    }
    parsed.encoding = *codec;
  }
  const auto rate = r.integer("sample_rate", 1, 1000000);
  if (!rate) {
    r.fail(ErrorCode::InvalidRequest, "output_format.sample_rate is required",
           "output_format.sample_rate");
  }
  switch (parsed.container) {
    case Container::Raw: parsed.format.codec = parsed.encoding; break;
    case Container::Wav: parsed.format.codec = Codec::Wav; break;
    case Container::Mp3: parsed.format.codec = Codec::Mp3; break;
  }
  parsed.format.sample_rate = static_cast<int>(*rate);
  try {
    validate(parsed.format);
  } catch (const ProtocolError& e) {
    throw ProtocolError(e.code(), e.what(), context_id, "output_format");
  }
  return parsed;
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

void check_transcript_size(const Reader& r, const std::string& transcript,
                           size_t max_text_bytes) {
  if (transcript.size() > max_text_bytes) {
    r.fail(ErrorCode::TextTooLong,
           "transcript of " + std::to_string(transcript.size()) + " bytes is over the limit of " +
               std::to_string(max_text_bytes),
           "transcript");
  }
}

// Documented optional fields we do not use: their types are still checked.
void check_ignored_fields(const Reader& r) {
  r.string("language");
  r.boolean("add_timestamps");
  r.boolean("add_phoneme_timestamps");
  r.boolean("use_normalized_timestamps");
  r.object("generation_config");
  r.object("__experimental_controls");
  if (const json* d = r.find("duration"); d && !d->is_number()) {
    r.fail(ErrorCode::InvalidRequest, "duration must be a number", "duration");
  }
}

json chunk_object(std::string_view audio, double step_time_ms) {
  return {{"type", "chunk"},
          {"data", base64_encode(audio)},
          {"done", false},
          {"status_code", 206},
          {"step_time", step_time_ms}};
}

json error_object(ErrorCode code, const std::string& message) {
  return {{"type", "error"},
          {"done", true},
          {"status_code", http_status(code)},
          {"title", std::string(error_name(code))},
          {"error_code", std::string(error_name(code))},
          {"error", message},
          {"message", message}};
}

// Error messages quote client text only after its UTF-8 was checked; `replace` keeps a
// serialisation from ever throwing anyway.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string sse_event(const char* type, const json& data) {
  return std::string("event: ") + type + "\ndata: " + dump(data) + "\n\n";
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
  check_transcript_size(r, g.transcript, max_text_bytes);
  g.continue_ = r.boolean("continue");
  g.flush = r.boolean("flush");
  if (auto delay = r.integer("max_buffer_delay_ms", 0, kMaxBufferDelayMs)) {
    g.max_buffer_delay_ms = static_cast<int>(*delay);
  }
  if (const json* voice = r.object("voice")) g.voice_id = parse_voice(*voice, context_id);
  if (const json* format = r.object("output_format")) {
    g.output_format = parse_output_format(*format, context_id, false).format;
  }
  check_ignored_fields(r);
  return g;
}

TtsRequest parse_tts_request(std::string_view body, size_t max_body_bytes,
                             size_t max_text_bytes) {
  if (body.size() > max_body_bytes) {
    throw ProtocolError(ErrorCode::PayloadTooLarge,
                        "request body of " + std::to_string(body.size()) +
                            " bytes is over the limit of " + std::to_string(max_body_bytes));
  }
  if (auto bad = find_invalid_utf8(body)) {
    throw ProtocolError(ErrorCode::InvalidUtf8,
                        "request body is not valid UTF-8 at byte " + std::to_string(*bad));
  }
  const json j = parse_untrusted_json(body, "request body");
  if (!j.is_object()) {
    throw ProtocolError(ErrorCode::InvalidRequest, "the request body must be a JSON object");
  }
  std::string context_id;
  if (auto it = j.find("context_id"); it != j.end() && it->is_string()) {
    context_id = it->get<std::string>();
  }
  Reader r(j, context_id);
  TtsRequest t;
  if (r.string("context_id") && !context_id.empty()) t.context_id = context_id;

  t.model_id = r.string("model_id").value_or("");
  if (t.model_id.empty()) {
    r.fail(ErrorCode::InvalidRequest, "model_id is required (a non-empty string)", "model_id");
  }
  auto transcript = r.string("transcript");
  if (!transcript) r.fail(ErrorCode::InvalidRequest, "transcript is required", "transcript");
  t.transcript = std::move(*transcript);
  check_transcript_size(r, t.transcript, max_text_bytes);
  if (t.transcript.find_first_not_of(" \t\r\n") == std::string::npos) {
    r.fail(ErrorCode::TextEmpty, "transcript is empty", "transcript");
  }

  // Cartesia takes {mode: "id", id} (mode optional) or, in the 4.x SDK's types, the id itself.
  const json* voice = r.find("voice");
  if (!voice) r.fail(ErrorCode::InvalidRequest, "voice is required", "voice");
  if (voice->is_string()) {
    t.voice_id = voice->get<std::string>();
    if (t.voice_id.empty()) r.fail(ErrorCode::InvalidRequest, "voice is empty", "voice");
  } else if (voice->is_object()) {
    t.voice_id = parse_voice(*voice, context_id);
  } else {
    r.fail(ErrorCode::InvalidRequest,
           "voice must be an object {mode: \"id\", id} or a voice id, not " + brief_json(*voice),
           "voice");
  }

  const json* format = r.object("output_format");
  if (!format) r.fail(ErrorCode::InvalidRequest, "output_format is required", "output_format");
  ParsedFormat parsed = parse_output_format(*format, context_id, true);
  t.container = parsed.container;
  t.output_format = parsed.format;
  t.encoding = parsed.encoding;
  t.bit_rate = parsed.bit_rate;

  if (const json* config = r.object("generation_config")) {
    Reader c(*config, context_id);
    if (const json* speed = c.find("speed")) {
      if (!speed->is_number() || speed->get<double>() < kMinSpeed ||
          speed->get<double>() > kMaxSpeed) {
        r.fail(ErrorCode::InvalidRequest,
               "generation_config.speed must be a number in [0.25, 4], not " + brief_json(*speed),
               "generation_config.speed");
      }
      t.speed = speed->get<double>();
    }
  }
  check_ignored_fields(r);
  if (const json* duration = r.find("duration")) {
    if (duration->get<double>() <= 0) {
      r.fail(ErrorCode::InvalidRequest, "duration must be a number of seconds over 0",
             "duration");
    }
    t.duration_s = duration->get<double>();
  }
  r.string("locale");
  r.string("normalization");
  r.string("pronunciation_dict_id");
  r.boolean("save");
  return t;
}

std::string chunk_json(const std::string& context_id, std::string_view audio, double step_time_ms,
                       std::optional<uint64_t> flush_id) {
  json j = chunk_object(audio, step_time_ms);
  j["context_id"] = context_id;
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
  json j = error_object(code, message);
  if (!context_id.empty()) j["context_id"] = context_id;
  return dump(j);
}

std::string sse_chunk_event(const std::string& context_id, std::string_view audio,
                            double step_time_ms) {
  json j = chunk_object(audio, step_time_ms);
  if (!context_id.empty()) j["context_id"] = context_id;
  return sse_event("chunk", j);
}

std::string sse_done_event(const std::string& context_id) {
  json j = {{"type", "done"}, {"done", true}, {"status_code", 200}};
  if (!context_id.empty()) j["context_id"] = context_id;
  return sse_event("done", j);
}

std::string sse_error_event(const std::string& context_id, ErrorCode code,
                            const std::string& message, const std::string& request_id) {
  json j = error_object(code, message);
  j["request_id"] = request_id;
  if (!context_id.empty()) j["context_id"] = context_id;
  return sse_event("error", j);
}

std::string http_error_json(ErrorCode code, const std::string& message,
                            const std::string& request_id) {
  return dump(json{{"error_code", std::string(error_name(code))},
                   {"title", std::string(error_name(code))},
                   {"message", message},
                   {"request_id", request_id}});
}

}  // namespace csm::proto::cartesia
