#include "milter/callbacks.h"

#include <libmilter/mfapi.h>

#include <pthread.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "milter/listener.h"
#include "milter/message.h"
#include "milter/metrics_events.h"
#include "milter/wire_text.h"

// Protocol notes (libmilter, milter protocol v6):
// - Negotiation asks for SMFIP_HDR_LEADSPC, so header values arrive exactly as after the
//   colon (simple canonicalization hashes those bytes), and for the no-reply flags of every
//   step where kenind always continues (SMFIP_NR_*): the MTA then does not wait for a reply.
//   A callback whose no-reply flag was agreed must answer SMFIS_NOREPLY. SMFIP_NR_CONN is
//   asked only when no internal networks are configured: otherwise connect answers ACCEPT
//   for an internal client, which spares the MTA sending the whole message.
// - Internal errors before end-of-message cannot be answered (no reply is expected); they
//   mark the message failed, and end-of-message applies the configured failure action.
// - Draining (after SIGTERM): negotiation of a new connection is refused, so libmilter closes
//   it and the MTA applies its milter_default_action, as if kenind were already gone; the
//   messages in flight are counted so the daemon can wait for them (daemon.cc).
// - Over TCP, the first step read after each reply of kenind's is ACKed at once (AckNow,
//   listener.h): otherwise the MTA's next unanswered step waits up to 40 ms for that ACK.
namespace kenin::milter {
namespace {

Services* services = nullptr;  // set once by RegisterCallbacks, before smfi_main()

// libmilter drops the connection on any packet over 64 KB unless told otherwise, yet Postfix
// hands each header field over in one packet of up to its header_size_limit (100 KB by
// default): such a message would go unverified (milter_default_action). Up to 1 MiB reaches
// kenind, which bounds what it keeps itself ([limits] max_header_bytes); a bigger packet
// still ends the connection. A connection holds one packet at a time.
constexpr size_t kMaxPacketBytes = 1024 * 1024 - 1;  // libmilter's MILTER_MDS_1M

constexpr unsigned long kActions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE;
constexpr unsigned long kSteps = SMFIP_HDR_LEADSPC | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT |
                                 SMFIP_NR_DATA | SMFIP_NR_UNKN | SMFIP_NR_HDR | SMFIP_NR_EOH |
                                 SMFIP_NR_BODY | SMFIP_NORCPT | SMFIP_NODATA | SMFIP_NOUNKNOWN;

// Per connection: smfi_setpriv holds one, from negotiation (or connect) to close.
struct Connection {
  unsigned long steps = 0;  // the SMFIP_* steps agreed on; 0 if the MTA did not negotiate
  std::string client_ip;
  std::string helo;
  bool internal = false;
  std::optional<std::string> error;  // an internal error before any message
  std::string queue_id;              // macro "i" as seen at MAIL FROM
  std::unique_ptr<Message> message;  // the transaction in progress; change it with SetMessage()
  int tcp_socket = -1;               // the connection's socket when it is TCP
  bool replied = false;              // kenind answered the last step (see Arrived)

  ~Connection() {
    if (message) --services->counters.messages_in_flight;
  }
};

// Replaces the transaction in progress, keeping Counters::messages_in_flight right.
void SetMessage(Connection& connection, std::unique_ptr<Message> message) {
  if (connection.message) --services->counters.messages_in_flight;
  if (message) ++services->counters.messages_in_flight;
  connection.message = std::move(message);
}

Connection& Get(SMFICTX* ctx) {
  auto* connection = static_cast<Connection*>(smfi_getpriv(ctx));
  if (!connection) {
    connection = new Connection;
    smfi_setpriv(ctx, connection);
    if (services->metrics) services->metrics->ConnectionOpened();
  }
  return *connection;
}

// The connection's socket. libmilter does not hand it out, but its context (struct smfi_str
// of sendmail's libmilter/libmilter.h, a private header) starts with the thread id and then
// the descriptor, in every libmilter from sendmail 8.12 to 8.17. Only used through
// TcpConnection(), which checks that it is a TCP socket; at worst a wrong guess ACKs some
// socket early.
int ConnectionSocket(SMFICTX* ctx) {
  struct ContextHead {
    pthread_t thread;
    int socket;
  };
  int fd = -1;
  std::memcpy(&fd, reinterpret_cast<const char*>(ctx) + offsetof(ContextHead, socket), sizeof fd);
  return fd;
}

// The connection of a step just read from the MTA. If kenind answered the step before, the
// kernel now holds back its ACK of this one (interactive mode) and the MTA's next write waits
// for it: send it now (listener.h).
Connection& Arrived(SMFICTX* ctx) {
  Connection& connection = Get(ctx);
  if (connection.replied) {
    connection.replied = false;
    if (connection.tcp_socket >= 0) AckNow(connection.tcp_socket);
  }
  return connection;
}

// What a step answers: a reply (`status`, noted for Arrived) unless it is SMFIS_NOREPLY.
sfsistat Answer(Connection& connection, sfsistat status) {
  if (status != SMFIS_NOREPLY) connection.replied = true;
  return status;
}

sfsistat Continue(Connection& connection, unsigned long no_reply_flag) {
  return Answer(connection, (connection.steps & no_reply_flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE);
}

sfsistat ToStatus(Decision decision) {
  switch (decision) {
    case Decision::kContinue:
      return SMFIS_CONTINUE;
    case Decision::kAccept:
      return SMFIS_ACCEPT;
    case Decision::kReject:
      return SMFIS_REJECT;
    case Decision::kTempFail:
      return SMFIS_TEMPFAIL;
  }
  return SMFIS_CONTINUE;
}

class LibmilterMta : public Mta {
 public:
  explicit LibmilterMta(SMFICTX* ctx) : ctx_(ctx) {}
  std::optional<std::string> Macro(const std::string& name) override {
    const char* value = smfi_getsymval(ctx_, const_cast<char*>(name.c_str()));
    if (!value) return std::nullopt;
    return std::string(value);
  }
  bool InsertHeader(int index, const std::string& name, const std::string& value) override {
    return smfi_insheader(ctx_, index, Chars(name), Chars(value)) == MI_SUCCESS;
  }
  bool DeleteHeader(const std::string& name, int index) override {
    return smfi_chgheader(ctx_, Chars(name), index, nullptr) == MI_SUCCESS;
  }
  bool SetReply(const std::string& code, const std::string& enhanced,
                const std::string& text) override {
    return smfi_setreply(ctx_, Chars(code), Chars(enhanced), Chars(text)) == MI_SUCCESS;
  }
  bool Quarantine(const std::string& reason) override {
    return smfi_quarantine(ctx_, Chars(reason)) == MI_SUCCESS;
  }

 private:
  // libmilter's API predates const; it does not write through these pointers.
  static char* Chars(const std::string& text) { return const_cast<char*>(text.c_str()); }
  SMFICTX* ctx_;
};

// Records an internal error: logged once per message (or connection) and counted.
void Record(SMFICTX* ctx, Stage stage, const char* what) noexcept {
  try {
    if (services->metrics) services->metrics->CountError(StageName(stage));
    std::string error = std::string(StageName(stage)) + ": " + what;
    auto* connection = static_cast<Connection*>(smfi_getpriv(ctx));
    bool first = true;
    if (connection && connection->message) {
      first = !connection->message->failed();
      connection->message->MarkFailed(error);
    } else if (connection) {
      first = !connection->error;
      if (first) connection->error = error;
    }
    if (first) services->logger.Log(Severity::kError, "internal error at " + error);
  } catch (...) {
    // Out of memory while reporting: nothing more can be done here.
  }
}

// Runs `body`; on an exception records it and answers `on_error`.
template <typename F>
sfsistat Guarded(SMFICTX* ctx, Stage stage, sfsistat on_error, F&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    Record(ctx, stage, e.what());
  } catch (...) {
    Record(ctx, stage, "unknown exception");
  }
  return on_error;
}

// The answer to a step that had a no-reply flag on offer: what Continue() would say.
sfsistat ErrorAnswer(SMFICTX* ctx, unsigned long no_reply_flag) noexcept {
  auto* connection = static_cast<Connection*>(smfi_getpriv(ctx));
  return connection && (connection->steps & no_reply_flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

sfsistat OnNegotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long, unsigned long,
                     unsigned long* pf0, unsigned long* pf1, unsigned long* pf2,
                     unsigned long* pf3) {
  // On an error the connection is refused: the MTA applies its milter_default_action.
  return Guarded(ctx, Stage::kNegotiate, SMFIS_REJECT, [&] {
    if (services->counters.draining.load()) return SMFIS_REJECT;
    Connection& connection = Get(ctx);
    unsigned long steps = kSteps;
    if (services->runtime.Current()->internal.empty()) steps |= SMFIP_NR_CONN;
    *pf0 = f0 & kActions;
    *pf1 = f1 & steps;  // only what the MTA offers may be asked for
    *pf2 = 0;
    *pf3 = 0;
    connection.steps = *pf1;
    connection.tcp_socket = TcpConnection(ConnectionSocket(ctx));
    return Answer(connection, SMFIS_CONTINUE);
  });
}

sfsistat OnConnect(SMFICTX* ctx, char*, _SOCK_ADDR* address) {
  return Guarded(ctx, Stage::kConnect, ErrorAnswer(ctx, SMFIP_NR_CONN), [&] {
    Connection& connection = Arrived(ctx);
    connection.client_ip = ClientAddress(address);
    connection.internal = !connection.client_ip.empty() &&
                          services->runtime.Current()->internal.Contains(connection.client_ip);
    // Internal client: accept the whole connection unfiltered, when an answer is expected.
    if (connection.internal && !(connection.steps & SMFIP_NR_CONN))
      return Answer(connection, SMFIS_ACCEPT);
    return Continue(connection, SMFIP_NR_CONN);
  });
}

sfsistat OnHelo(SMFICTX* ctx, char* name) {
  return Guarded(ctx, Stage::kHelo, ErrorAnswer(ctx, SMFIP_NR_HELO), [&] {
    Connection& connection = Arrived(ctx);
    connection.helo = name ? name : "";
    return Continue(connection, SMFIP_NR_HELO);
  });
}

void StartMessage(SMFICTX* ctx, Connection& connection, std::string mail_from) {
  std::shared_ptr<const Runtime> runtime = services->runtime.Current();  // new messages: new config
  bool skip = connection.internal ||
              (!connection.client_ip.empty() && runtime->internal.Contains(connection.client_ip));
  policy::Envelope envelope{connection.client_ip, connection.helo, std::move(mail_from)};
  SetMessage(connection,
             std::make_unique<Message>(std::move(runtime), std::move(envelope),
                                       (connection.steps & SMFIP_HDR_LEADSPC) != 0, skip,
                                       services->background));
  if (connection.error) connection.message->MarkFailed(*connection.error);
  connection.queue_id = LibmilterMta(ctx).Macro("i").value_or("");
}

sfsistat OnMailFrom(SMFICTX* ctx, char** argv) {
  return Guarded(ctx, Stage::kMail, ErrorAnswer(ctx, SMFIP_NR_MAIL), [&] {
    Connection& connection = Arrived(ctx);
    StartMessage(ctx, connection, EnvelopeAddress(argv && argv[0] ? argv[0] : ""));
    return Continue(connection, SMFIP_NR_MAIL);
  });
}

Message& CurrentMessage(SMFICTX* ctx, Connection& connection) {
  if (!connection.message) StartMessage(ctx, connection, "");  // the MTA skipped MAIL FROM
  return *connection.message;
}

sfsistat OnHeader(SMFICTX* ctx, char* name, char* value) {
  return Guarded(ctx, Stage::kHeader, ErrorAnswer(ctx, SMFIP_NR_HDR), [&] {
    Connection& connection = Arrived(ctx);
    CurrentMessage(ctx, connection).OnHeader(name ? name : "", value ? value : "");
    return Continue(connection, SMFIP_NR_HDR);
  });
}

sfsistat OnEndOfHeaders(SMFICTX* ctx) {
  return Guarded(ctx, Stage::kEndOfHeaders, ErrorAnswer(ctx, SMFIP_NR_EOH), [&] {
    Connection& connection = Arrived(ctx);
    CurrentMessage(ctx, connection).OnEndOfHeaders();
    return Continue(connection, SMFIP_NR_EOH);
  });
}

sfsistat OnBody(SMFICTX* ctx, unsigned char* data, size_t size) {
  return Guarded(ctx, Stage::kBody, ErrorAnswer(ctx, SMFIP_NR_BODY), [&] {
    Connection& connection = Arrived(ctx);
    CurrentMessage(ctx, connection)
        .OnBodyChunk(std::string_view(reinterpret_cast<const char*>(data), size));
    return Continue(connection, SMFIP_NR_BODY);
  });
}

long long MillisecondsSince(std::chrono::steady_clock::time_point start) {
  auto elapsed = std::chrono::steady_clock::now() - start;
  return std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
}

// Finish(), or the failure action when it throws (and plain accept/tempfail if even that does).
Outcome FinishMessage(SMFICTX* ctx, Message& message, Mta& mta) {
  try {
    return message.Finish(mta);
  } catch (const std::exception& e) {
    Record(ctx, Stage::kEndOfMessage, e.what());
    try {
      return message.FinishAfterError(mta, e.what());
    } catch (...) {
    }
  } catch (...) {
    Record(ctx, Stage::kEndOfMessage, "unknown exception");
  }
  bool tempfail = message.runtime().config->failure_action == FailureAction::kTempFail;
  return Outcome{tempfail ? Decision::kTempFail : Decision::kAccept,
                 tempfail ? "tempfail" : "accept", std::nullopt, "end-of-message failed"};
}

sfsistat OnEndOfMessage(SMFICTX* ctx) {
  return Guarded(ctx, Stage::kEndOfMessage, SMFIS_ACCEPT, [&] {
    Connection& connection = Arrived(ctx);
    Message& message = CurrentMessage(ctx, connection);
    LibmilterMta mta(ctx);
    auto eom_start = std::chrono::steady_clock::now();
    Outcome outcome = FinishMessage(ctx, message, mta);
    const auto eom_time = std::chrono::steady_clock::now() - eom_start;
    MessageLog log{mta.Macro("i").value_or(connection.queue_id), connection.client_ip, &outcome,
                   MillisecondsSince(eom_start), MillisecondsSince(message.started())};
    if (log.queue_id.empty()) log.queue_id = "-";
    services->logger.Log(Severity::kInfo, FormatMessageLine(log));
    if (services->metrics) CountOutcome(*services->metrics, outcome, eom_time);
    SetMessage(connection, nullptr);  // the next transaction on this connection starts afresh
    return Answer(connection, ToStatus(outcome.decision));
  });
}

sfsistat OnAbort(SMFICTX* ctx) {
  return Guarded(ctx, Stage::kAbort, SMFIS_CONTINUE, [&] {
    SetMessage(Get(ctx), nullptr);
    return SMFIS_CONTINUE;
  });
}

sfsistat OnClose(SMFICTX* ctx) {
  return Guarded(ctx, Stage::kClose, SMFIS_CONTINUE, [&] {
    auto* connection = static_cast<Connection*>(smfi_getpriv(ctx));
    if (connection) {
      smfi_setpriv(ctx, nullptr);
      delete connection;
      if (services->metrics) services->metrics->ConnectionClosed();
    }
    return SMFIS_CONTINUE;
  });
}

}  // namespace

std::string_view StageName(Stage stage) {
  static constexpr std::array<std::string_view, kStageCount> kNames = {
      "negotiate", "connect", "helo", "mail", "header", "eoh", "body", "eom", "abort", "close"};
  return kNames[static_cast<size_t>(stage)];
}

bool RegisterCallbacks(Services& shared) {
  services = &shared;
  static char name[] = "kenind";
  smfiDesc description{};
  description.xxfi_name = name;
  description.xxfi_version = SMFI_VERSION;
  description.xxfi_flags = kActions;
  description.xxfi_connect = OnConnect;
  description.xxfi_helo = OnHelo;
  description.xxfi_envfrom = OnMailFrom;
  description.xxfi_header = OnHeader;
  description.xxfi_eoh = OnEndOfHeaders;
  description.xxfi_body = OnBody;
  description.xxfi_eom = OnEndOfMessage;
  description.xxfi_abort = OnAbort;
  description.xxfi_close = OnClose;
  description.xxfi_negotiate = OnNegotiate;
  smfi_setmaxdatasize(kMaxPacketBytes);
  return smfi_register(description) == MI_SUCCESS;
}

}  // namespace kenin::milter
