// What `reinforge-cli info` (and the GUI's model picker) shows about a model folder or HF id:
// architecture, sizes, parameter count from the stored tensor shapes, dtypes, bytes, quantization.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "model/model_config.h"
#include "quant/quant_config.h"

namespace rf {

struct ModelSummary {
    std::string dir;           // resolved folder
    std::string architecture;  // config.json architectures[0] ("" when absent)
    ModelConfig config;
    QuantizationConfig quantization;
    int64_t parameters = 0;          // element count of the model's tensors; quantized matrices count
                                     // their logical (unpacked) elements, scales/biases are not counted
    int64_t tensors = 0;
    int64_t quantized_tensors = 0;   // matrices stored packed (U32 weight + scales)
    std::map<std::string, int64_t> dtype_tensors;  // "BF16" -> number of tensors stored so
    std::map<std::string, int64_t> dtype_bytes;    // "BF16" -> bytes stored so
    int64_t file_bytes = 0;    // size of the safetensors files
    int files = 0;
    bool quantized() const { return quantized_tensors > 0 || quantization.present; }
};

// Throws InputError (unknown folder/id, bad config.json, bad safetensors).
ModelSummary summarize_model(const std::string& id_or_path);

}  // namespace rf
