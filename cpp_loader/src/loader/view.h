// Checking a tensor view against its storage before it is made: used for the program's
// tensor constants and a checkpoint's rebuilt tensors.
#pragma once

#include <cstdint>
#include <string>

#include "ember/dims.h"

namespace ember {

// Throws Error(Load) "<where>: ..." unless every element of the view (sizes, strides and
// offset in elements, none negative) lies inside a storage of `storage_numel` elements.
void check_view(int64_t storage_numel, int64_t offset, const Dims& sizes, const Dims& strides,
                const std::string& where);

}  // namespace ember
