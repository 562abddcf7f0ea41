#include "metrics/build_info.h"

#include <prometheus/gauge.h>

#include <string>

namespace kenin::metrics {
namespace {

std::string Compiler() {
#if defined(__clang__)
  return "clang " + std::to_string(__clang_major__) + "." + std::to_string(__clang_minor__) +
         "." + std::to_string(__clang_patchlevel__);
#elif defined(__GNUC__)
  return "gcc " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

}  // namespace

void AddBuildInfo(prometheus::Registry& registry) {
  prometheus::BuildGauge()
      .Name("kenin_build_info")
      .Help("Always 1; the labels say which build of kenin is running")
      .Register(registry)
      .Add({{"version", KENIN_VERSION}, {"compiler", Compiler()}})
      .Set(1);
}

}  // namespace kenin::metrics
