# SPF (RFC 7208): the openspf/pyspf suite in ../shared/conformance/spf, read in place.
find_package(yaml-cpp REQUIRED)
kenin_test(spf_conformance_test SRCS spf_conformance_test.cc spf_yaml_zone.cc
  DEPS kenin::policy yaml-cpp)
