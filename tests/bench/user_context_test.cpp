#include "support/catch.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "bench/client/user_context.h"
#include "bench/support/tone_wav.h"
#include "support/paths.h"

using namespace csm::bench;

TEST_CASE("no context flags, no context", "[bench]") {
  CHECK_FALSE(load_user_context(Options{}));
}

TEST_CASE("a text-only context is one context.add without audio", "[bench]") {
  Options options;
  options.context_text = "What's the weather?";
  options.context_speaker = 3;
  const auto context = load_user_context(options);
  REQUIRE(context);
  CHECK(context_before_turn(*context, 0));
  CHECK_FALSE(context_before_turn(*context, 1));
  const auto message = nlohmann::json::parse(context_add_message(*context, "c1"));
  CHECK(message["type"] == "context.add");
  CHECK(message["event_id"] == "c1");
  CHECK(message["item"]["text"] == "What's the weather?");
  CHECK(message["item"]["speaker"] == 3);
  CHECK_FALSE(message["item"].contains("audio_follows"));
}

TEST_CASE("context audio is read once and its container named from its bytes", "[bench]") {
  csm::test::ScratchDir dir;
  std::ofstream(dir.file("user.wav"), std::ios::binary) << csm::test::tone_wav(300);
  std::ofstream(dir.file("user.ogg"), std::ios::binary) << "OggS and the rest";
  std::ofstream(dir.file("user.mp3"), std::ios::binary) << "ID3 not ours";
  Options options;
  options.context_audio_file = dir.file("user.wav");
  options.context_each_turn = true;
  auto context = load_user_context(options);
  REQUIRE(context);
  CHECK(context->audio == csm::test::tone_wav(300));
  CHECK(context->audio_format == "wav");
  CHECK(context_before_turn(*context, 5));
  const auto message = nlohmann::json::parse(context_add_message(*context, ""));
  CHECK(message["item"]["audio_follows"] == true);
  CHECK(message["item"]["audio_format"] == "wav");
  CHECK_FALSE(message["item"].contains("audio"));  // it goes as the next binary message

  options.context_audio_file = dir.file("user.ogg");
  CHECK(load_user_context(options)->audio_format == "ogg_opus");
  options.context_audio_file = dir.file("user.mp3");
  CHECK_THROWS_WITH(load_user_context(options), Catch::Contains("user.mp3"));
  options.context_audio_file = dir.file("missing.wav");
  CHECK_THROWS_WITH(load_user_context(options), Catch::Contains("missing.wav"));
}
