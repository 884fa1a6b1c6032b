// Errors: `ember::Error` inside the runtime, `Result<T>` at the API.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace ember {

enum class ErrorKind {
  Load,      // a damaged or unsupported file: zip, flatbuffer, record, index, size
  Version,   // an archive version or program format outside what this runtime reads
  Operator,  // an operator with no kernel, or a bad upgrader binding
  Argument,  // wrong inputs given to forward (count, type, shape)
  Runtime,   // an error raised while running: a kernel's check, prim::RaiseException
};

// What went wrong and where: messages name the record, function, op and index.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// A value or the Error that prevented it.
//
//   auto loaded = ember::load("model.pt");
//   if (!loaded) { std::cerr << loaded.error().what() << "\n"; return 1; }
//   ember::Module& module = *loaded;
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() {
    if (!ok()) throw std::get<1>(state_);
    return std::get<0>(state_);
  }
  const T& value() const {
    if (!ok()) throw std::get<1>(state_);
    return std::get<0>(state_);
  }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace ember
