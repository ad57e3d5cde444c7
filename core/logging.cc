#include "minitf/core/logging.h"

#include <cstdlib>
#include <memory>

#include "spdlog/sinks/stdout_color_sinks.h"

namespace minitf {

spdlog::logger& Log() {
  static spdlog::logger* logger = [] {
    auto made = spdlog::stderr_color_mt("minitf");
    const char* level = std::getenv("MINITF_LOG_LEVEL");
    made->set_level(level != nullptr ? spdlog::level::from_str(level)
                                     : spdlog::level::warn);
    return made.get();  // spdlog's registry keeps it alive.
  }();
  return *logger;
}

}  // namespace minitf
