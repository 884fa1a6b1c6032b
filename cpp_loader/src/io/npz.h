// numpy's .npy and .npz files (the inputs and outputs of ember-run).
//
//   auto arrays = ember::read_npz("in.npz");        // [("in0", tensor), ...] in file order
//   ember::write_npz("out.npz", {{"out0", t}});
//
// Every dtype ember has (bool, integers, float16/32/64, complex64/128; bfloat16 is numpy's
// '<V2', which is how numpy saves ml_dtypes.bfloat16), 0-d arrays, big-endian and
// Fortran-order arrays (converted to native C order). npz members may be stored or
// deflated (zlib, loaded on first use). A damaged file throws Error(ErrorKind::Load) naming
// the file and member; nothing is allocated before the sizes are checked against the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// An .npy file's bytes as a new tensor; `what` names the source in error messages.
Tensor parse_npy(const uint8_t* data, size_t size, const std::string& what);
// The .npy bytes of `t` (format 1.0, C order, little-endian).
std::string format_npy(const Tensor& t);

// The arrays of an .npz archive, names without ".npy", in the archive's order.
NamedTensors parse_npz(const uint8_t* data, size_t size, const std::string& what);
NamedTensors read_npz(const std::string& path);
Tensor read_npy(const std::string& path);

// Writes an .npz (members stored, not compressed) atomically: a temporary file, then rename.
void write_npz(const std::string& path, const NamedTensors& arrays);
void write_npy(const std::string& path, const Tensor& t);

// CRC-32 as zip uses it.
uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0);

}  // namespace ember
