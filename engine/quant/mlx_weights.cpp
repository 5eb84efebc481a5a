#include "quant/mlx_weights.h"

#include <cmath>
#include <cstring>

#include "core/error.h"

namespace rf {

namespace {

std::string shape_str(const std::vector<int64_t>& s) {
    std::string r = "[";
    for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

void read_scale_like(const TensorInfo& t, float* dst, const std::string& file) {
    const size_t n = size_t(t.numel());
    for (size_t i = 0; i < n; ++i) {
        if (t.dtype == DType::F32) {
            std::memcpy(dst + i, t.data + 4 * i, 4);
        } else {
            uint16_t h;
            std::memcpy(&h, t.data + 2 * i, 2);
            dst[i] = t.dtype == DType::BF16 ? bf16_to_f32(h) : f16_to_f32(h);
        }
    }
}

}  // namespace

QuantizedMatrix quantized_from_tensors(const TensorInfo& weight, const TensorInfo& scales, const TensorInfo* biases,
                                       const QuantSpec& spec, const std::string& file) {
    validate_quant_spec(spec, file, weight.name);
    if (weight.dtype != DType::U32 || weight.shape.size() != 2)
        throw InputError(file, 0, weight.name, std::string("a quantized weight must be a 2-D U32 tensor, got ") + dtype_name(weight.dtype) + " " + shape_str(weight.shape));
    const int64_t out = weight.shape[0], words = weight.shape[1];
    if (out <= 0 || out > (int64_t(1) << 30) || words <= 0 || words % spec.bits != 0 || words / spec.bits * 32 > (int64_t(1) << 30))
        throw InputError(file, 0, weight.name, "shape " + shape_str(weight.shape) + " is not a whole number of " + std::to_string(spec.bits) + "-bit rows");
    const int64_t in = words / spec.bits * 32;
    if (in % spec.group_size != 0)
        throw InputError(file, 0, weight.name, "input size " + std::to_string(in) + " is not a multiple of group_size " + std::to_string(spec.group_size), "does the quantization block of config.json match the weights?");
    const std::vector<int64_t> sshape = {out, in / spec.group_size};
    if (scales.shape != sshape)
        throw InputError(file, 0, scales.name, "shape " + shape_str(scales.shape) + " but " + describe(spec) + " of " + weight.name + " " + shape_str(weight.shape) + " needs " + shape_str(sshape),
                         "does the quantization block of config.json (bits, group_size) match the weights?");
    QuantizedMatrix q;
    q.spec = spec;
    q.rows = int(out);
    q.cols = int(in);
    q.words.resize(size_t(out * words));
    std::memcpy(q.words.data(), weight.data, q.words.size() * 4);
    q.scales.resize(size_t(sshape[0] * sshape[1]));
    if (spec.mode == QuantMode::mxfp4) {
        if (scales.dtype != DType::U8) throw InputError(file, 0, scales.name, std::string("mxfp4 scales must be U8 (E8M0), got ") + dtype_name(scales.dtype));
        if (biases) throw InputError(file, 0, biases->name, "mxfp4 has no biases", "is the mode in config.json right?");
        q.e8m0.assign(scales.data, scales.data + q.scales.size());
        for (size_t i = 0; i < q.e8m0.size(); ++i) {
            if (q.e8m0[i] == 255) throw InputError(file, 0, scales.name, "E8M0 scale byte 255 (NaN) at index " + std::to_string(i));
            q.scales[i] = std::ldexp(1.0f, int(q.e8m0[i]) - 127);
        }
        return q;
    }
    if (scales.dtype != DType::F32 && scales.dtype != DType::F16 && scales.dtype != DType::BF16)
        throw InputError(file, 0, scales.name, std::string("affine scales must be F32, F16 or BF16, got ") + dtype_name(scales.dtype));
    if (!biases) throw InputError(file, 0, weight.name, "affine quantization needs biases next to the scales", "the checkpoint is incomplete");
    if (biases->shape != sshape || biases->dtype != scales.dtype)
        throw InputError(file, 0, biases->name, "must have the dtype and shape of the scales (" + std::string(dtype_name(scales.dtype)) + " " + shape_str(sshape) + ")");
    read_scale_like(scales, q.scales.data(), file);
    q.biases.resize(q.scales.size());
    read_scale_like(*biases, q.biases.data(), file);
    attach_bf16_scales(q);
    return q;
}

bool is_quantized_module(const WeightStore& ws, const std::string& module) { return ws.find(module + ".scales") != nullptr; }

QuantizedMatrix load_quantized(const WeightStore& ws, const QuantizationConfig& qc, const std::string& module) {
    const TensorInfo* w = ws.find(module + ".weight");
    const TensorInfo* s = ws.find(module + ".scales");
    if (!w || !s) throw InputError(ws.dir(), 0, module, "quantized module needs " + module + ".weight and " + module + ".scales");
    const std::string file = ws.file_of(module + ".weight")->path();
    auto spec = qc.spec_for(module);
    if (!qc.present) throw InputError(file, 0, module + ".scales", "quantized weights but config.json has no `quantization` block", "the checkpoint is incomplete");
    if (!spec) throw InputError(file, 0, module, "config.json marks this module as not quantized, but it has scales");
    return quantized_from_tensors(*w, *s, ws.find(module + ".biases"), *spec, file);
}

void read_f32_dequantized(const WeightStore& ws, const QuantizationConfig& qc, const std::string& name, float* dst,
                          const std::vector<int64_t>& expected_shape) {
    const std::string suffix = ".weight";
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        const std::string module = name.substr(0, name.size() - suffix.size());
        if (is_quantized_module(ws, module)) {
            QuantizedMatrix q = load_quantized(ws, qc, module);
            const std::vector<int64_t> logical = {q.rows, q.cols};
            if (logical != expected_shape)
                throw InputError(ws.file_of(name)->path(), 0, name, "quantized matrix is " + shape_str(logical) + " but the config implies " + shape_str(expected_shape));
            dequantize(q, dst);
            return;
        }
    }
    ws.read_f32(name, dst, expected_shape);
}

std::vector<TensorToWrite> mlx_tensors(const QuantizedMatrix& q, const std::string& module, DType scale_dtype) {
    RF_CHECK(scale_dtype == DType::F32 || scale_dtype == DType::F16 || scale_dtype == DType::BF16);
    std::vector<TensorToWrite> out;
    const std::vector<int64_t> sshape = {q.rows, q.groups_per_row()};
    out.push_back({module + ".weight", {q.rows, q.words_per_row()}, nullptr, DType::U32, q.words.data()});
    if (q.spec.mode == QuantMode::mxfp4) {
        out.push_back({module + ".scales", sshape, nullptr, DType::U8, q.e8m0.data()});
        return out;
    }
    out.push_back({module + ".scales", sshape, q.scales.data(), scale_dtype});
    out.push_back({module + ".biases", sshape, q.biases.data(), scale_dtype});
    return out;
}

}  // namespace rf
