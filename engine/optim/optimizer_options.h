// Internal to engine/optim/optimizer*.cpp: reading one optimizer's `optimizer_config` block with
// errors that name the key, and the constructors of the shape-aware optimizers.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "optim/optimizer.h"

namespace rf::optim_detail {

// Reads keys of one JSON object; every key read is remembered so finish() can reject the others
// ("unknown key 'betaz' — did you mean 'betas'?").
class OptionReader {
public:
    OptionReader(std::string optimizer, const nlohmann::json& config);

    double number(const std::string& key, double fallback, double lo, double hi);
    bool boolean(const std::string& key, bool fallback);
    int integer(const std::string& key, int fallback, int lo, int hi);
    std::pair<double, double> pair(const std::string& key, std::pair<double, double> fallback, double lo, double hi);
    // A number or null (mlx's Optional[float]); returns `present` = false for null/absent.
    double optional_number(const std::string& key, bool& present, double lo, double hi);
    void finish() const;  // throws on keys that were never read

    [[noreturn]] void fail(const std::string& key, const std::string& message, const std::string& hint = {}) const;

private:
    const nlohmann::json* find(const std::string& key);
    std::string m_optimizer;
    const nlohmann::json& m_config;
    std::set<std::string> m_known;
};

std::unique_ptr<Optimizer> make_adafactor(OptionReader& opts, const TensorLayout& layout);
std::unique_ptr<Optimizer> make_muon(OptionReader& opts, const TensorLayout& layout);

}  // namespace rf::optim_detail
