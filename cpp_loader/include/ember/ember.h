// ember's C++ runtime: load archives written by ember.jit.save and run them, no Python.
//
//   #include <ember/ember.h>
//   auto module = ember::load("model.pt");
//   auto out = module->forward({ember::Tensor::from_vector({1.f, 2.f, 3.f, 4.f})});
//   if (!out) std::cerr << out.error().what() << "\n";
#pragma once

#include "ember/dims.h"
#include "ember/dtype.h"
#include "ember/error.h"
#include "ember/module.h"
#include "ember/tensor.h"
#include "ember/value.h"
