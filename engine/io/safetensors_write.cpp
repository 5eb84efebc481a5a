// safetensors writing: header JSON in the given tensor order, space-padded to a multiple of 8,
// then the data, streamed through a temporary file beside the target which is fsync'ed and renamed
// (a crash never leaves a half-written file under the final name).
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <set>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/safetensors.h"

namespace rf {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian; this writer copies host memory");


void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    nlohmann::ordered_json h = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        nlohmann::ordered_json m = nlohmann::ordered_json::object();
        for (auto& [k, v] : metadata) m[k] = v;
        h["__metadata__"] = m;
    }
    std::set<std::string> seen;
    uint64_t offset = 0;
    for (const TensorToWrite& t : tensors) {
        RF_CHECK(!t.name.empty() && t.name != "__metadata__", "bad tensor name '" + t.name + "'");
        RF_CHECK(seen.insert(t.name).second, "duplicate tensor name '" + t.name + "'");
        RF_CHECK(t.raw || t.dtype == DType::F32 || t.dtype == DType::F16 || t.dtype == DType::BF16,
                 "tensor '" + t.name + "': float data can only be written as F32, F16 or BF16");
        int64_t numel = 1;
        for (int64_t d : t.shape) {
            RF_CHECK(d >= 0, "negative dimension in tensor '" + t.name + "'");
            numel *= d;
        }
        RF_CHECK(numel == 0 || t.raw || t.data, "tensor '" + t.name + "' has no data");
        uint64_t nbytes = uint64_t(numel) * dtype_size(t.dtype);
        h[t.name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + nbytes}}};
        offset += nbytes;
    }
    std::string header = h.dump();
    header.append((8 - header.size() % 8) % 8, ' ');
    uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = uint8_t(uint64_t(header.size()) >> (8 * i));

    AtomicFileWriter out(path);
    out.write(len, 8);
    out.write(header.data(), header.size());
    std::vector<uint16_t> buf;
    constexpr size_t kChunk = 1 << 16;
    for (const TensorToWrite& t : tensors) {
        int64_t numel = 1;
        for (int64_t d : t.shape) numel *= d;
        const size_t n = size_t(numel);
        if (t.raw) {
            out.write(t.raw, n * dtype_size(t.dtype));
        } else if (t.dtype == DType::F32) {
            out.write(t.data, n * 4);
        } else {
            uint16_t (*conv)(float) = t.dtype == DType::BF16 ? f32_to_bf16 : f32_to_f16;
            for (size_t i = 0; i < n; i += kChunk) {
                size_t m = std::min(kChunk, n - i);
                buf.resize(m);
                for (size_t j = 0; j < m; ++j) buf[j] = conv(t.data[i + j]);
                out.write(buf.data(), m * 2);
            }
        }
    }
    out.commit();
}

}  // namespace rf
