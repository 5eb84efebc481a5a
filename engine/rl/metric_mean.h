// Averages step metrics over micro-batches (and passes), keeping the order names were first seen.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "rl/metrics.h"

namespace rf {

struct MetricMean {
    std::vector<std::string> order;
    std::map<std::string, std::pair<double, int>> sums;
    void add(const std::string& k, double v) {
        auto it = sums.find(k);
        if (it == sums.end()) order.push_back(k), sums[k] = {v, 1};
        else it->second.first += v, it->second.second += 1;
    }
    void add(const std::map<std::string, double>& m) {
        for (auto& [k, v] : m) add(k, v);
    }
    void add(const StepMetrics& m) {
        for (auto& x : m) add(x.name, x.value);
    }
    void into(StepMetrics& out) const {
        for (auto& k : order) out.push_back({k, sums.at(k).first / sums.at(k).second});
    }
};

}  // namespace rf
