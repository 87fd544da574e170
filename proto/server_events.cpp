#include "proto/server_events.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "proto/protocol_error.h"

namespace csm::proto {
namespace {

using nlohmann::json;

struct ReasonEntry {
  EndReason reason;
  std::string_view name;
};
constexpr ReasonEntry kReasons[] = {
    {EndReason::EndOfAudio, "end_of_audio"}, {EndReason::MaxLength, "max_length"},
    {EndReason::ContextFull, "context_full"}, {EndReason::Cancelled, "cancelled"},
    {EndReason::Error, "error"},
};

json state_json(const SessionState& s) {
  json format = {{"codec", codec_name(s.output_format.codec)},
                 {"sample_rate", s.output_format.sample_rate}};
  if (s.output_format.codec == Codec::Opus) {
    format["opus_frame_ms"] = s.output_format.opus_frame_ms;
    format["opus_bitrate"] = s.output_format.opus_bitrate;
  }
  json j = {{"id", s.id},       {"voice", s.voice}, {"speaker", s.speaker},
            {"output_format", format}, {"temperature", s.temperature}, {"top_k", s.top_k},
            {"max_audio_ms", s.max_audio_ms}, {"speed", s.speed},
            {"normalize", s.normalize}, {"include_normalized_text", s.include_normalized_text}};
  j["seed"] = s.seed ? json(*s.seed) : json(nullptr);
  return j;
}

SessionState state_from(const json& j) {
  SessionState s;
  s.id = j.value("id", "");
  s.voice = j.value("voice", "");
  s.speaker = j.value("speaker", 0);
  if (j.contains("output_format")) {
    const json& f = j.at("output_format");
    if (auto c = codec_from_name(f.value("codec", ""))) s.output_format.codec = *c;
    s.output_format.sample_rate = f.value("sample_rate", 24000);
    s.output_format.opus_frame_ms = f.value("opus_frame_ms", 20);
    s.output_format.opus_bitrate = f.value("opus_bitrate", 32000);
  }
  s.temperature = j.value("temperature", 0.9);
  s.top_k = j.value("top_k", 50);
  if (j.contains("seed") && j.at("seed").is_number_unsigned()) s.seed = j.at("seed").get<uint64_t>();
  s.max_audio_ms = j.value("max_audio_ms", 60000);
  s.speed = j.value("speed", 1.0);
  s.normalize = j.value("normalize", true);
  s.include_normalized_text = j.value("include_normalized_text", false);
  return s;
}

struct ToJson {
  json operator()(const SessionCreated& e) const {
    return {{"type", "session.created"},
            {"session", state_json(e.session)},
            {"protocol_version", e.protocol_version},
            {"server_version", e.server_version}};
  }
  json operator()(const SessionUpdated& e) const {
    return {{"type", "session.updated"}, {"session", state_json(e.session)}};
  }
  json operator()(const ContextAdded& e) const {
    return {{"type", "context.added"}, {"item_id", e.item_id}, {"audio_ms", e.audio_ms}};
  }
  json operator()(const ResponseCreated& e) const {
    json j = {{"type", "response.created"}, {"response_id", e.response_id}};
    if (e.opus_pre_skip) j["opus_pre_skip"] = *e.opus_pre_skip;
    if (e.normalized_text) j["normalized_text"] = *e.normalized_text;
    return j;
  }
  json operator()(const ResponseDone& e) const {
    json j = {{"type", "response.done"},        {"response_id", e.response_id},
              {"reason", end_reason_name(e.reason)}, {"frames", e.frames},
              {"audio_ms", e.audio_ms},         {"ttfa_ms", std::round(e.ttfa_ms * 100) / 100}};
    if (e.error) j["error_code"] = error_name(*e.error);
    if (e.normalized_text) j["normalized_text"] = *e.normalized_text;
    return j;
  }
  json operator()(const ErrorEvent& e) const {
    json err = {{"code", error_name(e.code)}, {"message", e.message}};
    if (!e.event_id.empty()) err["event_id"] = e.event_id;
    if (e.response_id) err["response_id"] = *e.response_id;
    return {{"type", "error"}, {"error", err}};
  }
  json operator()(const Pong&) const { return {{"type", "pong"}}; }
};

ServerEvent event_from(const json& j) {
  const std::string type = j.at("type").get<std::string>();
  if (type == "session.created") {
    return SessionCreated{state_from(j.at("session")), j.value("protocol_version", ""),
                          j.value("server_version", "")};
  }
  if (type == "session.updated") return SessionUpdated{state_from(j.at("session"))};
  if (type == "context.added") {
    return ContextAdded{j.at("item_id").get<uint32_t>(), j.value("audio_ms", 0)};
  }
  if (type == "response.created") {
    ResponseCreated c;
    c.response_id = j.at("response_id").get<uint32_t>();
    if (j.contains("opus_pre_skip")) c.opus_pre_skip = j.at("opus_pre_skip").get<int>();
    if (j.contains("normalized_text")) c.normalized_text = j.at("normalized_text").get<std::string>();
    return c;
  }
  if (type == "response.done") {
    ResponseDone d;
    d.response_id = j.at("response_id").get<uint32_t>();
    d.reason = end_reason_from_name(j.at("reason").get<std::string>()).value_or(EndReason::Error);
    d.frames = j.value("frames", 0u);
    d.audio_ms = j.value("audio_ms", 0);
    d.ttfa_ms = j.value("ttfa_ms", 0.0);
    if (j.contains("error_code")) d.error = error_from_name(j.at("error_code").get<std::string>());
    if (j.contains("normalized_text")) d.normalized_text = j.at("normalized_text").get<std::string>();
    return d;
  }
  if (type == "error") {
    const json& err = j.at("error");
    ErrorEvent e;
    e.code_name = err.at("code").get<std::string>();
    e.code = error_from_name(e.code_name).value_or(ErrorCode::Internal);
    e.message = err.value("message", "");
    e.event_id = err.value("event_id", "");
    if (err.contains("response_id")) e.response_id = err.at("response_id").get<uint32_t>();
    return e;
  }
  if (type == "pong") return Pong{};
  throw ProtocolError(ErrorCode::UnknownMessageType, "unknown server event \"" + type + "\"");
}

}  // namespace

std::string_view end_reason_name(EndReason reason) {
  for (const auto& r : kReasons) {
    if (r.reason == reason) return r.name;
  }
  return "error";
}

std::optional<EndReason> end_reason_from_name(std::string_view name) {
  for (const auto& r : kReasons) {
    if (r.name == name) return r.reason;
  }
  return std::nullopt;
}

std::string to_json(const ServerEvent& event) {
  return std::visit(ToJson{}, event).dump(-1, ' ', false, json::error_handler_t::replace);
}

ServerEvent parse_server_event(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw ProtocolError(ErrorCode::InvalidJson, "server event is not JSON");
  try {
    return event_from(j);
  } catch (const json::exception& e) {
    throw ProtocolError(ErrorCode::InvalidRequest,
                        std::string("malformed server event: ") + e.what());
  }
}

}  // namespace csm::proto
