#include "proto/server_events.h"

#include "support/catch.h"

#include "proto/audio_frame.h"
#include "proto/protocol_error.h"

using namespace csm::proto;

TEST_CASE("server events round trip through JSON", "[proto]") {
  SessionState s;
  s.id = "sess_1";
  s.voice = "alloy";
  s.seed = 9;
  s.output_format.codec = Codec::PcmF32le;
  auto created = std::get<SessionCreated>(parse_server_event(to_json(SessionCreated{s, "1.0", "0.1.0"})));
  CHECK(created.session.id == "sess_1");
  CHECK(created.session.seed == 9u);
  CHECK(created.session.output_format.codec == Codec::PcmF32le);

  CHECK(created.session.normalize);
  CHECK_FALSE(created.session.include_normalized_text);
  s.normalize = false;
  s.include_normalized_text = true;
  auto updated = std::get<SessionUpdated>(parse_server_event(to_json(SessionUpdated{s})));
  CHECK_FALSE(updated.session.normalize);
  CHECK(updated.session.include_normalized_text);

  auto opus = std::get<ResponseCreated>(
      parse_server_event(to_json(ResponseCreated{7, 312, "three dollars"})));
  CHECK(opus.response_id == 7u);
  CHECK(opus.opus_pre_skip == 312);
  CHECK(opus.normalized_text == "three dollars");
  auto plain = std::get<ResponseCreated>(
      parse_server_event(to_json(ResponseCreated{8, std::nullopt, std::nullopt})));
  CHECK_FALSE(plain.opus_pre_skip.has_value());
  CHECK_FALSE(plain.normalized_text.has_value());

  ResponseDone done;
  done.response_id = 4;
  done.reason = EndReason::Error;
  done.frames = 12;
  done.audio_ms = 960;
  done.ttfa_ms = 123.456;
  done.error = ErrorCode::SlowConsumer;
  done.normalized_text = "Doctor Smith.";
  auto d = std::get<ResponseDone>(parse_server_event(to_json(done)));
  CHECK(d.normalized_text == "Doctor Smith.");
  CHECK(d.response_id == 4);
  CHECK(d.reason == EndReason::Error);
  CHECK(d.frames == 12);
  CHECK(d.ttfa_ms == Approx(123.46));
  CHECK(d.error == ErrorCode::SlowConsumer);

  ErrorEvent e{ErrorCode::TextTooLong, "", "too long", "ev1", 3};
  auto e2 = std::get<ErrorEvent>(parse_server_event(to_json(e)));
  CHECK(e2.code == ErrorCode::TextTooLong);
  CHECK(e2.code_name == "text_too_long");
  CHECK(e2.event_id == "ev1");
  CHECK(e2.response_id == 3u);

  CHECK_THROWS_AS(parse_server_event(R"({"type":"mystery"})"), ProtocolError);
  CHECK_THROWS_AS(parse_server_event("nope"), ProtocolError);
}

TEST_CASE("binary audio frames encode and decode", "[proto]") {
  AudioFrame f;
  f.codec = Codec::Opus;
  f.response_id = 0x01020304;
  f.frame_index = 77;
  f.opus_packets = {"abc", std::string(300, 'x'), ""};
  std::string bytes = encode_audio_frame(f);
  CHECK(bytes.size() == kAudioFrameHeaderBytes + 3 * 2 + 303);
  CHECK(static_cast<unsigned char>(bytes[4]) == 0x04);  // little-endian response id
  AudioFrame g = decode_audio_frame(bytes);
  CHECK(g.response_id == f.response_id);
  CHECK(g.frame_index == 77);
  CHECK(g.opus_packets == f.opus_packets);

  AudioFrame pcm;
  pcm.codec = Codec::PcmS16le;
  pcm.pcm = std::string(3840, '\1');
  CHECK(decode_audio_frame(encode_audio_frame(pcm)).pcm.size() == 3840);
  // Byte-stream codecs carry their bytes, possibly none, the same way.
  for (const Codec codec : {Codec::Mp3, Codec::Flac, Codec::Aac}) {
    AudioFrame stream;
    stream.codec = codec;
    for (const std::string payload : {"", "\xFF\xF1 bytes"}) {
      stream.pcm = payload;
      const AudioFrame back = decode_audio_frame(encode_audio_frame(stream));
      CHECK(back.codec == codec);
      CHECK(back.pcm == payload);
    }
  }
  for (const unsigned char unknown : {0, 6, 10, 255}) {  // 6: wav never goes on the stream
    std::string bad_codec = encode_audio_frame(pcm);
    bad_codec[1] = static_cast<char>(unknown);
    CHECK_THROWS_AS(decode_audio_frame(bad_codec), ProtocolError);
  }

  CHECK_THROWS_AS(decode_audio_frame("short"), ProtocolError);
  CHECK_THROWS_AS(decode_audio_frame(bytes.substr(0, bytes.size() - 1)), ProtocolError);
  std::string wrong_version = bytes;
  wrong_version[0] = 9;
  CHECK_THROWS_AS(decode_audio_frame(wrong_version), ProtocolError);
}
