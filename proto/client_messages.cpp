#include "proto/client_messages.h"

#include <nlohmann/json.hpp>

#include "proto/base64.h"
#include "proto/json_fields.h"
#include "proto/json_parse.h"
#include "proto/protocol_error.h"
#include "proto/utf8.h"
#include "proto/version.h"

namespace csm::proto {
namespace {

using nlohmann::json;

std::string checked_text(JsonFields& f, const std::string& name, const std::string& text,
                         const MessageLimits& limits, const std::string& event_id) {
  if (text.size() > limits.max_text_bytes) {
    throw ProtocolError(ErrorCode::TextTooLong,
                        f.path_of(name) + " has " + std::to_string(text.size()) +
                            " bytes; the limit is " + std::to_string(limits.max_text_bytes),
                        event_id);
  }
  return text;
}

SamplingSettings read_sampling(JsonFields& f) {
  SamplingSettings s;
  s.temperature = f.number("temperature", 1e-3, 5.0);
  if (auto k = f.integer("top_k", 1, 1 << 20)) s.top_k = static_cast<int>(*k);
  s.seed = f.unsigned_integer("seed");
  return s;
}

OutputFormat read_output_format(const json& j, const std::string& path, const std::string& id) {
  JsonFields f(j, path, id);
  OutputFormat format;
  const std::string codec = f.required_string("codec");
  auto parsed = codec_from_name(codec);
  if (!parsed || *parsed == Codec::Wav) {
    throw ProtocolError(ErrorCode::UnsupportedFormat,
                        path + ".codec \"" + codec +
                            "\" is not one of opus, pcm_s16le, pcm_f32le, mulaw, alaw, mp3, "
                            "flac, aac",
                        id);
  }
  format.codec = *parsed;
  if (format.codec == Codec::Mulaw || format.codec == Codec::Alaw) format.sample_rate = 8000;
  if (auto r = f.integer("sample_rate", 1, 384000)) format.sample_rate = static_cast<int>(*r);
  if (auto ms = f.integer("opus_frame_ms", 1, 1000)) format.opus_frame_ms = static_cast<int>(*ms);
  if (auto b = f.integer("opus_bitrate", 1, 10'000'000)) format.opus_bitrate = static_cast<int>(*b);
  f.finish();
  try {
    validate(format);
  } catch (const ProtocolError& e) {
    throw ProtocolError(e.code(), e.what(), id);
  }
  return format;
}

SessionUpdate read_session_update(JsonFields& top, const std::string& id) {
  SessionUpdate u;
  u.protocol_version = top.string("protocol_version");
  if (u.protocol_version) {
    const std::string& v = *u.protocol_version;
    const std::string major = v.substr(0, v.find('.'));
    if (major != std::to_string(kProtocolMajor)) {
      throw ProtocolError(ErrorCode::UnsupportedVersion,
                          "protocol_version \"" + v + "\" is not supported; this server speaks " +
                              kProtocolVersion,
                          id);
    }
  }
  const json* session = top.object("session");
  if (session == nullptr) return u;
  JsonFields f(*session, "session", id);
  u.session.voice = f.string("voice");
  if (auto s = f.integer("speaker", 0, kMaxSpeaker)) u.session.speaker = static_cast<int>(*s);
  if (const json* of = f.object("output_format")) {
    u.session.output_format = read_output_format(*of, "session.output_format", id);
  }
  u.session.sampling = read_sampling(f);
  if (auto m = f.integer("max_audio_ms", 80, 3'600'000)) u.session.max_audio_ms = static_cast<int>(*m);
  u.session.speed = f.number("speed", kMinSpeed, kMaxSpeed);
  u.session.normalize = f.boolean("normalize");
  u.session.include_normalized_text = f.boolean("include_normalized_text");
  f.finish();
  return u;
}

ContextAdd read_context_add(JsonFields& top, const MessageLimits& limits, const std::string& id) {
  const json* item = top.object("item");
  if (item == nullptr) top.fail("item", "is required");
  JsonFields f(*item, "item", id);
  ContextAdd c;
  c.speaker = static_cast<int>(f.integer("speaker", 0, kMaxSpeaker).value_or(0));
  c.text = checked_text(f, "text", f.string("text").value_or(""), limits, id);
  if (auto audio = f.string("audio")) {
    if (audio->size() / 4 * 3 > limits.max_audio_bytes) {
      throw ProtocolError(ErrorCode::PayloadTooLarge,
                          "item.audio is larger than the limit of " +
                              std::to_string(limits.max_audio_bytes) + " bytes",
                          id);
    }
    auto bytes = base64_decode(*audio);
    if (!bytes) throw ProtocolError(ErrorCode::AudioInvalid, "item.audio is not valid base64", id);
    c.audio = std::move(*bytes);
  }
  c.audio_follows = f.boolean("audio_follows").value_or(false);
  if (c.audio_follows && !c.audio.empty()) {
    f.fail("audio_follows", "cannot be true when item.audio is given inline");
  }
  if (auto fmt = f.string("audio_format")) {
    if (*fmt != "wav" && *fmt != "ogg_opus" && *fmt != "pcm_s16le" && *fmt != "pcm_f32le") {
      throw ProtocolError(ErrorCode::UnsupportedFormat,
                          "item.audio_format \"" + *fmt +
                              "\" is not one of wav, ogg_opus, pcm_s16le, pcm_f32le",
                          id);
    }
    c.audio_format = *fmt;
  }
  if (auto r = f.integer("sample_rate", 8000, 192000)) c.sample_rate = static_cast<int>(*r);
  if ((c.audio_format == "pcm_s16le" || c.audio_format == "pcm_f32le") && !c.sample_rate &&
      (c.audio_follows || !c.audio.empty())) {
    f.fail("sample_rate", "is required for raw PCM audio");
  }
  if (c.text.empty() && c.audio.empty() && !c.audio_follows) {
    throw ProtocolError(ErrorCode::TextEmpty, "item needs text, audio or both", id);
  }
  f.finish();
  return c;
}

ResponseCreate read_response_create(JsonFields& top, const MessageLimits& limits,
                                    const std::string& id) {
  ResponseCreate r;
  const json* response = top.object("response");
  if (response == nullptr) return r;  // no text: the text is streamed with text.delta
  JsonFields f(*response, "response", id);
  if (auto t = f.string("text")) r.text = checked_text(f, "text", *t, limits, id);
  if (auto s = f.integer("speaker", 0, kMaxSpeaker)) r.speaker = static_cast<int>(*s);
  r.voice = f.string("voice");
  r.sampling = read_sampling(f);
  if (auto m = f.integer("max_audio_ms", 80, 3'600'000)) r.max_audio_ms = static_cast<int>(*m);
  r.speed = f.number("speed", kMinSpeed, kMaxSpeed);
  r.normalize = f.boolean("normalize");
  r.include_normalized_text = f.boolean("include_normalized_text");
  f.finish();
  return r;
}

ClientMessage read_body(const std::string& type, JsonFields& f, const MessageLimits& limits,
                        const std::string& id) {
  if (type == "session.update") return read_session_update(f, id);
  if (type == "context.add") return read_context_add(f, limits, id);
  if (type == "response.create") return read_response_create(f, limits, id);
  if (type == "text.delta") {
    return TextDelta{checked_text(f, "delta", f.required_string("delta"), limits, id)};
  }
  if (type == "text.done") return TextDone{};
  if (type == "response.cancel") {
    ResponseCancel c;
    if (auto r = f.integer("response_id", 0, UINT32_MAX)) c.response_id = static_cast<uint32_t>(*r);
    if (auto p = f.integer("played_ms", 0, 24 * 3'600'000)) c.played_ms = static_cast<int>(*p);
    return c;
  }
  if (type == "ping") return Ping{};
  throw ProtocolError(ErrorCode::UnknownMessageType,
                      "unknown message type \"" + type +
                          "\" (expected session.update, context.add, response.create, "
                          "text.delta, text.done, response.cancel or ping)",
                      id);
}

}  // namespace

ParsedClientMessage parse_client_message(std::string_view text, const MessageLimits& limits) {
  if (text.size() > limits.max_message_bytes) {
    throw ProtocolError(ErrorCode::PayloadTooLarge,
                        "message of " + std::to_string(text.size()) +
                            " bytes is over the limit of " +
                            std::to_string(limits.max_message_bytes));
  }
  if (auto bad = find_invalid_utf8(text)) {
    throw ProtocolError(ErrorCode::InvalidUtf8,
                        "message is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
  }
  const json j = parse_untrusted_json(text, "message");
  if (!j.is_object()) {
    throw ProtocolError(ErrorCode::InvalidRequest,
                        std::string("message must be a JSON object, got ") + j.type_name());
  }
  std::string id;
  if (auto it = j.find("event_id"); it != j.end() && it->is_string()) id = it->get<std::string>();
  JsonFields f(j, "", id);
  f.string("event_id");
  const std::string type = f.required_string("type");
  ClientMessage message = read_body(type, f, limits, id);
  f.finish();
  return {id, std::move(message)};
}

namespace {

json sampling_json(const SamplingSettings& s, json& out) {
  if (s.temperature) out["temperature"] = *s.temperature;
  if (s.top_k) out["top_k"] = *s.top_k;
  if (s.seed) out["seed"] = *s.seed;
  return out;
}

json format_json(const OutputFormat& f) {
  json j = {{"codec", codec_name(f.codec)}, {"sample_rate", f.sample_rate}};
  if (f.codec == Codec::Opus) {
    j["opus_frame_ms"] = f.opus_frame_ms;
    j["opus_bitrate"] = f.opus_bitrate;
  }
  return j;
}

struct ToJson {
  json operator()(const SessionUpdate& u) const {
    json j = {{"type", "session.update"}};
    if (u.protocol_version) j["protocol_version"] = *u.protocol_version;
    json s = json::object();
    if (u.session.voice) s["voice"] = *u.session.voice;
    if (u.session.speaker) s["speaker"] = *u.session.speaker;
    if (u.session.output_format) s["output_format"] = format_json(*u.session.output_format);
    sampling_json(u.session.sampling, s);
    if (u.session.max_audio_ms) s["max_audio_ms"] = *u.session.max_audio_ms;
    if (u.session.speed) s["speed"] = *u.session.speed;
    if (u.session.normalize) s["normalize"] = *u.session.normalize;
    if (u.session.include_normalized_text) {
      s["include_normalized_text"] = *u.session.include_normalized_text;
    }
    j["session"] = s;
    return j;
  }
  json operator()(const ContextAdd& c) const {
    json item = {{"speaker", c.speaker}, {"text", c.text}, {"audio_format", c.audio_format}};
    if (!c.audio.empty()) item["audio"] = base64_encode(c.audio);
    if (c.audio_follows) item["audio_follows"] = true;
    if (c.sample_rate) item["sample_rate"] = *c.sample_rate;
    return {{"type", "context.add"}, {"item", item}};
  }
  json operator()(const ResponseCreate& r) const {
    json j = {{"type", "response.create"}};
    json body = json::object();
    if (r.text) body["text"] = *r.text;
    if (r.speaker) body["speaker"] = *r.speaker;
    if (r.voice) body["voice"] = *r.voice;
    sampling_json(r.sampling, body);
    if (r.max_audio_ms) body["max_audio_ms"] = *r.max_audio_ms;
    if (r.speed) body["speed"] = *r.speed;
    if (r.normalize) body["normalize"] = *r.normalize;
    if (r.include_normalized_text) body["include_normalized_text"] = *r.include_normalized_text;
    if (!body.empty()) j["response"] = body;
    return j;
  }
  json operator()(const TextDelta& d) const { return {{"type", "text.delta"}, {"delta", d.delta}}; }
  json operator()(const TextDone&) const { return {{"type", "text.done"}}; }
  json operator()(const ResponseCancel& c) const {
    json j = {{"type", "response.cancel"}};
    if (c.response_id) j["response_id"] = *c.response_id;
    if (c.played_ms) j["played_ms"] = *c.played_ms;
    return j;
  }
  json operator()(const Ping&) const { return {{"type", "ping"}}; }
};

}  // namespace

std::string to_json(const ClientMessage& message, const std::string& event_id) {
  json j = std::visit(ToJson{}, message);
  if (!event_id.empty()) j["event_id"] = event_id;
  return j.dump();
}

}  // namespace csm::proto
