// Over REST the first audio is the first 80 ms of PCM body, counted when it arrives, not when
// more of the body has come: a scripted HTTP server sends one frame, waits, sends the next.
#include "support/catch.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "bench/client/runner.h"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto kPause = std::chrono::milliseconds(600);

// Answers one request with two 80 ms PCM frames, `kPause` apart, in chunked transfer.
void serve_two_frames(tcp::acceptor& acceptor) {
  tcp::socket socket = acceptor.accept();
  asio::streambuf request;
  asio::read_until(socket, request, "\r\n\r\n");  // the JSON body is not needed
  const std::string frame(3840, '\0');
  const std::string chunk = "f00\r\n" + frame + "\r\n";  // 0xf00 = 3840
  asio::write(socket, asio::buffer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                                   "Connection: close\r\n\r\n" + chunk));
  std::this_thread::sleep_for(kPause);
  asio::write(socket, asio::buffer(chunk + "0\r\n\r\n"));
}

}  // namespace

TEST_CASE("rest: the first frame counts when it arrives", "[bench]") {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::thread server([&] { serve_two_frames(acceptor); });
  csm::bench::Options options;
  options.endpoint.port = std::to_string(acceptor.local_endpoint().port());
  options.mode = "rest";
  options.turns = 1;
  options.metrics = false;
  options.progress = false;
  const auto result = csm::bench::run_scenario(options);
  server.join();
  REQUIRE(result.turns.size() == 1);
  const auto& turn = result.turns[0];
  CHECK(turn.completed);
  CHECK(turn.frames == 2);
  CHECK(turn.ttfa_ms < 300);  // not held back until the second frame, 600 ms later
  CHECK(turn.generation_ms >= 500);
}
