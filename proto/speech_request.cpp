#include "proto/speech_request.h"

#include <nlohmann/json.hpp>

#include "proto/json_fields.h"
#include "proto/json_parse.h"
#include "proto/protocol_error.h"
#include "proto/utf8.h"

namespace csm::proto {
namespace {

// Whitespace-only input is empty input.
bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

OutputFormat format_for(const std::string& name) {
  OutputFormat f;
  if (name == "mp3") f.codec = Codec::Mp3;
  else if (name == "opus") f.codec = Codec::Opus;
  else if (name == "aac") f.codec = Codec::Aac;
  else if (name == "flac") f.codec = Codec::Flac;
  else if (name == "wav") f.codec = Codec::Wav;
  else if (name == "pcm") f.codec = Codec::PcmS16le;
  else if (name == "mulaw") f.codec = Codec::Mulaw, f.sample_rate = 8000;
  else if (name == "alaw") f.codec = Codec::Alaw, f.sample_rate = 8000;
  else {
    throw ProtocolError(ErrorCode::UnsupportedFormat,
                        "response_format \"" + name +
                            "\" is not supported; use mp3, opus, aac, flac, wav, pcm, mulaw "
                            "or alaw",
                        "", "response_format");
  }
  return f;
}

bool valid_conversation_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!word && c != '.' && c != '_' && c != ':' && c != '-') return false;
  }
  return true;
}

}  // namespace

SpeechRequest parse_speech_request(std::string_view body, const SpeechLimits& limits) {
  if (auto bad = find_invalid_utf8(body)) {
    throw ProtocolError(ErrorCode::InvalidUtf8,
                        "request body is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
  }
  const nlohmann::json j = parse_untrusted_json(body, "request body");
  JsonFields f(j, "");
  SpeechRequest r;
  r.model = f.required_string("model");
  r.input = f.required_string("input");
  // OpenAI takes a voice name or a voice object {"id": NAME} (custom voices).
  if (f.has("voice") && j.at("voice").is_object()) {
    JsonFields voice(*f.object("voice"), "voice");
    r.voice = voice.required_string("id");
    voice.finish();
  } else {
    r.voice = f.required_string("voice");
  }
  if (r.input.size() > limits.max_input_bytes) {
    throw ProtocolError(ErrorCode::TextTooLong,
                        "input has " + std::to_string(r.input.size()) + " bytes; the limit is " +
                            std::to_string(limits.max_input_bytes),
                        "", "input");
  }
  if (blank(r.input)) throw ProtocolError(ErrorCode::TextEmpty, "input is empty", "", "input");
  if (auto rf = f.string("response_format")) r.response_format = *rf;
  r.output = format_for(r.response_format);
  if (auto rate = f.integer("sample_rate", 1, 384000)) {
    if (r.output.codec == Codec::Opus) {
      throw ProtocolError(ErrorCode::UnsupportedFormat,
                          "sample_rate applies to wav and pcm only", "", "sample_rate");
    }
    r.output.sample_rate = static_cast<int>(*rate);
  }
  try {
    validate(r.output);
  } catch (const ProtocolError& e) {
    throw ProtocolError(e.code(), e.what(), "", "sample_rate");
  }
  if (auto speed = f.number("speed", kMinSpeed, kMaxSpeed)) r.speed = *speed;
  if (auto sf = f.string("stream_format")) {
    if (*sf == "sse") r.stream_format = StreamFormat::Sse;
    else if (*sf != "audio") f.fail("stream_format", "must be \"audio\" or \"sse\"");
  }
  // Accepted as OpenAI accepts it; CSM cannot follow style instructions (the server says so).
  if (auto instr = f.string("instructions"); instr && !blank(*instr)) r.instructions = *instr;
  r.sampling.temperature = f.number("temperature", 1e-3, 5.0);
  if (auto k = f.integer("top_k", 1, 1 << 20)) r.sampling.top_k = static_cast<int>(*k);
  r.sampling.seed = f.unsigned_integer("seed");
  if (auto m = f.integer("max_audio_ms", 80, 3'600'000)) r.max_audio_ms = static_cast<int>(*m);
  if (auto id = f.string("conversation_id")) {
    if (!valid_conversation_id(*id)) {
      f.fail("conversation_id", "must be 1-128 characters of A-Z a-z 0-9 . _ : -");
    }
    r.conversation_id = *id;
  }
  r.normalize = f.boolean("normalize");
  f.finish();
  return r;
}

std::string_view content_type(const SpeechRequest& request) {
  if (request.stream_format == StreamFormat::Sse) return "text/event-stream";
  switch (request.output.codec) {
    case Codec::Opus: return "audio/ogg";
    case Codec::Wav: return "audio/wav";
    case Codec::Mp3: return "audio/mpeg";
    case Codec::Flac: return "audio/flac";
    case Codec::Aac: return "audio/aac";
    case Codec::Mulaw: return "audio/basic";
    case Codec::Alaw: return "audio/x-alaw-basic";
    case Codec::PcmS16le:
    case Codec::PcmF32le: return "audio/pcm";
  }
  return "application/octet-stream";
}

}  // namespace csm::proto
