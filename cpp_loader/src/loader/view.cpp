#include "loader/view.h"

#include "ember/error.h"

namespace ember {

void check_view(int64_t storage_numel, int64_t offset, const Dims& sizes, const Dims& strides,
                const std::string& where) {
  auto fail = [&](const std::string& what) { throw Error(ErrorKind::Load, where + ": " + what); };
  if (sizes.size() != strides.size()) fail("sizes and strides differ in length");
  if (sizes.size() > 64) fail(std::to_string(sizes.size()) + " dimensions");
  if (offset < 0 || offset > storage_numel) fail("storage offset " + std::to_string(offset) + " out of range");
  bool empty = false;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] < 0 || strides[d] < 0) fail("negative size or stride");
    empty = empty || sizes[d] == 0;
  }
  if (empty) return;
  int64_t last = offset;
  for (size_t d = 0; d < sizes.size(); ++d) {
    int64_t step = 0;
    if (__builtin_mul_overflow(sizes[d] - 1, strides[d], &step) ||
        __builtin_add_overflow(last, step, &last)) {
      fail("sizes and strides overflow");
    }
  }
  if (last >= storage_numel) {
    fail("the view reaches element " + std::to_string(last) + " of a storage of " +
         std::to_string(storage_numel));
  }
}

}  // namespace ember
