// Messages quote names read from files (records, operators, attributes): damaged files
// make them arbitrary bytes, so errors leaving the API escape what is not valid UTF-8.
#pragma once

#include <string>

#include "ember/error.h"

namespace ember {

// `s` with every byte that is not part of a valid UTF-8 sequence, and every control
// character but newline, written as \xNN.
std::string valid_utf8(const std::string& s);

// The same error, its message made valid UTF-8.
inline Error with_valid_text(const Error& e) { return Error(e.kind(), valid_utf8(e.what())); }

}  // namespace ember
