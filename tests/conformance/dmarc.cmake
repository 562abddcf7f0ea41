# DMARC: the RFC 7489 cases in ../shared/conformance/dmarc (RFC 7489 mode) and the RFC 9989
# DNS Tree Walk scenarios (default mode).
kenin_test(dmarc_conformance_test SRCS dmarc_conformance_test.cc dmarc_walk_scenarios_test.cc
  conformance_data.cc DEPS kenin::policy kenin::dns kenin::tools)
