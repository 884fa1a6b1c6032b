#include "loader/bytes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>

#include "ember/error.h"

namespace ember {

namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Error file_error(const std::string& path, const std::string& what) {
  (void)path;
  return Error(ErrorKind::Load, what + ": " + std::strerror(errno));
}

Bytes allocate(size_t size) {
  size_t n = size == 0 ? 1 : size;
  void* p = ::operator new(n, std::align_val_t(64), std::nothrow);
  if (p == nullptr) throw Error(ErrorKind::Load, "out of memory reading " + std::to_string(size) + " bytes");
  Bytes b;
  b.data = static_cast<uint8_t*>(p);
  b.size = size;
  b.owner = std::shared_ptr<void>(p, [](void* q) { ::operator delete(q, std::align_val_t(64)); });
  return b;
}

}  // namespace

Bytes copy_bytes(const void* data, size_t size) {
  Bytes b = allocate(size);
  if (size != 0) std::memcpy(b.data, data, size);
  return b;
}

Bytes read_file(const std::string& path, bool use_mmap) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) throw file_error(path, "cannot open");
  struct stat st;
  if (::fstat(f.fd, &st) != 0) throw file_error(path, "cannot stat");
  if (!S_ISREG(st.st_mode)) throw Error(ErrorKind::Load, "not a regular file");
  size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) throw Error(ErrorKind::Load, "empty file, not an archive");
  if (use_mmap) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, f.fd, 0);
    if (p == MAP_FAILED) throw file_error(path, "cannot map");
    Bytes b;
    b.data = static_cast<uint8_t*>(p);
    b.size = size;
    b.owner = std::shared_ptr<void>(p, [size](void* q) { ::munmap(q, size); });
    return b;
  }
  Bytes b = allocate(size);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::read(f.fd, b.data + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw file_error(path, "cannot read");
    if (n == 0) throw Error(ErrorKind::Load, "the file shrank while reading");
    done += static_cast<size_t>(n);
  }
  return b;
}

}  // namespace ember
