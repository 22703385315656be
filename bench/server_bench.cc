// `sluice serve`'s WebSocket fan-out against a minimal Boost.Beast broadcast server:
//
//   deliveries/s   a `websocket` sink (format 'row': one message per row, so both servers send
//                  exactly the same messages) on `sluice serve`'s transport, rows pushed into
//                  its source, to 1, 100 and 1,000 clients; beside a minimal Beast server
//                  written here that sends the same pre-encoded buffers (one io thread, a queue
//                  of shared buffers per client, one post per message: the least a broadcast
//                  server does). Ratio sluice ÷ baseline (the bar: ≥ 0.9).
//   CPU/delivery   the server process's CPU time (every thread: source, compute, sink encode,
//                  io) per delivered message, 1,000 clients ÷ 1 client: encoding once per message
//                  means the cost that grows with clients is only the send.
//
// The clients run in a child process (forked before any thread), so the server's CPU time is
// its own: each reads its socket with epoll and counts bytes, without parsing frames (the
// server's frames are unmasked, so a client's bytes are known in advance). Everything on
// 127.0.0.1. Each configuration runs kRepeats times alternating sluice and baseline; the best
// rate of each is kept (the machine is shared and noisy), all in one run.
//
//   build/release/bench/server_bench [deliveries per run, default 400000]

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "columnar/row_encoder.h"
#include "connectors/websocket/websocket_sink.h"
#include "server/server.h"
#include "server/websocket_hub.h"
#include "sluice/batch_builder.h"
#include "sluice/database.h"

namespace sluice {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr int kRepeats = 3;
constexpr int64_t kBatchRows = 1000;
constexpr const char* kPath = "/ws/bench";
constexpr const char* kToken = "bench-token";

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "server_bench: %s\n", what.c_str());
  std::exit(1);
}

// ---- the clients (child process) ----------------------------------------------------------

struct ClientCommand {
  int32_t clients = 0;  // 0: exit
  uint16_t port = 0;
  int64_t expected_bytes = 0;  // per client
  char path[64] = {};
};

void write_all(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n <= 0) die("pipe write failed");
    p += n;
    size -= static_cast<size_t>(n);
  }
}

bool read_all(int fd, void* data, size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = ::read(fd, p, size);
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Opens `clients` WebSocket connections (a raw upgrade each), answers 'C', then reads every
// socket until each has `expected_bytes` of frames and answers 'D' ('T': 30 s without data).
void run_clients(int commands, int replies) {
  std::vector<char> buffer(1 << 20);
  for (;;) {
    ClientCommand c;
    if (!read_all(commands, &c, sizeof c) || c.clients == 0) return;
    const std::string request = std::string("GET ") + c.path + "?token=" + kToken +
                                " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Key: "
                                "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(c.port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::vector<int> fds;
    std::vector<int64_t> received(static_cast<size_t>(c.clients), 0);
    for (int i = 0; i < c.clients; ++i) {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        die("client connect failed");
      write_all(fd, request.data(), request.size());
      fds.push_back(fd);
    }
    const int epoll = ::epoll_create1(0);
    for (int i = 0; i < c.clients; ++i) {
      std::string head;
      while (head.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(fds[i], buffer.data(), 1);  // the head only, byte by byte
        if (n <= 0) die("upgrade answer cut");
        head += buffer[0];
      }
      if (!head.starts_with("HTTP/1.1 101")) die("upgrade refused: " + head.substr(0, 40));
      ::fcntl(fds[i], F_SETFL, ::fcntl(fds[i], F_GETFL) | O_NONBLOCK);
      epoll_event e{};
      e.events = EPOLLIN;
      e.data.u32 = static_cast<uint32_t>(i);
      ::epoll_ctl(epoll, EPOLL_CTL_ADD, fds[i], &e);
    }
    write_all(replies, "C", 1);
    int done = 0;
    char result = 'D';
    std::vector<epoll_event> events(256);
    while (done < c.clients) {
      const int ready = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 30000);
      if (ready <= 0) {
        result = 'T';
        break;
      }
      for (int k = 0; k < ready; ++k) {
        const uint32_t i = events[k].data.u32;
        for (;;) {
          const ssize_t n = ::read(fds[i], buffer.data(), buffer.size());
          if (n <= 0) break;
          const bool was_short = received[i] < c.expected_bytes;
          received[i] += n;
          if (was_short && received[i] >= c.expected_bytes) ++done;
        }
      }
    }
    for (int fd : fds) ::close(fd);
    ::close(epoll);
    write_all(replies, &result, 1);
  }
}

// ---- the messages ---------------------------------------------------------------------------

SchemaPtr bench_schema() {
  return make_schema(
      {{"id", DataType::kInt64}, {"symbol", DataType::kVarchar}, {"price", DataType::kDouble}});
}

std::vector<RecordBatch> make_batches(int64_t rows) {
  static const char* kSymbols[] = {"AAPL", "MSFT", "GOOG", "AMZN", "NVDA", "META", "TSLA", "IBM"};
  std::vector<RecordBatch> batches;
  for (int64_t start = 0; start < rows; start += kBatchRows) {
    BatchBuilder b(bench_schema());
    for (int64_t i = start; i < std::min(rows, start + kBatchRows); ++i) {
      b.column(0).append_int64(i);
      b.column(1).append_string(kSymbols[i % 8]);
      b.column(2).append_double(100.0 + static_cast<double>(i % 1000) * 0.25);
    }
    batches.push_back(b.finish());
  }
  return batches;
}

// What the sink sends for these rows (format 'row', seq from 1): the same function it uses.
std::vector<std::shared_ptr<const std::string>> encode_rows(
    const std::vector<RecordBatch>& batches) {
  const JsonLinesEncoder encoder(*bench_schema());
  std::vector<std::shared_ptr<const std::string>> messages;
  std::string scratch;
  int64_t seq = 0;
  for (const RecordBatch& batch : batches) {
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      messages.push_back(
          connectors::websocket::encode_message(encoder, batch, r, r + 1, ++seq, true, scratch));
    }
  }
  return messages;
}

// A server-to-client text frame's size: 2, 4 or 10 header bytes, no mask.
int64_t frame_bytes(size_t payload) {
  return static_cast<int64_t>(payload) + (payload < 126 ? 2 : payload < 65536 ? 4 : 10);
}

// ---- the baseline: a minimal Beast broadcast server -------------------------------------------

class BaselineServer {
 public:
  BaselineServer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~BaselineServer() {
    asio::post(io_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      for (auto& c : clients_) beast::get_lowest_layer(c->ws).socket().close(ignored);
      clients_.clear();
    });
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int connected() const { return connected_.load(); }
  // One post per message; the fan-out runs on the io thread.
  void broadcast(std::shared_ptr<const std::string> message) {
    asio::post(io_, [this, message = std::move(message)] {
      for (auto& c : clients_) c->deliver(message);
    });
  }

 private:
  struct Client : std::enable_shared_from_this<Client> {
    explicit Client(tcp::socket s) : ws(std::move(s)) {}
    void deliver(const std::shared_ptr<const std::string>& m) {
      queue.push_back(m);
      if (!writing) next();
    }
    void next() {
      if (queue.empty()) {
        writing = false;
        return;
      }
      writing = true;
      auto m = std::move(queue.front());
      queue.pop_front();
      ws.async_write(asio::buffer(*m),
                     [self = shared_from_this(), m](beast::error_code ec, size_t) {
                       if (!ec) self->next();
                     });
    }
    websocket::stream<beast::tcp_stream> ws;
    std::deque<std::shared_ptr<const std::string>> queue;
    bool writing = false;
  };

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto client = std::make_shared<Client>(std::move(socket));
      client->ws.text(true);
      client->ws.async_accept([this, client](beast::error_code e) {
        if (e) return;
        clients_.push_back(client);
        connected_.fetch_add(1);
      });
      accept();
    });
  }

  asio::io_context io_{1};
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Client>> clients_;  // io thread only
  std::atomic<int> connected_{0};
  std::thread thread_;
};

// ---- one run --------------------------------------------------------------------------------

struct Clients {
  int commands = -1, replies = -1;
  pid_t pid = -1;

  void connect(int n, uint16_t port, int64_t expected_bytes) {
    ClientCommand c;
    c.clients = n;
    c.port = port;
    c.expected_bytes = expected_bytes;
    std::snprintf(c.path, sizeof c.path, "%s", kPath);
    write_all(commands, &c, sizeof c);
    char r = 0;
    if (!read_all(replies, &r, 1) || r != 'C') die("clients did not connect");
  }
  void wait_done() {
    char r = 0;
    if (!read_all(replies, &r, 1) || r != 'D') die("clients did not get every message");
  }
};

struct Run {
  double deliveries_per_second = 0;
  double cpu_per_delivery_us = 0;
};

template <typename Ready>
void wait_until(Ready ready) {
  const auto end = Clock::now() + std::chrono::seconds(30);
  while (!ready()) {
    if (Clock::now() > end) die("timed out waiting for the server's clients or counters");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

Run run_baseline(Clients& clients, int n,
                 const std::vector<std::shared_ptr<const std::string>>& messages,
                 int64_t expected_bytes) {
  BaselineServer server;
  clients.connect(n, server.port(), expected_bytes);
  wait_until([&] { return server.connected() == n; });
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  for (const auto& m : messages) server.broadcast(m);
  clients.wait_done();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  const double deliveries = static_cast<double>(n) * static_cast<double>(messages.size());
  return {deliveries / seconds, cpu / deliveries * 1e6};
}

Run run_sluice(Clients& clients, int n, const std::vector<RecordBatch>& batches, int64_t messages,
               int64_t payload_bytes, int64_t expected_bytes) {
  auto hub = std::make_shared<server::WebSocketHub>();
  DatabaseOptions options;
  options.services[std::string(connectors::websocket::kBroadcasterService)] = hub;
  auto db = Database::open(options).value();
  const std::string sql =
      "CREATE SOURCE t (id BIGINT, symbol VARCHAR, price DOUBLE); "
      "CREATE SINK live FROM t INTO websocket (path = '" +
      std::string(kPath) + "', format = 'row', client.queue.bytes = '1000000000000')";
  if (auto r = db->execute(sql); !r.ok()) die(r.status().to_string());
  if (Status s = db->start(); !s.ok()) die(s.to_string());
  server::Api api(*db, kToken, hub);
  server::ServerOptions server_options;
  server_options.port = 0;
  auto http = server::Server::start(api, server_options);
  if (!http.ok()) die(http.status().to_string());
  clients.connect(n, (*http)->port(), expected_bytes);
  auto channel = hub->find(kPath);
  wait_until([&] { return channel->counters().clients.load() == n; });
  SourceHandle source = db->source("t").value();
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  for (const RecordBatch& batch : batches) {
    if (Status s = source.push(batch); !s.ok()) die(s.to_string());
  }
  clients.wait_done();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  // The same messages as the baseline's: as many, as many bytes, none dropped.
  // (a write's completion, which counts it, may run just after the client has its bytes)
  const auto& k = channel->counters();
  wait_until([&] { return k.messages_sent.load() >= n * messages; });
  if (k.published.load() != messages || k.messages_sent.load() != n * messages ||
      k.bytes_sent.load() != n * payload_bytes || k.dropped_messages.load() != 0) {
    die("sluice sent other messages than the baseline: published " +
        std::to_string(k.published.load()) + ", sent " + std::to_string(k.messages_sent.load()) +
        ", bytes " + std::to_string(k.bytes_sent.load()) + " (expected " +
        std::to_string(n * payload_bytes) + ")");
  }
  (*http)->stop();
  if (Status s = db->shutdown(); !s.ok()) die(s.to_string());
  const double deliveries = static_cast<double>(n) * static_cast<double>(messages);
  return {deliveries / seconds, cpu / deliveries * 1e6};
}

int bench_main(int64_t deliveries) {
  int commands[2], replies[2];
  if (::pipe(commands) != 0 || ::pipe(replies) != 0) die("pipe failed");
  // The clients' process, forked before any thread exists in this one.
  const pid_t pid = ::fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    ::close(commands[1]);
    ::close(replies[0]);
    run_clients(commands[0], replies[1]);
    ::_exit(0);
  }
  ::close(commands[0]);
  ::close(replies[1]);
  Clients clients{commands[1], replies[0], pid};

  std::printf("WebSocket fan-out, format 'row', %lld deliveries per run, best of %d\n",
              static_cast<long long>(deliveries), kRepeats);
  std::printf("%-8s %10s %16s %16s %8s %14s %14s %12s\n", "clients", "messages", "sluice del/s",
              "baseline del/s", "ratio", "sluice CPU µs", "base CPU µs", "excess µs");
  std::vector<Run> sluice_runs, base_runs;
  for (int n : {1, 100, 1000}) {
    const int64_t rows = std::max<int64_t>(1, deliveries / n);
    const auto batches = make_batches(rows);
    const auto messages = encode_rows(batches);
    int64_t payload = 0, expected = 0;
    for (const auto& m : messages) {
      payload += static_cast<int64_t>(m->size());
      expected += frame_bytes(m->size());
    }
    Run best_sluice, best_base;
    for (int r = 0; r < kRepeats; ++r) {
      const Run base = run_baseline(clients, n, messages, expected);
      const Run ours = run_sluice(clients, n, batches, rows, payload, expected);
      if (base.deliveries_per_second > best_base.deliveries_per_second) best_base = base;
      if (ours.deliveries_per_second > best_sluice.deliveries_per_second) best_sluice = ours;
    }
    sluice_runs.push_back(best_sluice);
    base_runs.push_back(best_base);
    // CPU columns: µs of the server process per delivered message (of the best-rate run);
    // excess: sluice's over the baseline's, i.e. what the pipeline and the encoding add.
    std::printf("%-8d %10lld %16.0f %16.0f %8.2f %14.3f %14.3f %12.3f\n", n,
                static_cast<long long>(rows), best_sluice.deliveries_per_second,
                best_base.deliveries_per_second,
                best_sluice.deliveries_per_second / best_base.deliveries_per_second,
                best_sluice.cpu_per_delivery_us, best_base.cpu_per_delivery_us,
                best_sluice.cpu_per_delivery_us - best_base.cpu_per_delivery_us);
    std::fflush(stdout);
  }
  for (size_t i = 0; i < sluice_runs.size(); ++i) {
    const char* name[] = {"deliveries/s 1 client", "deliveries/s 100 clients",
                          "deliveries/s 1000 clients"};
    std::printf("ratio %-36s %6.2f  (sluice ÷ minimal Beast server; bar 0.9)\n", name[i],
                sluice_runs[i].deliveries_per_second / base_runs[i].deliveries_per_second);
  }
  // Wall-clock rates on a loaded machine also reflect how many runnable threads each server
  // has (sluice: source, compute, sink, io; the baseline: producer, io); deliveries per CPU
  // second do not.
  for (size_t i = 0; i < sluice_runs.size(); ++i) {
    const char* name[] = {"deliveries/CPU-s 1 client", "deliveries/CPU-s 100 clients",
                          "deliveries/CPU-s 1000 clients"};
    std::printf("ratio %-36s %6.2f  (sluice ÷ minimal Beast server)\n", name[i],
                base_runs[i].cpu_per_delivery_us / sluice_runs[i].cpu_per_delivery_us);
  }
  std::printf("ratio %-36s %6.2f  (sluice; the baseline's own: %.2f)\n",
              "CPU per delivery 1000 ÷ 1 client",
              sluice_runs[2].cpu_per_delivery_us / sluice_runs[0].cpu_per_delivery_us,
              base_runs[2].cpu_per_delivery_us / base_runs[0].cpu_per_delivery_us);
  ClientCommand stop;
  write_all(commands[1], &stop, sizeof stop);
  ::waitpid(pid, nullptr, 0);
  return 0;
}

}  // namespace
}  // namespace sluice

int main(int argc, char** argv) {
  const long long deliveries = argc > 1 ? std::atoll(argv[1]) : 400000;
  if (deliveries < 1000) {
    std::fprintf(stderr, "usage: server_bench [deliveries per run, at least 1000]\n");
    return 2;
  }
  return sluice::bench_main(deliveries);
}
