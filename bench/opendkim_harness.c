/*
 * opendkim_harness: libopendkim (Debian's libopendkim-dev) verifying the messages of a
 * make_corpus directory in process, the counterpart of kenin in bench/compare_opendkim.sh.
 *
 *   opendkim_harness --keys KEYFILE [--mode core|whole] [--lookup memory|file]
 *                    [--min-seconds S] FILE...
 *
 * Every message goes through one DKIM handle as opendkim's milter feeds it: dkim_verify(),
 * dkim_header() per field (the field as "Name:value", folding kept, no final CRLF),
 * dkim_eoh(), dkim_body() in 64 KiB chunks, dkim_eom(); then each signature counts as pass
 * when DKIM_SIG_CHECK holds (signature verified and body hash matched). libopendkim checks
 * every signature unless DKIM_LIBFLAGS_VERIFYONE is set; it is not.
 *
 * Keys: KEYFILE is in the DKIM_QUERY_FILE format ("selector._domainkey.domain record" per
 * line). `--lookup memory` (default) reads it once and answers the library's key lookups
 * from memory through dkim_set_key_lookup(), as a warm DNS cache would; `--lookup file`
 * lets the library use DKIM_QUERY_FILE itself, which reopens and scans the file for every
 * signature. Either way the library parses and decodes the key per signature: that is how
 * libopendkim works, and part of what is measured.
 *
 * --mode core (default): every file is read and split into fields and body first; only the
 * verify loop is timed, whole passes over the corpus until --min-seconds (default 2) have
 * passed. Prints one line: messages, signatures, passes, wall and CPU time, messages/s and
 * CPU µs per message.
 * --mode whole: each file is read when its turn comes and verified, one line per message on
 * stdout ("FILE sigs=N pass=M"), a summary on stderr; time it from outside (/usr/bin/time).
 * Exit status: 0 when every file was read, 1 on an I/O error, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <dkim.h>

#define CHUNK_BYTES (64 * 1024) /* a milter body callback carries at most this */

struct field {
  const unsigned char* start;
  size_t len;
};

struct message {
  const char* path;
  unsigned char* text; /* the whole file, owned */
  size_t text_len;
  struct field* fields;
  size_t nfields;
  const unsigned char* body;
  size_t body_len;
};

struct key_entry {
  char* name;   /* selector._domainkey.domain */
  char* record; /* the TXT record text */
};

static struct key_entry* keys;
static size_t nkeys;

struct tally {
  size_t messages;
  size_t signatures;
  size_t passed;
};

static void die(const char* what) {
  fprintf(stderr, "opendkim_harness: %s\n", what);
  exit(1);
}

static void usage(const char* problem) {
  fprintf(stderr,
          "opendkim_harness: %s\nusage: opendkim_harness --keys KEYFILE [--mode core|whole] "
          "[--lookup memory|file] [--min-seconds S] FILE...\n",
          problem);
  exit(2);
}

static void* xrealloc(void* p, size_t n) {
  void* q = realloc(p, n);
  if (q == NULL && n != 0) die("out of memory");
  return q;
}

/* Reads the whole file into *text (grown as needed; reused across calls). false on error. */
static bool read_file(const char* path, unsigned char** text, size_t* cap, size_t* len) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return false;
  *len = 0;
  for (;;) {
    if (*cap - *len < CHUNK_BYTES) {
      *cap = *cap * 2 + CHUNK_BYTES;
      *text = xrealloc(*text, *cap);
    }
    size_t n = fread(*text + *len, 1, *cap - *len, f);
    *len += n;
    if (n == 0) break;
  }
  bool ok = !ferror(f);
  fclose(f);
  return ok;
}

/* Splits text into header fields (a line and the lines starting with SP/TAB after it) and the
 * body after the first empty line. Fields are pointers into the text, final CRLF excluded. */
static void split_message(struct message* m) {
  size_t cap = 0;
  const unsigned char* p = m->text;
  const unsigned char* end = m->text + m->text_len;
  m->nfields = 0;
  m->body = end;
  m->body_len = 0;
  while (p < end) {
    const unsigned char* lf = memchr(p, '\n', (size_t)(end - p));
    const unsigned char* next = lf ? lf + 1 : end;
    size_t line_len = (size_t)((lf ? lf : end) - p);
    if (line_len > 0 && p[line_len - 1] == '\r') line_len--;
    if (line_len == 0) {
      m->body = next;
      m->body_len = (size_t)(end - next);
      return;
    }
    if ((*p == ' ' || *p == '\t') && m->nfields > 0) {
      struct field* last = &m->fields[m->nfields - 1];
      last->len = (size_t)(p + line_len - last->start);
    } else {
      if (m->nfields == cap) {
        cap = cap * 2 + 32;
        m->fields = xrealloc(m->fields, cap * sizeof *m->fields);
      }
      m->fields[m->nfields].start = p;
      m->fields[m->nfields].len = line_len;
      m->nfields++;
    }
    p = next;
  }
}

static DKIM_CBSTAT lookup_memory(DKIM* dkim, DKIM_SIGINFO* sig, unsigned char* buf, size_t buflen) {
  (void)dkim;
  char name[512];
  snprintf(name, sizeof name, "%s._domainkey.%s", (const char*)dkim_sig_getselector(sig),
           (const char*)dkim_sig_getdomain(sig));
  for (size_t i = 0; i < nkeys; i++) {
    if (strcasecmp(keys[i].name, name) != 0) continue;
    size_t len = strlen(keys[i].record);
    if (len >= buflen) return DKIM_CBSTAT_ERROR;
    memcpy(buf, keys[i].record, len + 1);
    return DKIM_CBSTAT_CONTINUE;
  }
  return DKIM_CBSTAT_NOTFOUND;
}

/* The DKIM_QUERY_FILE format: a name, white space, the record to the end of the line. */
static void load_keys(const char* path) {
  FILE* f = fopen(path, "r");
  if (f == NULL) die("cannot open the key file");
  char* line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    char* space = strpbrk(line, " \t");
    if (space == NULL) continue;
    *space = '\0';
    char* record = space + 1;
    while (*record == ' ' || *record == '\t') record++;
    keys = xrealloc(keys, (nkeys + 1) * sizeof *keys);
    keys[nkeys].name = strdup(line);
    keys[nkeys].record = strdup(record);
    if (keys[nkeys].name == NULL || keys[nkeys].record == NULL) die("out of memory");
    nkeys++;
  }
  free(line);
  fclose(f);
  if (nkeys == 0) die("no keys in the key file");
}

/* One message through one handle; adds its signatures and passes to *t. */
static void verify_message(DKIM_LIB* lib, const struct message* m, struct tally* t) {
  DKIM_STAT status;
  DKIM* dkim = dkim_verify(lib, (const unsigned char*)"harness", NULL, &status);
  if (dkim == NULL) die("dkim_verify failed");
  for (size_t i = 0; i < m->nfields; i++) {
    dkim_header(dkim, (unsigned char*)m->fields[i].start, m->fields[i].len);
  }
  dkim_eoh(dkim);
  for (size_t off = 0; off < m->body_len; off += CHUNK_BYTES) {
    size_t n = m->body_len - off < CHUNK_BYTES ? m->body_len - off : CHUNK_BYTES;
    dkim_body(dkim, (unsigned char*)m->body + off, n);
  }
  _Bool testkey = false;
  dkim_eom(dkim, &testkey);
  DKIM_SIGINFO** sigs = NULL;
  int nsigs = 0;
  if (dkim_getsiglist(dkim, &sigs, &nsigs) == DKIM_STAT_OK) {
    for (int i = 0; i < nsigs; i++) {
      t->signatures++;
      if (DKIM_SIG_CHECK(sigs[i])) t->passed++;
    }
  }
  t->messages++;
  dkim_free(dkim);
}

static double seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run_core(DKIM_LIB* lib, char** paths, size_t npaths, double min_seconds) {
  struct message* msgs = calloc(npaths, sizeof *msgs);
  if (msgs == NULL) die("out of memory");
  for (size_t i = 0; i < npaths; i++) {
    size_t cap = 0;
    msgs[i].path = paths[i];
    if (!read_file(paths[i], &msgs[i].text, &cap, &msgs[i].text_len)) {
      fprintf(stderr, "opendkim_harness: cannot read %s\n", paths[i]);
      return 1;
    }
    split_message(&msgs[i]);
  }
  struct tally check = {0, 0, 0};
  for (size_t i = 0; i < npaths; i++) verify_message(lib, &msgs[i], &check); /* warm-up */

  size_t rounds = 0;
  struct tally t = {0, 0, 0};
  const double wall0 = seconds(CLOCK_MONOTONIC);
  const double cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
  double wall = 0;
  do {
    for (size_t i = 0; i < npaths; i++) verify_message(lib, &msgs[i], &t);
    rounds++;
    wall = seconds(CLOCK_MONOTONIC) - wall0;
  } while (wall < min_seconds);
  const double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;

  printf("opendkim core: messages=%zu signatures=%zu pass=%zu passes=%zu wall_s=%.3f cpu_s=%.3f "
         "msgs_per_s=%.0f cpu_us_per_msg=%.1f\n",
         check.messages, check.signatures, check.passed, rounds, wall, cpu,
         (double)t.messages / cpu, cpu * 1e6 / (double)t.messages);
  return 0;
}

static int run_whole(DKIM_LIB* lib, char** paths, size_t npaths) {
  struct message m = {0};
  size_t cap = 0;
  struct tally t = {0, 0, 0};
  int status = 0;
  for (size_t i = 0; i < npaths; i++) {
    m.path = paths[i];
    if (!read_file(paths[i], &m.text, &cap, &m.text_len)) {
      fprintf(stderr, "opendkim_harness: cannot read %s\n", paths[i]);
      status = 1;
      continue;
    }
    split_message(&m);
    struct tally one = {0, 0, 0};
    verify_message(lib, &m, &one);
    printf("%s sigs=%zu pass=%zu\n", paths[i], one.signatures, one.passed);
    t.messages++;
    t.signatures += one.signatures;
    t.passed += one.passed;
  }
  fprintf(stderr, "opendkim whole: messages=%zu signatures=%zu pass=%zu\n", t.messages,
          t.signatures, t.passed);
  return status;
}

int main(int argc, char** argv) {
  const char* key_path = NULL;
  const char* mode = "core";
  const char* lookup = "memory";
  double min_seconds = 2.0;
  int first_file = argc;
  for (int i = 1; i < argc; i++) {
    if (strncmp(argv[i], "--", 2) != 0) {
      first_file = i;
      break;
    }
    if (i + 1 >= argc) usage("missing value after a flag");
    if (strcmp(argv[i], "--keys") == 0) {
      key_path = argv[++i];
    } else if (strcmp(argv[i], "--mode") == 0) {
      mode = argv[++i];
    } else if (strcmp(argv[i], "--lookup") == 0) {
      lookup = argv[++i];
    } else if (strcmp(argv[i], "--min-seconds") == 0) {
      min_seconds = atof(argv[++i]);
    } else {
      usage("unknown flag");
    }
  }
  if (key_path == NULL) usage("--keys KEYFILE is required");
  if (first_file >= argc) usage("no message files");
  if (strcmp(mode, "core") != 0 && strcmp(mode, "whole") != 0) usage("--mode is core or whole");

  DKIM_LIB* lib = dkim_init(NULL, NULL);
  if (lib == NULL) die("dkim_init failed");
  if (strcmp(lookup, "memory") == 0) {
    load_keys(key_path);
    dkim_set_key_lookup(lib, lookup_memory);
  } else if (strcmp(lookup, "file") == 0) {
    dkim_query_t method = DKIM_QUERY_FILE;
    if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYMETHOD, &method, sizeof method) !=
            DKIM_STAT_OK ||
        dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_QUERYINFO, (void*)key_path,
                     strlen(key_path)) != DKIM_STAT_OK) {
      die("cannot set DKIM_QUERY_FILE");
    }
  } else {
    usage("--lookup is memory or file");
  }

  char** paths = argv + first_file;
  size_t npaths = (size_t)(argc - first_file);
  int status = strcmp(mode, "core") == 0 ? run_core(lib, paths, npaths, min_seconds)
                                         : run_whole(lib, paths, npaths);
  dkim_close(lib);
  return status;
}
