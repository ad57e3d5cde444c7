// Logging through spdlog. The level comes from MINITF_LOG_LEVEL (trace,
// debug, info, warn, error, critical, off; default warn), read once.
//
//   minitf::Log().info("compiled a plan of {} steps", n);
//
// Thread-safe (spdlog's multi-threaded sink).
#ifndef MINITF_CORE_LOGGING_H_
#define MINITF_CORE_LOGGING_H_

#include "spdlog/spdlog.h"

namespace minitf {

// Returns the process-wide "minitf" logger.
spdlog::logger& Log();

}  // namespace minitf

#endif  // MINITF_CORE_LOGGING_H_
