// The unit a step function trains: the model and what updates it. A Session owns these objects and
// lends them as a Policy; so can any other caller (a rank of a data-parallel run, a benchmark).
#pragma once

namespace rf {

class Model;
class Tokenizer;
class Optimizer;
class LearningRateSchedule;
class Comm;

struct Policy {
    Model* model = nullptr;      // the trained model (adapters, or the base itself for full fine-tuning)
    Model* reference = nullptr;  // a separate reference model, or nullptr: the model's frozen base
    const Tokenizer* tok = nullptr;
    Optimizer* optimizer = nullptr;
    LearningRateSchedule* schedule = nullptr;
    // The ranks that train this policy together (dist/comm.h; train/data_parallel.h): each takes a
    // share of every batch and the gradients are summed before the update. Null: one process.
    Comm* comm = nullptr;
};

}  // namespace rf
