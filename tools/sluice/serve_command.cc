#include "serve_command.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "error_marker.h"
#include "flag_values.h"
#include "server/access_token.h"
#include "server/server.h"
#include "sluice/database.h"
#include "sql/options.h"

namespace sluice::cli {
namespace {

constexpr const char* kServeUsage = R"(usage: sluice serve [FILE.sql] [options]

  --listen HOST:PORT      address to serve on (default 127.0.0.1:8080; port 0: any free one)
  --data-dir DIR          keep the pipeline durable in DIR (as `sluice run`); the bearer token
                          is generated into DIR/server.token at first start (mode 0600)
  --token-file FILE       read the bearer token from FILE instead
  --checkpoint-interval DURATION
                          with --data-dir: how often to checkpoint (default 1s)
  --state-memory-max SIZE the memory budget of operator state and views (e.g. 512MiB); past
                          it the pipeline fails with SLC-6001 (docs/checkpoints.md)
  --max-body BYTES        largest request body accepted (default 1048576)
  --tls-cert FILE         serve HTTPS and WSS with this certificate chain (PEM) ...
  --tls-key FILE          ... and its private key (PEM); both or neither

The API and its endpoints: docs/server.md.
)";

struct ServeOptions {
  std::string file;
  std::string data_dir;
  std::string token_file;
  std::chrono::milliseconds checkpoint_interval{1000};
  int64_t state_memory_max = 0;
  server::ServerOptions server;
};

// 0 when the options are read; else the exit code (2: a usage error).
int parse(int argc, char** argv, ServeOptions& options) {
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool takes_value = arg == "--listen" || arg == "--data-dir" || arg == "--token-file" ||
                             arg == "--checkpoint-interval" || arg == "--max-body" ||
                             arg == "--tls-cert" || arg == "--tls-key" ||
                             arg == "--state-memory-max";
    if (takes_value && i + 1 >= argc) {
      std::fprintf(stderr, "sluice serve: %s needs a value\n", arg.c_str());
      return 2;
    }
    if (arg == "--listen") {
      if (Status s = server::parse_listen_address(argv[++i], options.server); !s.ok()) {
        std::fprintf(stderr, "sluice serve: %s\n", s.to_string().c_str());
        return 2;
      }
    } else if (arg == "--data-dir") {
      options.data_dir = argv[++i];
    } else if (arg == "--token-file") {
      options.token_file = argv[++i];
    } else if (arg == "--checkpoint-interval") {
      auto every = interval_flag("sluice serve", arg, argv[++i]);
      if (!every) return 2;
      options.checkpoint_interval = *every;
    } else if (arg == "--state-memory-max") {
      auto bytes = byte_size_flag("sluice serve", arg, argv[++i]);
      if (!bytes) return 2;
      options.state_memory_max = *bytes;
    } else if (arg == "--max-body") {
      const long long bytes = std::atoll(argv[++i]);
      if (bytes < 1) {
        std::fprintf(stderr, "sluice serve: --max-body must be a positive number of bytes\n");
        return 2;
      }
      options.server.max_body_bytes = static_cast<size_t>(bytes);
    } else if (arg == "--tls-cert") {
      options.server.tls_certificate_file = argv[++i];
    } else if (arg == "--tls-key") {
      options.server.tls_private_key_file = argv[++i];
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kServeUsage, stdout);
      return -1;
    } else if (arg.starts_with("--") || !options.file.empty()) {
      std::fprintf(stderr, "sluice serve: unknown argument %s\n\n%s", arg.c_str(), kServeUsage);
      return 2;
    } else {
      options.file = arg;
    }
  }
  if (options.server.tls_certificate_file.empty() != options.server.tls_private_key_file.empty()) {
    std::fprintf(stderr, "sluice serve: --tls-cert and --tls-key go together\n");
    return 2;
  }
  return 0;
}

}  // namespace

int serve_main(int argc, char** argv) {
  ServeOptions options;
  if (int code = parse(argc, argv, options); code != 0) return code < 0 ? 0 : code;
  auto token = server::load_or_create_token(options.data_dir, options.token_file);
  if (!token.ok()) {
    std::fprintf(stderr, "sluice serve: %s\n", token.status().to_string().c_str());
    return 1;
  }
  std::string sql;
  if (!options.file.empty()) {
    std::ifstream in(options.file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "sluice serve: cannot read %s\n", options.file.c_str());
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    sql = text.str();
  }

  // SIGINT and SIGTERM are blocked in every thread (the ones started below inherit the mask)
  // and taken by sigwait() on this one: the stop runs as ordinary code, not in a handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // The WebSocket channels of `websocket` sinks: given to the database before it opens, so
  // that the sinks a recovered data dir re-creates find it too.
  auto hub = std::make_shared<server::WebSocketHub>();
  DatabaseOptions db_options;
  db_options.services[std::string(connectors::websocket::kBroadcasterService)] = hub;
  db_options.data_dir = options.data_dir;
  db_options.checkpoint_interval = options.checkpoint_interval;
  db_options.state_memory_max = options.state_memory_max;
  auto opened = Database::open(db_options);
  if (!opened.ok()) {
    std::fprintf(stderr, "sluice serve: %s\n", opened.status().to_string().c_str());
    return 1;
  }
  std::unique_ptr<Database> db = std::move(opened).value();
  if (!sql.empty()) {
    // declare(): on a data dir that already holds this pipeline, serving resumes it.
    auto created = db->declare(sql);
    if (!created.ok()) {
      report_file_error(options.file, sql, created.status(), *db);
      return 1;
    }
  }
  if (Status s = db->start(); !s.ok()) {
    std::fprintf(stderr, "sluice serve: %s\n", s.to_string().c_str());
    return 1;
  }
  server::Api api(*db, std::move(token).value(), hub);
  auto started = server::Server::start(api, options.server);
  if (!started.ok()) {
    std::fprintf(stderr, "sluice serve: %s\n", started.status().to_string().c_str());
    db->shutdown().ignore();
    return 1;
  }
  std::unique_ptr<server::Server> http = std::move(started).value();
  api.set_ready(true);
  // The address actually bound (port 0 picks one), never the token: it is only in its file.
  const bool tls = !options.server.tls_certificate_file.empty();
  std::fprintf(stderr, "sluice serve: listening on %s://%s:%u (token in %s)\n",
               tls ? "https" : "http", options.server.host.c_str(),
               static_cast<unsigned>(http->port()),
               options.token_file.empty()
                   ? (options.data_dir + "/" + std::string(server::kTokenFileName)).c_str()
                   : options.token_file.c_str());
  std::fflush(stderr);

  // A failing pipeline stops the server as a signal would, and makes the exit code 1.
  std::atomic<bool> failed{false};
  std::thread failure_watch([&] {
    if (!db->wait_for_failure().ok()) {
      failed.store(true);
      ::kill(::getpid(), SIGTERM);
    }
  });
  int signal = 0;
  sigwait(&stop_signals, &signal);
  // A second signal stops the process at once, whatever the drain waits on (as `sluice run`).
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  if (!failed.load()) std::fprintf(stderr, "sluice serve: stopping (signal %d)\n", signal);

  api.set_ready(false);
  http->stop();                  // no new requests; the ones running finish
  Status done = db->shutdown();  // drains: every accepted row delivered, a last checkpoint
  failure_watch.join();          // shutdown() ended its wait
  if (!done.ok()) {
    std::fprintf(stderr, "sluice serve: %s\n", done.to_string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace sluice::cli
