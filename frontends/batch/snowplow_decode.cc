// Snowplow enriched-event decoding (snowplow_decode.h).
#include "frontends/batch/snowplow_decode.h"

#include <zlib.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace recplat::batch {

uint32_t PageViewTable::InternClient(absl::string_view id) {
  auto [it, inserted] = client_index_.try_emplace(id, static_cast<uint32_t>(clients_.size()));
  if (inserted) {
    clients_.emplace_back(id);
  }
  return it->second;
}

uint32_t PageViewTable::InternPath(absl::string_view path) {
  auto [it, inserted] = path_index_.try_emplace(path, static_cast<uint32_t>(paths_.size()));
  if (inserted) {
    paths_.emplace_back(path);
  }
  return it->second;
}

void PageViewTable::Append(const PageViewTable& other) {
  std::vector<uint32_t> clients(other.clients_.size());
  std::vector<uint32_t> paths(other.paths_.size());
  for (size_t i = 0; i < clients.size(); ++i) {
    clients[i] = InternClient(other.clients_[i]);
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    paths[i] = InternPath(other.paths_[i]);
  }
  rows_.reserve(rows_.size() + other.rows_.size());
  for (const PageView& v : other.rows_) {
    rows_.push_back({clients[v.client], paths[v.path], v.time_ms});
  }
}

DecodeStats& DecodeStats::operator+=(const DecodeStats& o) {
  objects_decoded += o.objects_decoded;
  objects_empty += o.objects_empty;
  objects_uncompressed += o.objects_uncompressed;
  objects_corrupt += o.objects_corrupt;
  objects_truncated += o.objects_truncated;
  objects_too_large += o.objects_too_large;
  compressed_bytes += o.compressed_bytes;
  decompressed_bytes += o.decompressed_bytes;
  lines += o.lines;
  lines_malformed += o.lines_malformed;
  rows_without_client += o.rows_without_client;
  rows_without_path += o.rows_without_path;
  rows += o.rows;
  return *this;
}

namespace {

bool HasGzipMagic(absl::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

// Two digits / four digits at `p`, or -1.
int Digits(absl::string_view s, size_t p, size_t n) {
  if (p + n > s.size()) {
    return -1;
  }
  int v = 0;
  for (size_t i = p; i < p + n; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) {
      return -1;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

GunzipResult Gunzip(absl::string_view data, size_t max_output, std::string* out) {
  out->clear();
  if (data.empty()) {
    return GunzipResult::kEmpty;
  }
  if (!HasGzipMagic(data)) {
    return GunzipResult::kNotGzip;
  }
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return GunzipResult::kCorrupt;
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());  // objects above 4 GiB are refused by S3Client
  char buffer[64 * 1024];
  GunzipResult result = GunzipResult::kOk;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof(buffer);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const size_t produced = sizeof(buffer) - zs.avail_out;
    if (out->size() + produced > max_output) {
      result = GunzipResult::kTooLarge;
      break;
    }
    out->append(buffer, produced);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) {
        break;  // the last member ended exactly at the end of the data
      }
      // Another member must follow (concatenated gzip); anything else is garbage.
      const absl::string_view rest(reinterpret_cast<const char*>(zs.next_in), zs.avail_in);
      if (!HasGzipMagic(rest)) {
        result = rest.size() < 2 ? GunzipResult::kTruncated : GunzipResult::kCorrupt;
        break;
      }
      if (inflateReset(&zs) != Z_OK) {
        result = GunzipResult::kCorrupt;
        break;
      }
      continue;
    }
    if (rc == Z_OK) {
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      result = GunzipResult::kTruncated;  // no more input and the member did not end
      break;
    }
    result = GunzipResult::kCorrupt;  // Z_DATA_ERROR (bad data or checksum), Z_MEM_ERROR, ...
    break;
  }
  inflateEnd(&zs);
  if (result != GunzipResult::kOk) {
    out->clear();
  }
  return result;
}

absl::StatusOr<int64_t> ParseTimestampMs(absl::string_view s) {
  auto bad = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("not an ISO-8601 timestamp: \"", s.substr(0, 64), "\""));
  };
  const int year = Digits(s, 0, 4);
  const int month = Digits(s, 5, 2);
  const int day = Digits(s, 8, 2);
  const int hour = Digits(s, 11, 2);
  const int minute = Digits(s, 14, 2);
  const int second = Digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != ' ' && s[10] != 't') || s[13] != ':' || s[16] != ':') {
    return bad();
  }
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.day() != day || civil.month() != month) {
    return bad();  // 2021-02-30 normalises to March: refuse it
  }
  size_t p = 19;
  int64_t millis = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    int digits = 0;
    while (p < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[p]))) {
      if (digits < 3) {
        millis = millis * 10 + (s[p] - '0');
      }
      ++digits;
      ++p;
    }
    if (digits == 0) {
      return bad();
    }
    for (int d = digits; d < 3; ++d) {
      millis *= 10;
    }
  }
  int64_t offset_seconds = 0;
  if (p < s.size()) {
    if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) {
      p = s.size();
    } else if (s[p] == '+' || s[p] == '-') {
      const int sign = s[p] == '-' ? -1 : 1;
      const int oh = Digits(s, p + 1, 2);
      int om = -1;
      size_t end = 0;
      if (p + 3 < s.size() && s[p + 3] == ':') {
        om = Digits(s, p + 4, 2);
        end = p + 6;
      } else {
        om = Digits(s, p + 3, 2);
        end = p + 5;
      }
      if (oh < 0 || oh > 23 || om < 0 || om > 59 || end != s.size()) {
        return bad();
      }
      offset_seconds = sign * (oh * 3600 + om * 60);
    } else {
      return bad();
    }
  }
  const int64_t seconds = absl::ToUnixSeconds(absl::FromCivil(civil, absl::UTCTimeZone()));
  return (seconds - offset_seconds) * 1000 + millis;
}

void DecodeSnowplowLine(absl::string_view line, PageViewTable* table, DecodeStats* stats) {
  if (absl::StripAsciiWhitespace(line).empty()) {
    return;
  }
  ++stats->lines;
  const nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr,
                                                 /*allow_exceptions=*/false);
  if (!j.is_object()) {
    ++stats->lines_malformed;
    return;
  }
  const auto ts = j.find("collector_tstamp");
  if (ts == j.end() || !ts->is_string()) {
    ++stats->lines_malformed;
    return;
  }
  const absl::StatusOr<int64_t> time_ms = ParseTimestampMs(ts->get_ref<const std::string&>());
  if (!time_ms.ok()) {
    ++stats->lines_malformed;
    return;
  }
  const std::string* client = nullptr;
  if (const auto ctx = j.find("contexts_dev_amp_snowplow_amp_id_1");
      ctx != j.end() && ctx->is_array() && !ctx->empty() && (*ctx)[0].is_object()) {
    const auto id = (*ctx)[0].find("ampClientId");
    if (id != (*ctx)[0].end() && id->is_string() && !id->get_ref<const std::string&>().empty()) {
      client = &id->get_ref<const std::string&>();
    }
  }
  if (client == nullptr) {
    ++stats->rows_without_client;
    return;
  }
  const auto path = j.find("page_urlpath");
  if (path == j.end() || !path->is_string() || path->get_ref<const std::string&>().empty()) {
    ++stats->rows_without_path;
    return;
  }
  table->Add(table->InternClient(*client), table->InternPath(path->get_ref<const std::string&>()),
             *time_ms);
  ++stats->rows;
}

void DecodeSnowplowObject(absl::string_view object, size_t max_decompressed,
                          PageViewTable* table, DecodeStats* stats) {
  stats->compressed_bytes += static_cast<int64_t>(object.size());
  std::string text;
  switch (Gunzip(object, max_decompressed, &text)) {
    case GunzipResult::kOk:
      break;
    case GunzipResult::kEmpty:
      ++stats->objects_empty;
      return;
    case GunzipResult::kNotGzip:
      ++stats->objects_uncompressed;
      return;
    case GunzipResult::kCorrupt:
      ++stats->objects_corrupt;
      return;
    case GunzipResult::kTruncated:
      ++stats->objects_truncated;
      return;
    case GunzipResult::kTooLarge:
      ++stats->objects_too_large;
      return;
  }
  ++stats->objects_decoded;
  stats->decompressed_bytes += static_cast<int64_t>(text.size());
  absl::string_view rest(text);
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const absl::string_view line = rest.substr(0, nl);
    DecodeSnowplowLine(line, table, stats);
    if (nl == absl::string_view::npos) {
      break;
    }
    rest.remove_prefix(nl + 1);
  }
}

}  // namespace recplat::batch
