// kafka_mock: a librdkafka mock cluster (rdkafka_mock.h) as a process of its own, so sluice and
// the tests talk to it over TCP on 127.0.0.1 exactly as to a real broker.
//
//   kafka_mock [--brokers N] [--topic NAME:PARTITIONS]...
//
// Prints one line, the bootstrap address ("127.0.0.1:PORT,127.0.0.1:PORT"), then reads commands
// from standard input, one per line, and answers each with one line, "ok" or "error: <why>":
//
//   topic NAME PARTITIONS        create a topic (replication factor: min(3, brokers))
//   down BROKER | up BROKER      take a broker's listener down (connections refused) or back up
//   rtt BROKER MILLISECONDS      delay every response of a broker
//   error API_KEY ERROR COUNT    the next COUNT requests of an API (e.g. 0 = Produce) fail with
//                                that error code (e.g. 6 = NOT_LEADER_OR_FOLLOWER)
//   topic_error NAME ERROR       every request about the topic fails (0: clears it)
//
// It runs until standard input closes or it gets SIGTERM/SIGINT. Limits of the 2.0.2 mock are in
// tests/integration/README.md.
#include <librdkafka/rdkafka.h>
// Must come after rdkafka.h.
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Options {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
};

bool parse_topic(const std::string& spec, std::pair<std::string, int>& out) {
  const size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  out.first = spec.substr(0, colon);
  out.second = std::atoi(spec.c_str() + colon + 1);
  return out.second > 0;
}

// One command line → the answer line.
std::string run_command(rd_kafka_mock_cluster_t* cluster, int brokers, const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (verb == "topic") {
    std::string name;
    int partitions = 0;
    if (!(in >> name >> partitions) || partitions <= 0)
      return "error: usage: topic NAME PARTITIONS";
    err = rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, brokers < 3 ? brokers : 3);
  } else if (verb == "down" || verb == "up") {
    int broker = 0;
    if (!(in >> broker)) return "error: usage: " + verb + " BROKER";
    err = verb == "down" ? rd_kafka_mock_broker_set_down(cluster, broker)
                         : rd_kafka_mock_broker_set_up(cluster, broker);
  } else if (verb == "rtt") {
    int broker = 0, ms = 0;
    if (!(in >> broker >> ms)) return "error: usage: rtt BROKER MILLISECONDS";
    err = rd_kafka_mock_broker_set_rtt(cluster, broker, ms);
  } else if (verb == "error") {
    int api = 0, code = 0, count = 0;
    if (!(in >> api >> code >> count) || count <= 0)
      return "error: usage: error API_KEY ERROR COUNT";
    std::vector<rd_kafka_resp_err_t> errors(static_cast<size_t>(count),
                                            static_cast<rd_kafka_resp_err_t>(code));
    rd_kafka_mock_push_request_errors_array(cluster, static_cast<int16_t>(api), errors.size(),
                                            errors.data());
  } else if (verb == "topic_error") {
    std::string name;
    int code = 0;
    if (!(in >> name >> code)) return "error: usage: topic_error NAME ERROR";
    rd_kafka_mock_topic_set_error(cluster, name.c_str(), static_cast<rd_kafka_resp_err_t>(code));
  } else {
    return "error: unknown command '" + verb + "'";
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return std::string("error: ") + rd_kafka_err2str(err);
  return "ok";
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--brokers" && i + 1 < argc) {
      options.brokers = std::atoi(argv[++i]);
    } else if (arg == "--topic" && i + 1 < argc) {
      std::pair<std::string, int> topic;
      if (!parse_topic(argv[++i], topic)) {
        std::fprintf(stderr, "kafka_mock: --topic wants NAME:PARTITIONS, got '%s'\n", argv[i]);
        return 2;
      }
      options.topics.push_back(topic);
    } else {
      std::fprintf(stderr, "usage: kafka_mock [--brokers N] [--topic NAME:PARTITIONS]...\n");
      return 2;
    }
  }
  if (options.brokers < 1) {
    std::fprintf(stderr, "kafka_mock: --brokers must be at least 1\n");
    return 2;
  }

  // The signals arrive through a descriptor polled beside standard input.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const int signal_fd = signalfd(-1, &signals, SFD_CLOEXEC);

  // The mock cluster lives on a handle of its own; that handle sends nothing.
  char why[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", why, sizeof why);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
  if (handle == nullptr) {
    std::fprintf(stderr, "kafka_mock: %s\n", why);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, options.brokers);
  if (cluster == nullptr) {
    std::fprintf(stderr, "kafka_mock: cannot create the mock cluster\n");
    return 1;
  }
  for (const auto& [name, partitions] : options.topics) {
    const std::string answer =
        run_command(cluster, options.brokers, "topic " + name + " " + std::to_string(partitions));
    if (answer != "ok") {
      std::fprintf(stderr, "kafka_mock: topic %s: %s\n", name.c_str(), answer.c_str());
      return 1;
    }
  }
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);

  std::string pending;
  bool running = true;
  while (running) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signal_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[1].revents & POLLIN) break;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buffer[4096];
      const ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
      if (n <= 0) break;  // standard input closed: the test is done
      pending.append(buffer, static_cast<size_t>(n));
      for (size_t end; (end = pending.find('\n')) != std::string::npos;) {
        const std::string line = pending.substr(0, end);
        pending.erase(0, end + 1);
        if (line == "quit") {
          running = false;
          break;
        }
        if (line.empty()) continue;
        std::printf("%s\n", run_command(cluster, options.brokers, line).c_str());
        std::fflush(stdout);
      }
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return 0;
}
