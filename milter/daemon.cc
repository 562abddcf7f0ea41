#include "milter/daemon.h"

#include <libmilter/mfapi.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <thread>

#include "metrics/metrics.h"
#include "milter/callbacks.h"
#include "milter/listener.h"
#include "milter/metrics_events.h"
#include "milter/process.h"
#include "milter/runtime.h"

// SIGNALS. libmilter's smfi_main() starts a thread that sigwait()s for SIGHUP, SIGTERM and
// SIGINT and stops the milter on any of them, but kenind reloads on SIGHUP (SPEC §5). So
// main() blocks the three before any thread exists (every thread inherits the mask), runs
// smfi_main() on a thread of its own and waits for the three itself in sigtimedwait().
// Linux hands a process-directed signal to the thread-group leader first when it can take
// it (kernel/signal.c complete_signal()), and main() waiting for them can: the signals reach
// this loop, not libmilter's. The loop only passes them on (reloads run on their own
// thread), so it is back in sigtimedwait() within microseconds.
// DRAINING. Debian's libmilter hands sessions to a worker pool (_FFR_WORKERS_POOL) whose
// controller stops serving every open session as soon as smfi_stop() is called. So on
// SIGTERM or SIGINT kenind first drains: new connections are refused at negotiation (the MTA
// applies milter_default_action, as when no milter listens), and the messages in flight get
// up to drain_seconds to reach end-of-message; then smfi_stop().
// STOPPING QUICKLY. libmilter's accept loop holds its listener mutex while it waits up to
// 5 s in select(), and smfi_stop() needs that mutex to close the socket. So smfi_stop() runs
// on a helper thread (it marks the milter stopping before it blocks), and SIGUSR1, with an
// empty handler, interrupts that select() on the smfi_main() thread until smfi_main()
// returns: a stop takes milliseconds, not 5 s.
namespace kenin::milter {
namespace {

// The SPF background pool (docs/milter.md "DNS overlap"): threads that mostly wait on DNS.
constexpr size_t kBackgroundThreads = 32;
constexpr size_t kBackgroundQueue = 1024;

void Wake(int) {}  // SIGUSR1: only interrupts a system call (see STOPPING QUICKLY)

sigset_t ControlSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// Reloads the configuration on its own thread when asked (SIGHUP), so the signal loop
// never waits for a zone file to parse. New messages get the new Runtime; messages in
// flight keep the one they started with.
class Reloader {
 public:
  Reloader(const CommandLine& flags, RuntimeHolder& holder, Logger& logger,
           metrics::DaemonMetrics* metrics)
      : flags_(flags),
        holder_(holder),
        logger_(logger),
        metrics_(metrics),
        thread_([this] { Loop(); }) {}
  ~Reloader() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  void Request() {
    {
      std::lock_guard lock(mutex_);
      pending_ = true;
    }
    wake_.notify_one();
  }

 private:
  void Loop() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return pending_ || stop_; });
      if (stop_) return;
      pending_ = false;
      lock.unlock();
      Reload();
      lock.lock();
    }
  }

  void Reload() {
    ConfigResult<Config> config = LoadEffectiveConfig(flags_);
    if (!config) return Failed(config.error().message);
    std::shared_ptr<const Runtime> current = holder_.Current();
    const Config& old = *current->config;
    if (config->socket != old.socket || config->socket_mode != old.socket_mode ||
        config->user != old.user || config->pid_file != old.pid_file ||
        config->metrics != old.metrics) {
      logger_.Log(Severity::kWarning,
                  "socket, socket_mode, user, pid_file and metrics change only on a restart");
    }
    auto runtime = BuildRuntime(std::make_shared<const Config>(std::move(*config)), current.get());
    if (!runtime) return Failed(runtime.error());
    logger_.SetTarget((*runtime)->config->log);
    holder_.Replace(*runtime);
    logger_.Log(Severity::kInfo,
                "configuration reloaded; authserv-id " + (*runtime)->authserv_id());
  }

  void Failed(const std::string& why) {
    logger_.Log(Severity::kError, "reload failed, keeping the running configuration: " + why);
    if (metrics_) metrics_->CountError(kReloadStage);
  }

  const CommandLine& flags_;
  RuntimeHolder& holder_;
  Logger& logger_;
  metrics::DaemonMetrics* metrics_;  // null: metrics = "off"
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;  // guarded by mutex_
  bool stop_ = false;     // guarded by mutex_
  std::thread thread_;    // last: started once the rest is ready
};

// smfi_stop() on a helper thread while the smfi_main() thread is woken until it returns.
void Stop(std::thread& milter, const std::atomic<bool>& milter_done) {
  std::thread stopper([] { smfi_stop(); });
  while (!milter_done.load()) {
    pthread_kill(milter.native_handle(), SIGUSR1);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stopper.join();
}

// Serves until a stop signal (true) or until smfi_main() returns by itself (false).
bool SignalLoop(Reloader& reloader, const std::atomic<bool>& milter_done, Logger& logger) {
  const sigset_t signals = ControlSignals();
  const timespec tick{0, 200'000'000};
  while (!milter_done.load()) {
    int signal = sigtimedwait(&signals, nullptr, &tick);
    if (signal == SIGHUP) {
      reloader.Request();
    } else if (signal == SIGTERM || signal == SIGINT) {
      logger.Log(Severity::kInfo, "stopping: no new connections; waiting for messages in flight");
      return true;
    }
  }
  return false;
}

// Waits for the messages in flight, at most `drain_seconds`; a second SIGTERM or SIGINT, or
// smfi_main() returning by itself, ends the wait at once.
void Drain(Counters& counters, int drain_seconds, const std::atomic<bool>& milter_done,
           Logger& logger) {
  counters.draining.store(true);
  const sigset_t signals = ControlSignals();
  const timespec tick{0, 20'000'000};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(drain_seconds);
  while (counters.messages_in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline &&
         !milter_done.load()) {
    int signal = sigtimedwait(&signals, nullptr, &tick);
    if (signal == SIGTERM || signal == SIGINT) {
      logger.Log(Severity::kWarning, "second stop signal: not waiting for messages in flight");
      break;
    }
  }
  if (int64_t open = counters.messages_in_flight.load(); open > 0) {
    logger.Log(Severity::kWarning, std::to_string(open) + " message(s) still in flight at stop");
  }
}

// Everything up to serving that can fail: sockets, pid file, privileges, DNS. The metrics
// port is opened before privileges are dropped, like the milter socket.
ProcessError Prepare(const Config& config, Services& services, metrics::Metrics* metrics) {
  if (!RegisterCallbacks(services)) return "libmilter refused the callbacks";
  std::string socket = config.socket;
  if (smfi_setconn(socket.data()) != MI_SUCCESS) return "socket: libmilter refused " + socket;
  if (smfi_opensocket(true) != MI_SUCCESS) return "socket: cannot listen on " + socket;
  if (std::optional<std::string> problem = DisableNagleOnListener(socket)) {
    services.logger.Log(Severity::kWarning, "socket: " + *problem + "; replies may stall on delayed ACKs");
  }
  if (metrics) {
    if (std::optional<std::string> error = metrics->Serve(config.metrics))
      return "metrics: " + *error;
  }
  if (ProcessError error = SetSocketPermissions(config.socket, config.socket_mode, config.user))
    return error;
  if (!config.pid_file.empty()) {
    if (ProcessError error = WritePidFile(config.pid_file, config.user)) return error;
  }
  return DropPrivileges(config.user);
}

int Serve(const CommandLine& flags, RuntimeHolder& holder, Services& services) {
  std::atomic<bool> milter_done{false};
  int milter_status = MI_SUCCESS;
  std::thread milter([&] {
    milter_status = smfi_main();
    milter_done.store(true);
  });
  bool stop_requested;
  {
    Reloader reloader(flags, holder, services.logger, services.metrics);
    stop_requested = SignalLoop(reloader, milter_done, services.logger);
  }
  if (stop_requested) {
    Drain(services.counters, holder.Current()->config->drain_seconds, milter_done, services.logger);
    Stop(milter, milter_done);
  }
  milter.join();
  return milter_status == MI_SUCCESS ? kExitOk : kExitFailure;
}

}  // namespace

int RunDaemon(const CommandLine& flags, const Config& config) {
  Logger logger(config.log);
  if (!flags.foreground) {
    if (ProcessError error = Daemonize(config.log == LogTarget::kStderr)) {
      logger.Log(Severity::kError, *error);
      return kExitFailure;
    }
  }
  const sigset_t signals = ControlSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread: all inherit it
  signal(SIGPIPE, SIG_IGN);                       // a closed MTA socket is an error, not death
  struct sigaction wake {};
  wake.sa_handler = Wake;  // no SA_RESTART: the interrupted select() returns EINTR
  sigaction(SIGUSR1, &wake, nullptr);
  RuntimeHolder holder;
  Counters counters;
  Services services{holder, logger, counters};
  // One registry for the life of the process (reloads keep it); the DNS families are read
  // from whichever DNS stack the current configuration has.
  std::unique_ptr<metrics::Metrics> metrics;
  if (config.metrics != "off") {
    metrics = std::make_unique<metrics::Metrics>(ErrorStages(), [&holder] {
      std::shared_ptr<const Runtime> runtime = holder.Current();
      return runtime ? runtime->dns->stats() : dns::CacheStats{};
    });
    services.metrics = &metrics->daemon();
  }
  ProcessError error = Prepare(config, services, metrics.get());
  if (!error) {
    auto runtime = BuildRuntime(std::make_shared<const Config>(config), nullptr);
    if (runtime)
      holder.Replace(*runtime);
    else
      error = runtime.error();
  }
  ReportStarted(error.value_or(""));
  if (error) {
    logger.Log(Severity::kError, *error);
    RemovePidFile(config.pid_file);
    return kExitFailure;
  }
  std::string metrics_note = metrics ? "; metrics on " + config.metrics : "";
  logger.Log(Severity::kInfo, "listening on " + config.socket + metrics_note + "; authserv-id " +
                                  holder.Current()->authserv_id());
  // SPF evaluations wait on DNS most of the time: enough threads that a slow resolver does
  // not queue them behind one another; a full queue only moves the work to end-of-message.
  dns::WorkerPool background(kBackgroundThreads, kBackgroundQueue);
  services.background = &background;
  int status = Serve(flags, holder, services);
  RemovePidFile(config.pid_file);
  logger.Log(Severity::kInfo, "stopped");
  return status;
}

}  // namespace kenin::milter
