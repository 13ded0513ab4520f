#include "core/registry/internal/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace recplat::registry::internal {
namespace {

namespace fs = std::filesystem;

absl::Status IoError(absl::string_view op, const fs::path& path, int err) {
  std::string message = absl::StrCat(op, " ", path.string(), ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) {
    return absl::ResourceExhaustedError(message);
  }
  return absl::InternalError(message);
}

absl::Status IoError(absl::string_view op, const fs::path& path, const std::error_code& ec) {
  return IoError(op, path, ec.value());
}

// Owns a file descriptor; closing errors are reported by Close().
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

absl::Status SyncPath(const fs::path& path, int flags) {
  Fd fd(::open(path.c_str(), flags | O_CLOEXEC));
  if (fd.get() < 0) {
    return IoError("open", path, errno);
  }
  if (::fsync(fd.get()) != 0) {
    return IoError("fsync", path, errno);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> ReadFileToString(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat(path.string(), " does not exist"));
    }
    return IoError("open", path, errno);
  }
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return IoError("read", path, errno);
    }
    if (n == 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

absl::Status WriteFileAtomically(const fs::path& path, absl::string_view contents) {
  fs::path tmp = path;
  tmp += std::string(kTempSuffix);
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      return IoError("open", tmp, errno);
    }
    const char* p = contents.data();
    size_t left = contents.size();
    while (left > 0) {
      ssize_t n = ::write(fd.get(), p, left);
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        int err = errno;
        ::unlink(tmp.c_str());
        return IoError("write", tmp, err);
      }
      p += n;
      left -= static_cast<size_t>(n);
    }
    if (::fsync(fd.get()) != 0 || fd.Close() != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return IoError("fsync", tmp, err);
    }
  }
  return RenameDurably(tmp, path);
}

absl::Status SyncDir(const fs::path& dir) { return SyncPath(dir, O_RDONLY | O_DIRECTORY); }

absl::Status SyncTree(const fs::path& dir) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec);
  if (ec) {
    return IoError("list", dir, ec);
  }
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) {
      return IoError("list", dir, ec);
    }
    const fs::directory_entry& entry = *it;
    if (entry.is_directory(ec)) {
      absl::Status s = SyncDir(entry.path());
      if (!s.ok()) {
        return s;
      }
    } else if (entry.is_regular_file(ec)) {
      absl::Status s = SyncPath(entry.path(), O_RDONLY);
      if (!s.ok()) {
        return s;
      }
    }
  }
  if (ec) {
    return IoError("list", dir, ec);
  }
  return SyncDir(dir);
}

absl::Status RenameDurably(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    int err = errno;
    return IoError("rename to " + to.string(), from, err);
  }
  return SyncDir(to.parent_path());
}

absl::Status RemoveFileDurably(const fs::path& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) {
      return absl::OkStatus();
    }
    return IoError("unlink", path, errno);
  }
  return SyncDir(path.parent_path());
}

}  // namespace recplat::registry::internal
