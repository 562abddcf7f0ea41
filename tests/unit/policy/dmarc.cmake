# DMARC: policy/dmarc*.cc, policy/from_domain.cc, policy/public_suffix.cc. (The From and PSL
# tests carry a dmarc_ prefix so every DMARC test file sits under one name.)
kenin_test(dmarc_test SRCS dmarc_test.cc DEPS kenin::policy kenin::dns)
kenin_test(dmarc_record_test SRCS dmarc_record_test.cc DEPS kenin::policy)
kenin_test(dmarc_tree_walk_test SRCS dmarc_tree_walk_test.cc DEPS kenin::policy kenin::dns)
kenin_test(dmarc_from_domain_test SRCS dmarc_from_domain_test.cc DEPS kenin::policy)
kenin_test(dmarc_public_suffix_test SRCS dmarc_public_suffix_test.cc DEPS kenin::policy)
