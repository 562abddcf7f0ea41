# ARC (RFC 8617): the ValiMail validation suite (../shared/conformance/arc) and stalwart's two
# ARC messages, read in place.
find_package(yaml-cpp REQUIRED)
kenin_test(arc_conformance_test SRCS arc_conformance_test.cc conformance_data.cc
  DEPS kenin::arc kenin::dns kenin::tools yaml-cpp)
