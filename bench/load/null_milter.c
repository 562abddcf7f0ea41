/* null_milter: a libmilter milter that does nothing, the baseline of bench/load/postfix_load.py
 * (issue 7, criterion 3: kenind must keep at least 0.9x its messages/s).
 *
 * It costs the MTA what any libmilter milter costs before doing any work: it negotiates as
 * kenind does (milter/callbacks.cc: protocol 6, the same actions, SMFIP_HDR_LEADSPC, no replies
 * for connect, HELO, MAIL, RCPT, DATA, unknown commands, headers, end-of-header and body, and no
 * RCPT, DATA or unknown commands at all; only what the MTA offers is asked for), so the MTA sends
 * it every header field and the whole body too; every callback answers "no reply" (or
 * "continue" where the MTA did not agree to no replies), and end-of-message accepts.
 *
 *     null_milter -p unix:/path/null.sock | inet:PORT@127.0.0.1 [-m MODE]
 *
 * -m: the mode of a unix socket (octal, default 0666, so the MTA's user may connect).
 * Runs in the foreground until SIGTERM or SIGINT (libmilter's own signal handling).
 */
#include <libmilter/mfapi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned long kActions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE;
static const unsigned long kSteps = SMFIP_HDR_LEADSPC | SMFIP_NR_CONN | SMFIP_NR_HELO |
                                    SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NR_UNKN |
                                    SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_NORCPT |
                                    SMFIP_NODATA | SMFIP_NOUNKNOWN;

/* The steps agreed on for a connection live in its private pointer (no allocation). */
static unsigned long Agreed(SMFICTX *ctx) { return (unsigned long)(uintptr_t)smfi_getpriv(ctx); }

static sfsistat Continue(SMFICTX *ctx, unsigned long no_reply_flag) {
  return (Agreed(ctx) & no_reply_flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat OnNegotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
                            unsigned long f3, unsigned long *pf0, unsigned long *pf1,
                            unsigned long *pf2, unsigned long *pf3) {
  (void)f2;
  (void)f3;
  *pf0 = f0 & kActions;
  *pf1 = f1 & kSteps;
  *pf2 = 0;
  *pf3 = 0;
  smfi_setpriv(ctx, (void *)(uintptr_t)*pf1);
  return SMFIS_CONTINUE;
}

static sfsistat OnConnect(SMFICTX *ctx, char *host, _SOCK_ADDR *address) {
  (void)host;
  (void)address;
  return Continue(ctx, SMFIP_NR_CONN);
}

static sfsistat OnHelo(SMFICTX *ctx, char *name) {
  (void)name;
  return Continue(ctx, SMFIP_NR_HELO);
}

static sfsistat OnMailFrom(SMFICTX *ctx, char **argv) {
  (void)argv;
  return Continue(ctx, SMFIP_NR_MAIL);
}

static sfsistat OnHeader(SMFICTX *ctx, char *name, char *value) {
  (void)name;
  (void)value;
  return Continue(ctx, SMFIP_NR_HDR);
}

static sfsistat OnEndOfHeaders(SMFICTX *ctx) { return Continue(ctx, SMFIP_NR_EOH); }

static sfsistat OnBody(SMFICTX *ctx, unsigned char *data, size_t size) {
  (void)data;
  (void)size;
  return Continue(ctx, SMFIP_NR_BODY);
}

static sfsistat OnEndOfMessage(SMFICTX *ctx) {
  (void)ctx;
  return SMFIS_ACCEPT;
}

static sfsistat OnAbort(SMFICTX *ctx) {
  (void)ctx;
  return SMFIS_CONTINUE;
}

static sfsistat OnClose(SMFICTX *ctx) {
  smfi_setpriv(ctx, NULL);
  return SMFIS_CONTINUE;
}

static int Usage(const char *program) {
  fprintf(stderr, "usage: %s -p unix:/path | inet:PORT@HOST [-m MODE]\n", program);
  return 2;
}

int main(int argc, char **argv) {
  char *socket_spec = NULL;
  mode_t mode = 0666;
  int option;
  while ((option = getopt(argc, argv, "p:m:")) != -1) {
    if (option == 'p') {
      socket_spec = optarg;
    } else if (option == 'm') {
      mode = (mode_t)strtoul(optarg, NULL, 8);
    } else {
      return Usage(argv[0]);
    }
  }
  if (socket_spec == NULL || optind != argc) return Usage(argv[0]);

  static char name[] = "null_milter";
  struct smfiDesc description = {
      .xxfi_name = name,
      .xxfi_version = SMFI_VERSION,
      .xxfi_flags = kActions,
      .xxfi_connect = OnConnect,
      .xxfi_helo = OnHelo,
      .xxfi_envfrom = OnMailFrom,
      .xxfi_header = OnHeader,
      .xxfi_eoh = OnEndOfHeaders,
      .xxfi_body = OnBody,
      .xxfi_eom = OnEndOfMessage,
      .xxfi_abort = OnAbort,
      .xxfi_close = OnClose,
      .xxfi_negotiate = OnNegotiate,
  };
  if (smfi_register(description) != MI_SUCCESS) {
    fprintf(stderr, "null_milter: smfi_register failed\n");
    return 1;
  }
  if (smfi_setconn(socket_spec) != MI_SUCCESS || smfi_opensocket(1) != MI_SUCCESS) {
    fprintf(stderr, "null_milter: cannot listen on %s\n", socket_spec);
    return 1;
  }
  const char *path = NULL;
  if (strncmp(socket_spec, "unix:", 5) == 0) path = socket_spec + 5;
  if (strncmp(socket_spec, "local:", 6) == 0) path = socket_spec + 6;
  if (path != NULL && chmod(path, mode) != 0) {
    perror("null_milter: chmod");
    return 1;
  }
  return smfi_main() == MI_SUCCESS ? 0 : 1;
}
