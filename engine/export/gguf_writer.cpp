#include "export/gguf_writer.h"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "io/safetensors.h"

namespace rf {

static_assert(std::endian::native == std::endian::little, "GGUF is written little-endian from host memory");

namespace {

constexpr uint64_t kAlign = 32;  // general.alignment default (GGUF_DEFAULT_ALIGNMENT)

uint64_t pad_to(uint64_t n, uint64_t a) { return (n + a - 1) / a * a; }

// Buffered writer into an AtomicFileWriter (core/atomic_file.h): fsync'ed and renamed on commit().
class Out {
public:
    explicit Out(const std::string& path) : m_file(path) {}
    void bytes(const void* p, size_t n) {
        const char* c = static_cast<const char*>(p);
        m_written += n;
        if (m_buf.size() + n > kBuf) flush();
        if (n >= kBuf) return m_file.write(c, n);
        m_buf.insert(m_buf.end(), c, c + n);
    }
    template <class T> void pod(T v) { bytes(&v, sizeof v); }
    void str(const std::string& s) {
        pod<uint64_t>(s.size());
        bytes(s.data(), s.size());
    }
    void zeros(uint64_t n) {
        static const char z[kAlign] = {};
        while (n > 0) {
            uint64_t k = std::min<uint64_t>(n, kAlign);
            bytes(z, k);
            n -= k;
        }
    }
    uint64_t written() const { return m_written; }
    void commit() {
        flush();
        m_file.commit();
    }

private:
    static constexpr size_t kBuf = 1 << 20;
    void flush() {
        m_file.write(m_buf.data(), m_buf.size());
        m_buf.clear();
    }
    AtomicFileWriter m_file;
    std::vector<char> m_buf;
    uint64_t m_written = 0;
};

void write_value(Out& o, const GgufValue& v) {
    switch (v.type) {
        case GgufValueType::u32: o.pod<uint32_t>(uint32_t(std::get<uint64_t>(v.v))); break;
        case GgufValueType::i32: o.pod<int32_t>(int32_t(std::get<int64_t>(v.v))); break;
        case GgufValueType::u64: o.pod<uint64_t>(std::get<uint64_t>(v.v)); break;
        case GgufValueType::f32: o.pod<float>(float(std::get<double>(v.v))); break;
        case GgufValueType::boolean: o.pod<uint8_t>(std::get<bool>(v.v) ? 1 : 0); break;
        case GgufValueType::string: o.str(std::get<std::string>(v.v)); break;
        case GgufValueType::array:
            o.pod<uint32_t>(uint32_t(v.elem));
            if (v.elem == GgufValueType::string) {
                auto& a = std::get<std::vector<std::string>>(v.v);
                o.pod<uint64_t>(a.size());
                for (auto& s : a) o.str(s);
            } else if (v.elem == GgufValueType::i32) {
                auto& a = std::get<std::vector<int32_t>>(v.v);
                o.pod<uint64_t>(a.size());
                o.bytes(a.data(), a.size() * 4);
            } else {
                RF_CHECK(v.elem == GgufValueType::f32, "unsupported GGUF array element type");
                auto& a = std::get<std::vector<float>>(v.v);
                o.pod<uint64_t>(a.size());
                o.bytes(a.data(), a.size() * 4);
            }
            break;
        default: RF_CHECK(false, "unsupported GGUF value type " + std::to_string(int(v.type)));
    }
}

size_t numel_of(const std::vector<int64_t>& shape) {
    size_t n = 1;
    for (int64_t d : shape) n *= size_t(d);
    return n;
}

}  // namespace

const char* ggml_type_name(GgmlType t) {
    switch (t) {
        case GgmlType::f32: return "F32";
        case GgmlType::f16: return "F16";
        case GgmlType::q8_0: return "Q8_0";
    }
    return "?";
}

// d = amax / 127; id = 1/d; q = roundf(x * id)  (ggml quantize_row_q8_0_ref)
void quantize_q8_0(const float* x, size_t n, uint8_t* out) {
    RF_CHECK(n % kQ8Block == 0, "quantize_q8_0: n must be a multiple of 32");
    for (size_t b = 0; b < n / kQ8Block; ++b) {
        const float* xb = x + b * kQ8Block;
        float amax = 0.0f;
        for (int j = 0; j < kQ8Block; ++j) amax = std::max(amax, std::fabs(xb[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        uint8_t* ob = out + b * kQ8BlockBytes;
        const uint16_t dh = f32_to_f16(d);
        std::memcpy(ob, &dh, 2);
        for (int j = 0; j < kQ8Block; ++j) {
            float q = std::round(xb[j] * id);
            q = std::clamp(q, -127.0f, 127.0f);
            ob[2 + j] = uint8_t(int8_t(q));
        }
    }
}

void GgufWriter::add(const std::string& key, GgufValue v) {
    for (auto& [k, _] : m_kv) RF_CHECK(k != key, "duplicate GGUF key '" + key + "'");
    m_kv.emplace_back(key, std::move(v));
}
void GgufWriter::add_u32(const std::string& k, uint32_t v) { add(k, {GgufValueType::u32, {}, uint64_t(v)}); }
void GgufWriter::add_i32(const std::string& k, int32_t v) { add(k, {GgufValueType::i32, {}, int64_t(v)}); }
void GgufWriter::add_f32(const std::string& k, float v) { add(k, {GgufValueType::f32, {}, double(v)}); }
void GgufWriter::add_bool(const std::string& k, bool v) { add(k, {GgufValueType::boolean, {}, v}); }
void GgufWriter::add_string(const std::string& k, std::string v) { add(k, {GgufValueType::string, {}, std::move(v)}); }
void GgufWriter::add_strings(const std::string& k, std::vector<std::string> v) {
    add(k, {GgufValueType::array, GgufValueType::string, std::move(v)});
}
void GgufWriter::add_i32s(const std::string& k, std::vector<int32_t> v) {
    add(k, {GgufValueType::array, GgufValueType::i32, std::move(v)});
}
void GgufWriter::add_f32s(const std::string& k, std::vector<float> v) {
    add(k, {GgufValueType::array, GgufValueType::f32, std::move(v)});
}

void GgufWriter::add_tensor(GgufTensor t) {
    for (auto& e : m_tensors) RF_CHECK(e.name != t.name, "duplicate GGUF tensor '" + t.name + "'");
    RF_CHECK(!t.shape.empty() && t.shape.size() <= 4, "GGUF tensor '" + t.name + "': 1 to 4 dimensions");
    const size_t n = numel_of(t.shape);
    RF_CHECK(t.data || t.owned.size() == n, "GGUF tensor '" + t.name + "' has no data");
    if (t.type == GgmlType::q8_0)
        RF_CHECK(t.shape.back() % kQ8Block == 0, "GGUF tensor '" + t.name + "': Q8_0 needs rows of a multiple of 32");
    if (!t.row_perm.empty()) RF_CHECK(int64_t(t.row_perm.size()) == t.shape[0], "row_perm size of '" + t.name + "'");
    m_tensors.push_back(std::move(t));
}

uint64_t GgufWriter::tensor_bytes(const GgufTensor& t) {
    const uint64_t n = numel_of(t.shape);
    switch (t.type) {
        case GgmlType::f32: return n * 4;
        case GgmlType::f16: return n * 2;
        case GgmlType::q8_0: return n / kQ8Block * kQ8BlockBytes;
    }
    return 0;
}

void GgufWriter::write(const std::string& path) const {
    Out o(path);
    o.bytes("GGUF", 4);
    o.pod<uint32_t>(3);
    o.pod<uint64_t>(m_tensors.size());
    o.pod<uint64_t>(m_kv.size());
    for (auto& [k, v] : m_kv) {
        o.str(k);
        o.pod<uint32_t>(uint32_t(v.type));
        write_value(o, v);
    }
    uint64_t offset = 0;
    for (const GgufTensor& t : m_tensors) {
        o.str(t.name);
        o.pod<uint32_t>(uint32_t(t.shape.size()));
        for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it) o.pod<uint64_t>(uint64_t(*it));
        o.pod<uint32_t>(uint32_t(t.type));
        o.pod<uint64_t>(offset);
        offset += pad_to(tensor_bytes(t), kAlign);
    }
    o.zeros(pad_to(o.written(), kAlign) - o.written());

    // Data, converted one row at a time (rows: the fastest dimension).
    std::vector<uint16_t> h;
    std::vector<uint8_t> q;
    std::vector<float> perm;
    for (const GgufTensor& t : m_tensors) {
        const float* src = t.data ? t.data : t.owned.data();
        const size_t n = numel_of(t.shape), row = size_t(t.shape.back());
        if (!t.row_perm.empty()) {  // slice s of shape[0] takes the source slice row_perm[s]
            const size_t per = n / size_t(t.shape[0]);
            perm.resize(n);
            for (size_t s = 0; s < size_t(t.shape[0]); ++s)
                std::memcpy(perm.data() + s * per, src + size_t(t.row_perm[s]) * per, per * sizeof(float));
            src = perm.data();
        }
        for (size_t r = 0; r < n / std::max<size_t>(row, 1); ++r) {
            const float* x = src + r * row;
            switch (t.type) {
                case GgmlType::f32: o.bytes(x, row * 4); break;
                case GgmlType::f16:
                    h.resize(row);
                    for (size_t j = 0; j < row; ++j) h[j] = f32_to_f16(x[j]);
                    o.bytes(h.data(), row * 2);
                    break;
                case GgmlType::q8_0:
                    q.resize(row / kQ8Block * kQ8BlockBytes);
                    quantize_q8_0(x, row, q.data());
                    o.bytes(q.data(), q.size());
                    break;
            }
        }
        const uint64_t nb = tensor_bytes(t);
        o.zeros(pad_to(nb, kAlign) - nb);
    }
    o.commit();
}

}  // namespace rf
