#pragma once
// SluiceProcess: runs the built `sluice` command (SLUICE_CLI) as a child process with a
// deadline, for the fault-injection tests; signals can be sent to it meanwhile. Its stdout and
// stderr go to one file; the result says how it ended: an exit code, killed by a signal
// (SLUICE_FAULT points kill with SIGKILL), or still running at the deadline (then it is killed, and
// the test fails on `timed_out`: a hang is a failure, never a wait without end).
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sluice::testing {

struct ProcessResult {
  int exit_code = -1;  // the exit status, when it exited
  int signal = 0;      // the signal that ended it, when one did
  bool timed_out = false;
  std::string output;  // stdout and stderr, interleaved
  bool exited(int code) const { return !timed_out && signal == 0 && exit_code == code; }
};

// One `sluice args...` child with `env` ("NAME=value") added to its environment; `log` is
// where its output is collected. wait() returns how it ended, killing it at the deadline.
class SluiceProcess {
 public:
  SluiceProcess(const std::vector<std::string>& args, std::filesystem::path log,
                const std::vector<std::string>& env = {})
      : log_(std::move(log)) {
    std::vector<std::string> argv_storage = {SLUICE_CLI};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage = env;
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (fd < 0) ::_exit(120);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      for (std::string& e : env_storage) ::putenv(e.data());
      ::execv(argv[0], argv.data());
      ::_exit(121);
    }
  }
  ~SluiceProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  SluiceProcess(const SluiceProcess&) = delete;
  SluiceProcess& operator=(const SluiceProcess&) = delete;

  void signal(int sig) { ::kill(pid_, sig); }
  std::string output() const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  ProcessResult wait(std::chrono::milliseconds timeout) {
    ProcessResult result;
    if (pid_ < 0) return result;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) break;
      if (std::chrono::steady_clock::now() > deadline) {
        result.timed_out = true;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    reaped_ = true;
    if (!result.timed_out) {
      if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    }
    result.output = output();
    return result;
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// Runs `sluice args...` to its end, or kills it at the deadline (`timed_out`).
inline ProcessResult run_sluice(const std::vector<std::string>& args,
                                const std::filesystem::path& log,
                                const std::vector<std::string>& env = {},
                                std::chrono::seconds timeout = std::chrono::seconds(60)) {
  SluiceProcess process(args, log, env);
  return process.wait(timeout);
}

}  // namespace sluice::testing
