#pragma once
// KafkaMock: a librdkafka mock cluster in a child process (the `kafka_mock` tool,
// tests/support/kafka_mock_main.cc, path in SLUICE_KAFKA_MOCK), reached over TCP on 127.0.0.1 as a
// real broker would be. `command()` sends one of the tool's commands (a broker down or up, request
// errors, a topic) and returns once the tool applied it. The child ends with the object: its
// standard input closes and it exits; it is killed if it has not within 5 s.
//
// Thread: one test thread.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sluice::testing {

class KafkaMock {
 public:
  // `topics`: "name:partitions" each, created before the address is printed.
  explicit KafkaMock(int brokers = 1, const std::vector<std::string>& topics = {}) {
    int to_child[2], from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0)
      throw std::runtime_error("kafka_mock: pipe failed");
    std::vector<std::string> args = {SLUICE_KAFKA_MOCK, "--brokers", std::to_string(brokers)};
    for (const std::string& t : topics) {
      args.push_back("--topic");
      args.push_back(t);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(to_child[0], STDIN_FILENO);
      ::dup2(from_child[1], STDOUT_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(121);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    in_ = ::fdopen(to_child[1], "w");
    out_ = ::fdopen(from_child[0], "r");
    bootstrap_ = read_line();
    if (bootstrap_.empty()) throw std::runtime_error("kafka_mock printed no bootstrap address");
  }
  ~KafkaMock() {
    if (in_ != nullptr) std::fclose(in_);  // the tool's cue to exit
    if (out_ != nullptr) std::fclose(out_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  KafkaMock(const KafkaMock&) = delete;
  KafkaMock& operator=(const KafkaMock&) = delete;

  // "127.0.0.1:PORT[,127.0.0.1:PORT...]"
  const std::string& bootstrap() const { return bootstrap_; }

  // Sends one command line; throws unless the tool answers "ok".
  void command(const std::string& line) {
    std::fprintf(in_, "%s\n", line.c_str());
    std::fflush(in_);
    const std::string answer = read_line();
    if (answer != "ok") throw std::runtime_error("kafka_mock '" + line + "': " + answer);
  }
  void create_topic(const std::string& name, int partitions) {
    command("topic " + name + " " + std::to_string(partitions));
  }

 private:
  std::string read_line() {
    char line[1024];
    if (std::fgets(line, sizeof line, out_) == nullptr) return "";
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }

  pid_t pid_ = -1;
  FILE* in_ = nullptr;
  FILE* out_ = nullptr;
  std::string bootstrap_;
};

}  // namespace sluice::testing
