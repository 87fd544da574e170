// Starts build/bin/csm-server (demo model, port 0) as a child process for end-to-end tests
// and learns its port from the "csm-server listening on http://HOST:PORT" line. The
// destructor stops it with SIGTERM and waits for it.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "support/paths.h"

namespace csm::test {

class ServerProcess {
 public:
  explicit ServerProcess(const std::string& log_file) {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    const std::string server = (binary_dir() / "bin" / "csm-server").string();
    const std::string config = (source_dir() / "configs" / "demo.json").string();
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      if (std::freopen(log_file.c_str(), "w", stderr) == nullptr) _exit(126);
      close(out[0]);
      close(out[1]);
      setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
      execl(server.c_str(), server.c_str(), "--config", config.c_str(), "--set", "server.port=0",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    port_ = read_port(out[0]);
    close(out[0]);
  }
  ~ServerProcess() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }

 private:
  // Reads stdout until the listening line (at most 60 s: the model loads first).
  int read_port(int fd) {
    const std::string marker = "listening on http://";
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 500) <= 0) continue;
      char buf[256];
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
      const auto at = text.find(marker);
      const auto eol = at == std::string::npos ? at : text.find('\n', at);
      if (eol != std::string::npos) {
        const std::string hostport = text.substr(at + marker.size(), eol - at - marker.size());
        return std::stoi(hostport.substr(hostport.rfind(':') + 1));
      }
    }
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    throw std::runtime_error("csm-server did not print its port; stdout: " + text);
  }

  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace csm::test
