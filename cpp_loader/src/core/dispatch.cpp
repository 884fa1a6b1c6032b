#include "core/dispatch.h"

namespace ember {

const char* dtype_cpp_name(DType dtype) {
  switch (dtype) {
    case DType::UInt8: return "Byte";
    case DType::Int8: return "Char";
    case DType::Int16: return "Short";
    case DType::Int32: return "Int";
    case DType::Int64: return "Long";
    case DType::Float16: return "Half";
    case DType::Float32: return "Float";
    case DType::Float64: return "Double";
    case DType::Complex32: return "ComplexHalf";
    case DType::Complex64: return "ComplexFloat";
    case DType::Complex128: return "ComplexDouble";
    case DType::Bool: return "Bool";
    case DType::BFloat16: return "BFloat16";
  }
  return "Unknown";
}

void throw_not_implemented(const char* op, DType dtype) {
  throw Error(ErrorKind::Runtime,
              std::string("\"") + op + "\" not implemented for '" + dtype_cpp_name(dtype) + "'");
}

}  // namespace ember
