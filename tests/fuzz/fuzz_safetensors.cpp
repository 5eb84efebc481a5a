// libFuzzer target: any byte string given to the safetensors parser either parses (and then every
// tensor lies inside the buffer and reads cleanly) or throws rf::InputError. Anything else (a crash,
// an ASan report, another exception type) is a finding.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        auto f = rf::SafetensorsFile::parse(data, size, "fuzz.safetensors");
        for (const rf::TensorInfo& t : f->tensors()) {
            if (t.data < data || t.data + t.nbytes > data + size) std::abort();
            if (t.nbytes != size_t(t.numel()) * rf::dtype_size(t.dtype)) std::abort();
            if (t.dtype == rf::DType::F32 || t.dtype == rf::DType::F16 || t.dtype == rf::DType::BF16) {
                std::vector<float> out(size_t(t.numel()));
                f->read_f32(t, out.data());
            }
        }
    } catch (const rf::InputError&) {
    }
    return 0;
}
