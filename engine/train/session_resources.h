// What a Session opens before its first step: the policy (and a reference when one is needed), the
// optimizer and schedule, the reward functions and the judge; plus the adapter files of a run.
#pragma once
#include <string>

#include "train/session_impl.h"

namespace rf {

void open_model(Session::Impl& s);
void open_optimizer(Session::Impl& s);
void open_judge(Session::Impl& s);


// Peak resident memory of this process (VmHWM) in GB.
double peak_memory_gb();

}  // namespace rf
