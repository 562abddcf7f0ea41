// kenin_build_info (SPEC §7): a gauge fixed at 1 whose labels say what is running, so a
// dashboard can show versions and a query can join on them. Labels: version (the CMake
// project version), compiler.
#pragma once

#include <prometheus/registry.h>

namespace kenin::metrics {

void AddBuildInfo(prometheus::Registry& registry);

}  // namespace kenin::metrics
