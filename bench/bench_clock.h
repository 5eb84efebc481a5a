// What every bench reports beside wall time on a shared machine: the process's CPU time and the
// load average (the machine is shared; CPU time discounts time-slicing).
#pragma once
#include <sys/resource.h>

#include <fstream>
#include <string>

namespace rf::bench {

// User + system CPU seconds of this process so far (all its threads).
inline double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

// "1.23 0.98 0.75" from /proc/loadavg.
inline std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

}  // namespace rf::bench
