// GGUF v3 container writer (llama.cpp's model format), little-endian:
//   "GGUF" u32 version=3, u64 n_tensors, u64 n_kv,
//   n_kv x  { string key, u32 value_type, value }            (string = u64 length + bytes)
//   n_tensors x { string name, u32 n_dims, u64 ne[n_dims], u32 ggml_type, u64 offset }
//   zero padding to general.alignment (32), then the tensor data, each tensor padded to 32.
// ne[0] is the fastest dimension: an HF [out, in] matrix is written as ne = [in, out], same bytes.
// Tensors are converted from float32 while streaming (F32, F16, Q8_0); the file is written through a
// temporary file beside the target, fsync'ed and renamed.
// reference: ggml-org/llama.cpp gguf-py/gguf/constants.py, gguf_writer.py; ggml/src/ggml-common.h
#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace rf {

enum class GgufValueType : uint32_t {
    u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7, string = 8, array = 9,
    u64 = 10, i64 = 11, f64 = 12
};

enum class GgmlType : uint32_t { f32 = 0, f16 = 1, q8_0 = 8 };
const char* ggml_type_name(GgmlType t);

// One metadata value. Arrays hold one element type.
struct GgufValue {
    GgufValueType type = GgufValueType::u32;
    GgufValueType elem = GgufValueType::u32;  // arrays only
    std::variant<uint64_t, int64_t, double, bool, std::string, std::vector<std::string>, std::vector<int32_t>,
                 std::vector<float>>
        v;
};

struct GgufTensor {
    std::string name;
    std::vector<int64_t> shape;  // row-major, outermost first (HF order); written reversed as ne[]
    GgmlType type = GgmlType::f32;
    const float* data = nullptr;   // numel floats (not owned) ...
    std::vector<float> owned;      // ... or owned here when `data` is null
    std::vector<int32_t> row_perm; // optional: output row r takes input row row_perm[r] (shape[0] rows)
};

// Q8_0: blocks of 32 along the fastest dimension: { fp16 d; int8 qs[32]; } (34 bytes),
//   d = amax / 127,  q_j = roundf(x_j / d)   (round half away from zero),  x_j ~= d * q_j.
// Error per element: |x - fp16(d) q| <= d/2 + 127 |fp16(d) - d|  (<= 0.56 d).
// reference: ggml-org/llama.cpp ggml/src/ggml-quants.c quantize_row_q8_0_ref
constexpr int kQ8Block = 32;
constexpr size_t kQ8BlockBytes = 34;
void quantize_q8_0(const float* x, size_t n, uint8_t* out);  // n % 32 == 0; writes n/32 blocks

class GgufWriter {
public:
    void add_u32(const std::string& key, uint32_t v);
    void add_i32(const std::string& key, int32_t v);
    void add_f32(const std::string& key, float v);
    void add_bool(const std::string& key, bool v);
    void add_string(const std::string& key, std::string v);
    void add_strings(const std::string& key, std::vector<std::string> v);
    void add_i32s(const std::string& key, std::vector<int32_t> v);
    void add_f32s(const std::string& key, std::vector<float> v);
    // Keys are unique (InternalError on a duplicate); they are written in the order added.
    void add(const std::string& key, GgufValue v);
    void add_tensor(GgufTensor t);

    const std::vector<std::pair<std::string, GgufValue>>& kv() const { return m_kv; }
    const std::vector<GgufTensor>& tensors() const { return m_tensors; }
    // Bytes of one tensor's data as written (before padding).
    static uint64_t tensor_bytes(const GgufTensor& t);

    // Writes the file atomically. Throws InputError naming `path` on I/O errors.
    void write(const std::string& path) const;

private:
    std::vector<std::pair<std::string, GgufValue>> m_kv;
    std::vector<GgufTensor> m_tensors;
};

}  // namespace rf
