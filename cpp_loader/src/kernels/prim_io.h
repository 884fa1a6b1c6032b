// Where scripted code's print() and warnings.warn() go. A program embedding the runtime
// (the Python binding) may send them elsewhere; by default print() writes to stdout and a
// warning to stderr as "UserWarning: <message>".
#pragma once

#include <string>

namespace ember {

using TextSink = void (*)(const std::string& text);

// prim::Print calls `sink` with the printed line, newline included; null restores stdout.
void set_print_sink(TextSink sink);
// aten::warn calls `sink` with the warning's message; null restores stderr.
void set_warning_sink(TextSink sink);

}  // namespace ember
