# SPF unit tests (policy/spf*.cc). spf_test drives CheckSpf() on a fake resolver that fails
# on purpose; spf_limits_test runs the RFC 7208 §4.6.4 limits over the zone-file backend.
kenin_test(spf_test SRCS spf_test.cc DEPS kenin::policy)
kenin_test(spf_limits_test SRCS spf_limits_test.cc DEPS kenin::policy kenin::dns)
kenin_test(spf_record_test SRCS spf_record_test.cc DEPS kenin::policy)
kenin_test(spf_macro_test SRCS spf_macro_test.cc DEPS kenin::policy)
kenin_test(spf_ip_test SRCS spf_ip_test.cc DEPS kenin::policy)
