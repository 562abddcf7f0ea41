#!/usr/bin/env bash
# The verification floor predicted from `openssl speed`: for each (key, body size) of the
# verify_bench corpus and for the traffic mix, the time no DKIM verifier on this machine can
# beat with this libcrypto, one verify plus SHA-256 over every octet once:
#
#   floor_us = 1e6 / verifies_per_s + (body_bytes + header_bytes) / sha256_bytes_per_s * 1e6
#
# It is the same arithmetic BM_Floor/* measures in-process; the two should agree within noise.
# Usage: bash bench/floor.sh            (about 25 s: 5 public-key tests + 6 SHA-256 blocks)
# Knobs: SPEED_SECONDS (2), HEADER_BYTES (1024; verify_bench's header_B counter shows the
# corpus's real figure, ~1.1-1.4 KB), BLOCK (16384: the SHA-256 block column used), OPENSSL.
set -euo pipefail

speed_seconds="${SPEED_SECONDS:-2}"
header_bytes="${HEADER_BYTES:-1024}"
block="${BLOCK:-16384}"
openssl="${OPENSSL:-openssl}"

# -mr: machine-readable lines, stable across 3.x, unlike the human table.
#   +F2:<n>:<bits>:<sign/s>:<verify/s>          RSA
#   +F6:<n>:<bits>:<name>:<sign/s>:<verify/s>   EdDSA
#   +H:<block sizes...>  then  +F:<n>:<name>:<bytes/s per block size...>
# -evp for SHA-256: the EVP path the verifier uses (SHA-NI where the CPU has it).
echo "# $("${openssl}" version)"
echo "# openssl speed -mr -seconds ${speed_seconds} rsa1024 rsa2048 ed25519; ... -evp sha256"
raw="$("${openssl}" speed -mr -seconds "${speed_seconds}" rsa1024 rsa2048 ed25519 2>/dev/null
       "${openssl}" speed -mr -seconds "${speed_seconds}" -evp sha256 2>/dev/null)"

awk -F: -v block="${block}" -v hdr="${header_bytes}" '
  $1 == "+F2" { verify["rsa" $3] = $5 }
  $1 == "+F6" && $4 == "Ed25519" { verify["ed25519"] = $6 }
  $1 == "+H" { for (i = 2; i <= NF; i++) if ($i == block) col = i + 1 }
  $1 == "+F" && tolower($3) == "sha256" { sha = $col }
  END {
    if (!("rsa2048" in verify) || !("rsa1024" in verify) || !("ed25519" in verify) || sha == "") {
      print "floor.sh: could not parse openssl speed output" > "/dev/stderr"; exit 1
    }
    printf "# verifies/s: rsa2048 %.0f  rsa1024 %.0f  ed25519 %.0f\n",
           verify["rsa2048"], verify["rsa1024"], verify["ed25519"]
    printf "# sha256: %.1f MB/s (%d-byte blocks); header bytes per message: %d\n\n",
           sha / 1e6, block, hdr
    # Names, sizes and the mix as in bench/verify_bench.cc.
    n = split("rsa2048 rsa1024 ed25519", alg, " "); split("80 12 8", alg_pct, " ")
    split("2KB 20KB 200KB", size_name, " "); split("2048 20480 204800", size, " ")
    split("60 30 10", size_pct, " ")
    printf "%-10s %-6s %12s %12s\n", "alg", "body", "floor_us", "msgs_per_s"
    mix_us = 0
    for (a = 1; a <= n; a++) {
      for (s = 1; s <= 3; s++) {
        us = 1e6 / verify[alg[a]] + (size[s] + hdr) / sha * 1e6
        printf "%-10s %-6s %12.2f %12.0f\n", alg[a], size_name[s], us, 1e6 / us
        mix_us += alg_pct[a] / 100 * size_pct[s] / 100 * us
      }
    }
    # The mix: mean time per message, so messages/s is its reciprocal (not a mean of rates).
    printf "%-10s %-6s %12.2f %12.0f\n", "mix", "-", mix_us, 1e6 / mix_us
  }' <<<"${raw}"
