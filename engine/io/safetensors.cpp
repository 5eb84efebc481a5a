// safetensors reading: header validation and f32 conversion. Format (huggingface/safetensors
// README): u64 little-endian N, N bytes of JSON, then the data buffer. The rules below are those of
// the reference implementation's `Metadata::validate`: the tensors, sorted by offset, tile the
// buffer exactly (first begins at 0, each begins where the previous ends, the last ends at the
// buffer's end) and each spans numel * dtype_size bytes. Nothing is read before it is validated.
#include "io/safetensors.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__F16C__)
#include <immintrin.h>
#endif

#include "core/error.h"

namespace rf {

namespace {

struct DTypeRow {
    DType dtype;
    const char* name;
    size_t size;
};
constexpr DTypeRow kDTypes[] = {
    {DType::F32, "F32", 4},   {DType::F16, "F16", 2},         {DType::BF16, "BF16", 2},
    {DType::U32, "U32", 4},   {DType::I32, "I32", 4},         {DType::U8, "U8", 1},
    {DType::I8, "I8", 1},     {DType::F64, "F64", 8},         {DType::I64, "I64", 8},
    {DType::U16, "U16", 2},   {DType::I16, "I16", 2},         {DType::BOOL, "BOOL", 1},
    {DType::U64, "U64", 8},   {DType::F8_E5M2, "F8_E5M2", 1}, {DType::F8_E4M3, "F8_E4M3", 1},
};

// The reference implementation refuses headers above 100 MB; so do we.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

std::string known_dtypes() {
    std::string s;
    for (auto& r : kDTypes) s += (s.empty() ? "" : ", ") + std::string(r.name);
    return s;
}

}  // namespace

const char* dtype_name(DType d) {
    for (auto& r : kDTypes)
        if (r.dtype == d) return r.name;
    return "?";
}

size_t dtype_size(DType d) {
    for (auto& r : kDTypes)
        if (r.dtype == d) return r.size;
    RF_CHECK(false, "unknown DType");
    return 0;
}

bool dtype_from_name(const std::string& name, DType* out) {
    for (auto& r : kDTypes)
        if (name == r.name) {
            *out = r.dtype;
            return true;
        }
    return false;
}

int64_t TensorInfo::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;  // validated at parse time not to overflow
    return n;
}

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw InputError(path, 0, {}, std::string("cannot open safetensors file: ") + std::strerror(errno), "check the path");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw InputError(path, 0, {}, "not a regular file", "point at a .safetensors file");
    }
    size_t size = size_t(st.st_size);
    if (size < 8) {
        ::close(fd);
        throw InputError(path, 0, {}, "file is " + std::to_string(size) + " bytes, too small for a safetensors header (8-byte length + JSON)", "the file is truncated or not safetensors");
    }
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (map == MAP_FAILED) throw InputError(path, 0, {}, std::string("cannot map file: ") + std::strerror(errno));
    std::unique_ptr<SafetensorsFile> f(new SafetensorsFile());
    f->m_path = path;
    f->m_map = map;
    f->m_map_size = size;
    f->parse_header(static_cast<const uint8_t*>(map), size);  // on throw, ~SafetensorsFile unmaps
    return f;
}

std::unique_ptr<SafetensorsFile> SafetensorsFile::parse(const uint8_t* bytes, size_t size, const std::string& name_for_errors) {
    std::unique_ptr<SafetensorsFile> f(new SafetensorsFile());
    f->m_path = name_for_errors;
    f->parse_header(bytes, size);
    return f;
}

SafetensorsFile::~SafetensorsFile() {
    if (m_map) ::munmap(m_map, m_map_size);
}

void SafetensorsFile::parse_header(const uint8_t* bytes, size_t size) {
    using nlohmann::json;
    const std::string& path = m_path;
    m_size = size;
    if (size < 8) throw InputError(path, 0, {}, "file is " + std::to_string(size) + " bytes, too small for a safetensors header", "the file is truncated or not safetensors");
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
    if (n > kMaxHeaderBytes || n > size - 8)
        throw InputError(path, 0, "header", "header length " + std::to_string(n) + " is larger than " + (n > kMaxHeaderBytes ? "the 100 MB limit" : "the file (" + std::to_string(size) + " bytes)"), "the file is truncated or not safetensors");
    const char* text = reinterpret_cast<const char*>(bytes + 8);
    if (n == 0 || text[0] != '{') throw InputError(path, 0, "header", "the JSON header must start with '{'", "the file is not safetensors");
    json h = json::parse(text, text + n, nullptr, /*allow_exceptions=*/false);
    if (h.is_discarded()) throw InputError(path, 0, "header", "the JSON header is not valid JSON", "the file is damaged");
    if (!h.is_object()) throw InputError(path, 0, "header", "the JSON header must be an object", "the file is not safetensors");

    const uint64_t data_size = size - 8 - n;
    const uint8_t* data = bytes + 8 + n;
    struct Span {
        uint64_t begin, end;
        size_t index;
    };
    std::vector<Span> spans;
    for (auto it = h.begin(); it != h.end(); ++it) {
        const std::string& name = it.key();
        const json& v = it.value();
        if (name == "__metadata__") {
            if (!v.is_object()) throw InputError(path, 0, name, "must be an object of strings");
            for (auto m = v.begin(); m != v.end(); ++m) {
                if (!m.value().is_string()) throw InputError(path, 0, "__metadata__." + m.key(), "metadata values must be strings");
                m_metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        if (!v.is_object()) throw InputError(path, 0, name, "tensor entry must be an object {dtype, shape, data_offsets}");
        TensorInfo t;
        t.name = name;
        auto dt = v.find("dtype");
        if (dt == v.end() || !dt->is_string()) throw InputError(path, 0, name, "missing string 'dtype'");
        if (!dtype_from_name(dt->get<std::string>(), &t.dtype))
            throw InputError(path, 0, name, "unknown dtype '" + dt->get<std::string>() + "'", "known: " + known_dtypes());
        auto sh = v.find("shape");
        if (sh == v.end() || !sh->is_array()) throw InputError(path, 0, name, "missing array 'shape'");
        uint64_t numel = 1;
        for (const json& d : *sh) {
            if (!d.is_number_unsigned() || d.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
                throw InputError(path, 0, name, "shape entries must be non-negative integers");
            uint64_t dim = d.get<uint64_t>();
            if (__builtin_mul_overflow(numel, dim, &numel) || numel > uint64_t(std::numeric_limits<int64_t>::max()))
                throw InputError(path, 0, name, "shape overflows (the element count does not fit in 64 bits)");
            t.shape.push_back(int64_t(dim));
        }
        uint64_t nbytes = 0;
        if (__builtin_mul_overflow(numel, uint64_t(dtype_size(t.dtype)), &nbytes))
            throw InputError(path, 0, name, "shape overflows (the byte size does not fit in 64 bits)");
        auto off = v.find("data_offsets");
        if (off == v.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned() || !(*off)[1].is_number_unsigned())
            throw InputError(path, 0, name, "'data_offsets' must be two non-negative integers [begin, end]");
        uint64_t b = (*off)[0].get<uint64_t>(), e = (*off)[1].get<uint64_t>();
        if (e < b) throw InputError(path, 0, name, "data_offsets end " + std::to_string(e) + " is before begin " + std::to_string(b));
        if (e > data_size)
            throw InputError(path, 0, name, "data_offsets end " + std::to_string(e) + " is past the end of the data (" + std::to_string(data_size) + " bytes)", "the file is truncated");
        if (e - b != nbytes)
            throw InputError(path, 0, name, "data_offsets span " + std::to_string(e - b) + " bytes but shape x " + dtype_name(t.dtype) + " needs " + std::to_string(nbytes));
        t.data = data + b;
        t.nbytes = size_t(nbytes);
        spans.push_back({b, e, m_tensors.size()});
        m_tensors.push_back(std::move(t));
    }
    // The tensors must tile the buffer: no overlap, no gap, nothing after the last one.
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
    uint64_t at = 0;
    for (const Span& s : spans) {
        const std::string& name = m_tensors[s.index].name;
        if (s.begin < at) throw InputError(path, 0, name, "data_offsets overlap the previous tensor (begin " + std::to_string(s.begin) + " < " + std::to_string(at) + ")");
        if (s.begin > at) throw InputError(path, 0, name, "data_offsets leave a gap (begin " + std::to_string(s.begin) + ", previous tensor ends at " + std::to_string(at) + ")");
        at = s.end;
    }
    if (at != data_size)
        throw InputError(path, 0, {}, "the tensors cover " + std::to_string(at) + " bytes but the data section has " + std::to_string(data_size), "the file has trailing bytes or is damaged");
    // Keep file order (by offset) for listing; index by name.
    std::vector<TensorInfo> sorted;
    sorted.reserve(m_tensors.size());
    for (const Span& s : spans) sorted.push_back(std::move(m_tensors[s.index]));
    m_tensors = std::move(sorted);
    for (size_t i = 0; i < m_tensors.size(); ++i) m_by_name[m_tensors[i].name] = i;
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
    auto it = m_by_name.find(name);
    return it == m_by_name.end() ? nullptr : &m_tensors[it->second];
}

void SafetensorsFile::read_f32(const TensorInfo& t, float* dst) const {
    const size_t n = size_t(t.numel());
    const uint8_t* src = t.data;
    switch (t.dtype) {
    case DType::F32:
        if (n) std::memcpy(dst, src, n * 4);
        return;
    case DType::BF16:
        for (size_t i = 0; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, src + 2 * i, 2);
            dst[i] = bf16_to_f32(h);
        }
        return;
    case DType::F16: {
        size_t i = 0;
#if defined(__F16C__)
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i))));
#endif
        for (; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, src + 2 * i, 2);
            dst[i] = f16_to_f32(h);
        }
        return;
    }
    default:
        throw InputError(m_path, 0, t.name, std::string("dtype ") + dtype_name(t.dtype) + " cannot be read as floats", "expected F32, F16 or BF16");
    }
}

}  // namespace rf
