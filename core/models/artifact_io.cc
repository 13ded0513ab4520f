#include "core/models/artifact_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace recplat::models {

// Sections are copied with memcpy: the on-disk format is little-endian.
static_assert(std::endian::native == std::endian::little,
              "artifact_io assumes a little-endian host");

namespace {

constexpr char kMagic[8] = {'R', 'P', 'L', 'M', 'O', 'D', 'E', 'L'};
constexpr uint32_t kMaxNameBytes = 4096;
// magic + version + family length + section count + checksum.
constexpr size_t kMinArtifactBytes = 8 + 4 + 4 + 4 + 8;

size_t ElementSize(ArtifactType type) {
  switch (type) {
    case ArtifactType::kU32:
    case ArtifactType::kF32:
      return 4;
    case ArtifactType::kF64:
    case ArtifactType::kI64:
      return 8;
    case ArtifactType::kString:
      return 1;
  }
  return 0;
}

template <typename T>
void PutFixed(std::string* out, T v) {
  out->append(reinterpret_cast<const char*>(&v), sizeof(v));
}

void PutName(std::string* out, absl::string_view name) {
  PutFixed<uint32_t>(out, static_cast<uint32_t>(name.size()));
  out->append(name.data(), name.size());
}

// Bounds-checked cursor over the artifact bytes (excluding the checksum).
class Cursor {
 public:
  Cursor(const std::string& bytes, size_t end) : bytes_(bytes), end_(end) {}
  size_t pos() const { return pos_; }
  size_t remaining() const { return end_ - pos_; }

  template <typename T>
  bool Get(T* v) {
    if (remaining() < sizeof(T)) return false;
    std::memcpy(v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool GetName(std::string* name) {
    uint32_t n = 0;
    if (!Get(&n) || n > kMaxNameBytes || remaining() < n) return false;
    name->assign(bytes_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool Skip(size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }

 private:
  const std::string& bytes_;
  size_t end_;
  size_t pos_ = 0;
};

absl::Status Corrupt(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("model artifact is corrupt: ", what));
}

}  // namespace

uint64_t Fnv1a64(absl::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

ArtifactWriter::ArtifactWriter(absl::string_view family) : family_(family) {}

void ArtifactWriter::AddSection(absl::string_view name, ArtifactType type, uint64_t count,
                                const void* data, size_t bytes) {
  PutName(&body_, name);
  PutFixed<uint8_t>(&body_, static_cast<uint8_t>(type));
  PutFixed<uint64_t>(&body_, count);
  body_.append(static_cast<const char*>(data), bytes);
  ++sections_;
}

void ArtifactWriter::AddU32(absl::string_view name, std::span<const uint32_t> values) {
  AddSection(name, ArtifactType::kU32, values.size(), values.data(), values.size_bytes());
}
void ArtifactWriter::AddF32(absl::string_view name, std::span<const float> values) {
  AddSection(name, ArtifactType::kF32, values.size(), values.data(), values.size_bytes());
}
void ArtifactWriter::AddF64(absl::string_view name, std::span<const double> values) {
  AddSection(name, ArtifactType::kF64, values.size(), values.data(), values.size_bytes());
}
void ArtifactWriter::AddI64(absl::string_view name, std::span<const int64_t> values) {
  AddSection(name, ArtifactType::kI64, values.size(), values.data(), values.size_bytes());
}
void ArtifactWriter::AddString(absl::string_view name, absl::string_view value) {
  AddSection(name, ArtifactType::kString, value.size(), value.data(), value.size());
}

std::string ArtifactWriter::Serialize() const {
  std::string out;
  out.reserve(kMinArtifactBytes + family_.size() + body_.size());
  out.append(kMagic, sizeof(kMagic));
  PutFixed<uint32_t>(&out, kArtifactFormatVersion);
  PutName(&out, family_);
  PutFixed<uint32_t>(&out, sections_);
  out.append(body_);
  PutFixed<uint64_t>(&out, Fnv1a64(out));
  return out;
}

absl::Status ArtifactWriter::WriteFile(const std::filesystem::path& path) const {
  const std::string bytes = Serialize();
  const std::filesystem::path tmp = path.string() + ".tmp";
  auto os_error = [&](absl::string_view op, const std::filesystem::path& p) {
    return absl::InternalError(absl::StrCat(op, " ", p.string(), ": ", std::strerror(errno)));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return os_error("cannot create", tmp);
  }
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      absl::Status s = os_error("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    absl::Status s = os_error("cannot sync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    absl::Status s = os_error("cannot rename to", path);
    ::unlink(tmp.c_str());
    return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<ArtifactReader> ArtifactReader::Parse(std::string bytes,
                                                     absl::string_view expected_family) {
  if (bytes.size() < kMinArtifactBytes) {
    return Corrupt(absl::StrCat("only ", bytes.size(), " bytes (truncated?)"));
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Corrupt("bad magic (not a recplat model artifact)");
  }
  const size_t end = bytes.size() - sizeof(uint64_t);
  uint64_t stored = 0;
  std::memcpy(&stored, bytes.data() + end, sizeof(stored));
  if (Fnv1a64(absl::string_view(bytes.data(), end)) != stored) {
    return Corrupt("checksum mismatch (truncated or modified file)");
  }
  ArtifactReader r;
  Cursor c(bytes, end);
  uint32_t version = 0;
  uint32_t count = 0;
  c.Skip(sizeof(kMagic));
  if (!c.Get(&version)) {
    return Corrupt("no format version");
  }
  if (version != kArtifactFormatVersion) {
    return Corrupt(absl::StrCat("format version ", version, ", this build reads version ",
                                kArtifactFormatVersion));
  }
  if (!c.GetName(&r.family_)) {
    return Corrupt("bad family name");
  }
  if (r.family_ != expected_family) {
    return absl::DataLossError(absl::StrCat("model artifact is of family '", r.family_,
                                            "', expected '", expected_family, "'"));
  }
  if (!c.Get(&count)) {
    return Corrupt("no section count");
  }
  for (uint32_t i = 0; i < count; ++i) {
    std::string name;
    uint8_t type = 0;
    uint64_t n = 0;
    if (!c.GetName(&name) || !c.Get(&type) || !c.Get(&n)) {
      return Corrupt(absl::StrCat("section ", i, " header is truncated"));
    }
    const size_t size = ElementSize(static_cast<ArtifactType>(type));
    if (size == 0) {
      return Corrupt(absl::StrCat("section '", name, "' has unknown type ", type));
    }
    if (n > c.remaining() / size) {
      return Corrupt(absl::StrCat("section '", name, "' claims ", n, " values past the end"));
    }
    Section section{static_cast<ArtifactType>(type), n, c.pos()};
    c.Skip(n * size);
    if (!r.sections_.emplace(name, section).second) {
      return Corrupt(absl::StrCat("duplicate section '", name, "'"));
    }
  }
  if (c.remaining() != 0) {
    return Corrupt(absl::StrCat(c.remaining(), " unexpected bytes after the last section"));
  }
  r.bytes_ = std::move(bytes);
  return r;
}

absl::StatusOr<ArtifactReader> ArtifactReader::ReadFile(const std::filesystem::path& path,
                                                        absl::string_view expected_family) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::DataLossError(absl::StrCat("cannot open model artifact ", path.string()));
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat("cannot read model artifact ", path.string()));
  }
  absl::StatusOr<ArtifactReader> r = Parse(std::move(buf).str(), expected_family);
  if (!r.ok()) {
    return absl::DataLossError(absl::StrCat(path.string(), ": ", r.status().message()));
  }
  return r;
}

absl::StatusOr<const ArtifactReader::Section*> ArtifactReader::Find(absl::string_view name,
                                                                    ArtifactType type) const {
  auto it = sections_.find(name);
  if (it == sections_.end()) {
    return absl::DataLossError(absl::StrCat("model artifact has no section '", name, "'"));
  }
  if (it->second.type != type) {
    return absl::DataLossError(absl::StrCat("model artifact section '", name, "' has type ",
                                            static_cast<int>(it->second.type), ", expected ",
                                            static_cast<int>(type)));
  }
  return &it->second;
}

template <typename T>
absl::StatusOr<std::vector<T>> ArtifactReader::Values(absl::string_view name,
                                                      ArtifactType type) const {
  absl::StatusOr<const Section*> s = Find(name, type);
  if (!s.ok()) {
    return s.status();
  }
  std::vector<T> out((*s)->count);
  if (!out.empty()) {
    std::memcpy(out.data(), bytes_.data() + (*s)->offset, out.size() * sizeof(T));
  }
  return out;
}

absl::StatusOr<std::vector<uint32_t>> ArtifactReader::U32(absl::string_view name) const {
  return Values<uint32_t>(name, ArtifactType::kU32);
}
absl::StatusOr<std::vector<float>> ArtifactReader::F32(absl::string_view name) const {
  return Values<float>(name, ArtifactType::kF32);
}
absl::StatusOr<std::vector<double>> ArtifactReader::F64(absl::string_view name) const {
  return Values<double>(name, ArtifactType::kF64);
}
absl::StatusOr<std::vector<int64_t>> ArtifactReader::I64(absl::string_view name) const {
  return Values<int64_t>(name, ArtifactType::kI64);
}
absl::StatusOr<std::string> ArtifactReader::String(absl::string_view name) const {
  absl::StatusOr<const Section*> s = Find(name, ArtifactType::kString);
  if (!s.ok()) {
    return s.status();
  }
  return std::string(bytes_.data() + (*s)->offset, (*s)->count);
}

absl::StatusOr<double> ArtifactReader::F64Scalar(absl::string_view name) const {
  absl::StatusOr<std::vector<double>> v = F64(name);
  if (!v.ok()) {
    return v.status();
  }
  if (v->size() != 1) {
    return absl::DataLossError(absl::StrCat("model artifact section '", name, "' holds ", v->size(),
                                            " values, expected 1"));
  }
  return v->front();
}

absl::StatusOr<int64_t> ArtifactReader::I64Scalar(absl::string_view name) const {
  absl::StatusOr<std::vector<int64_t>> v = I64(name);
  if (!v.ok()) {
    return v.status();
  }
  if (v->size() != 1) {
    return absl::DataLossError(absl::StrCat("model artifact section '", name, "' holds ", v->size(),
                                            " values, expected 1"));
  }
  return v->front();
}

}  // namespace recplat::models
