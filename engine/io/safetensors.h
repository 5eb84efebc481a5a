// safetensors reading (mmap) and writing (atomic). Format: 8-byte little-endian header length N,
// N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then the
// data. Every header field is validated against the file size before any byte is read.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rf {

enum class DType { F32, F16, BF16, U32, I32, U8, I8, F64, I64, U16, I16, BOOL, U64, F8_E5M2, F8_E4M3 };
const char* dtype_name(DType);
size_t dtype_size(DType);
// "F32" -> DType::F32 (the spelling of the safetensors header); false when unknown.
bool dtype_from_name(const std::string& name, DType* out);

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    const uint8_t* data = nullptr;  // into the mapping; valid while the file object lives
    size_t nbytes = 0;
    int64_t numel() const;
};

// One mapped safetensors file.
class SafetensorsFile {
public:
    // Throws InputError naming the path and what is wrong (never reads out of bounds).
    static std::unique_ptr<SafetensorsFile> open(const std::string& path);
    // Parses a file already in memory (used by the fuzzer and tests); `bytes` must outlive the object.
    static std::unique_ptr<SafetensorsFile> parse(const uint8_t* bytes, size_t size, const std::string& name_for_errors);
    ~SafetensorsFile();

    const std::string& path() const { return m_path; }
    const std::vector<TensorInfo>& tensors() const { return m_tensors; }
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    const TensorInfo* find(const std::string& name) const;  // nullptr when absent
    // Converts F32/F16/BF16 to float32 into dst (numel floats). Throws InputError on other dtypes.
    void read_f32(const TensorInfo& t, float* dst) const;
    // Size of the whole file (or buffer) in bytes.
    size_t size_bytes() const { return m_size; }

private:
    SafetensorsFile() = default;
    void parse_header(const uint8_t* bytes, size_t size);
    size_t m_size = 0;
    std::map<std::string, size_t> m_by_name;  // name -> index into m_tensors
    std::string m_path;
    void* m_map = nullptr;
    size_t m_map_size = 0;
    std::vector<TensorInfo> m_tensors;
    std::map<std::string, std::string> m_metadata;
};

// A model's weights: one file or several shards (model.safetensors.index.json).
class WeightStore {
public:
    // `dir` holds model.safetensors or model.safetensors.index.json + shards. Throws InputError.
    static WeightStore open_dir(const std::string& dir);
    const TensorInfo* find(const std::string& name) const;
    std::vector<std::string> names() const;
    // Throws InputError naming the tensor and the folder when it is absent or its shape differs.
    void read_f32(const std::string& name, float* dst, const std::vector<int64_t>& expected_shape) const;
    const std::string& dir() const { return m_dir; }
    // The mapped files (one, or one per shard), e.g. for sizes and metadata.
    const std::vector<std::shared_ptr<SafetensorsFile>>& files() const { return m_files; }
    // The file that holds `name` (nullptr when absent).
    const SafetensorsFile* file_of(const std::string& name) const;

private:
    std::string m_dir;
    std::vector<std::shared_ptr<SafetensorsFile>> m_files;
    std::map<std::string, std::pair<const SafetensorsFile*, const TensorInfo*>> m_index;
};

// A tensor to write. `data` points at numel floats (written as `dtype`: F32, F16 or BF16).
// Alternatively `raw` points at numel * dtype_size(dtype) bytes written unchanged, in any dtype
// (e.g. the U32 words and BF16 scales of an MLX-quantized matrix); `data` is then ignored.
struct TensorToWrite {
    std::string name;
    std::vector<int64_t> shape;
    const float* data = nullptr;
    DType dtype = DType::F32;
    const void* raw = nullptr;
};
// Writes atomically (temp + rename), streaming (no second copy of the data in memory). Tensors are
// written in the given order; the header is space-padded so the data starts at a multiple of 8.
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// bf16/f16 <-> f32 conversions (round-to-nearest-even for f32 -> bf16/f16)
float bf16_to_f32(uint16_t);
uint16_t f32_to_bf16(float);
float f16_to_f32(uint16_t);
uint16_t f32_to_f16(float);

}  // namespace rf
