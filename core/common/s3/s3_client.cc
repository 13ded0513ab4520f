#include "core/common/s3/s3_client.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace recplat::s3 {
namespace {

// Listing and error documents are small; anything bigger is not what we asked for.
constexpr int64_t kMaxDocumentBytes = int64_t{32} << 20;
// Idle handles kept for reuse (each keeps its connection).
constexpr size_t kMaxIdleHandles = 8;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

bool ValidBucketName(absl::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (char c : name) {
    if (!(absl::ascii_islower(static_cast<unsigned char>(c)) ||
          absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

bool Retryable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

bool Retryable(long status) { return status == 408 || status == 429 || status >= 500; }

absl::StatusCode CodeForHttp(long status) {
  switch (status) {
    case 401: return absl::StatusCode::kUnauthenticated;
    case 403: return absl::StatusCode::kPermissionDenied;
    case 404: return absl::StatusCode::kNotFound;
    case 409:
    case 412: return absl::StatusCode::kFailedPrecondition;
    case 416: return absl::StatusCode::kOutOfRange;
    case 408:
    case 429: return absl::StatusCode::kUnavailable;
    default: break;
  }
  if (status >= 500) return absl::StatusCode::kUnavailable;
  if (status >= 400) return absl::StatusCode::kInvalidArgument;
  return absl::StatusCode::kInternal;  // 1xx/3xx: no redirects are followed
}

struct Body {
  std::string data;
  int64_t limit = 0;
  bool over_limit = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const size_t bytes = size * count;
  if (static_cast<int64_t>(body->data.size() + bytes) > body->limit) {
    body->over_limit = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  body->data.append(data, bytes);
  return bytes;
}

size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  const size_t bytes = size * count;
  absl::string_view line(data, bytes);
  if (absl::StartsWith(line, "HTTP/")) headers->clear();  // a new response (after 100 Continue)
  size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    (*headers)[absl::AsciiStrToLower(absl::StripAsciiWhitespace(line.substr(0, colon)))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return bytes;
}

struct Upload {
  absl::string_view data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

int SeekUpload(void* user, curl_off_t offset, int origin) {
  auto* upload = static_cast<Upload*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > upload->data.size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  upload->offset = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

long Millis(absl::Duration d) { return static_cast<long>(absl::ToInt64Milliseconds(d)); }

}  // namespace

struct S3Client::Request {
  Request(std::string method, std::string url, std::string resource)
      : method(std::move(method)), url(std::move(url)), resource(std::move(resource)) {}

  std::string method;  // GET PUT HEAD DELETE
  std::string url;
  std::string resource;  // for messages: bucket/key or bucket?query
  absl::string_view body;
  std::string content_type;
  std::string range;  // "bytes=a-b" or empty
  int64_t max_body = kMaxDocumentBytes;
};

struct S3Client::Response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names
};

std::string UriEncode(absl::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

absl::StatusOr<std::unique_ptr<S3Client>> S3Client::Create(S3ClientOptions options,
                                                           RequestObserver observer) {
  absl::string_view endpoint = absl::StripSuffix(options.endpoint, "/");
  std::string scheme;
  if (absl::ConsumePrefix(&endpoint, "http://")) {
    scheme = "http";
  } else if (absl::ConsumePrefix(&endpoint, "https://")) {
    scheme = "https";
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "s3: endpoint '", options.endpoint, "' must start with http:// or https://"));
  }
  if (endpoint.empty() || absl::StrContains(endpoint, '/') || absl::StrContains(endpoint, '?') ||
      absl::StrContains(endpoint, '@') || absl::StrContains(endpoint, ' ')) {
    return absl::InvalidArgumentError(absl::StrCat(
        "s3: endpoint '", options.endpoint, "' must be scheme://host[:port] (no path or user)"));
  }
  if (!ValidBucketName(options.bucket)) {
    return absl::InvalidArgumentError(
        absl::StrCat("s3: bucket '", options.bucket,
                     "' is not a bucket name (3 to 63 of a-z 0-9 . - _)"));
  }
  if (options.region.empty()) return absl::InvalidArgumentError("s3: region must not be empty");
  if (options.max_attempts < 1 || options.initial_backoff < absl::ZeroDuration() ||
      options.max_backoff < options.initial_backoff ||
      options.connect_timeout <= absl::ZeroDuration() ||
      options.request_timeout < absl::ZeroDuration() || options.max_object_bytes < 0) {
    return absl::InvalidArgumentError(
        "s3: max_attempts must be >= 1, backoffs and timeouts positive and ordered");
  }
  if (options.credentials.access_key_id.empty() != options.credentials.secret_access_key.empty()) {
    return absl::InvalidArgumentError("s3: an access key id needs its secret and vice versa");
  }
  GlobalInit();
  std::string host(endpoint);
  return std::unique_ptr<S3Client>(
      new S3Client(std::move(options), std::move(observer), std::move(scheme), std::move(host)));
}

S3Client::S3Client(S3ClientOptions options, RequestObserver observer, std::string scheme,
                   std::string host)
    : options_(std::move(options)),
      observer_(std::move(observer)),
      scheme_(std::move(scheme)),
      host_(std::move(host)) {}

S3Client::~S3Client() {
  absl::MutexLock lock(&mu_);
  for (void* handle : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

std::string S3Client::BucketUrl() const {
  if (options_.path_style) return absl::StrCat(scheme_, "://", host_, "/", options_.bucket);
  return absl::StrCat(scheme_, "://", options_.bucket, ".", host_);
}

std::string S3Client::ObjectUrl(absl::string_view key) const {
  return absl::StrCat(BucketUrl(), "/", UriEncode(key, /*keep_slash=*/true));
}

void* S3Client::AcquireHandle() const {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_handles_.empty()) {
      void* handle = idle_handles_.back();
      idle_handles_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void S3Client::ReleaseHandle(void* handle) const {
  if (handle == nullptr) return;
  {
    absl::MutexLock lock(&mu_);
    if (idle_handles_.size() < kMaxIdleHandles) {
      idle_handles_.push_back(handle);
      return;
    }
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

absl::StatusOr<S3Client::Response> S3Client::Attempt(const Request& request) const {
  CURL* curl = static_cast<CURL*>(AcquireHandle());
  if (curl == nullptr) return absl::ResourceExhaustedError("s3: cannot create a libcurl handle");
  curl_easy_reset(curl);
  Response response;
  Body body;
  body.limit = request.max_body;
  Upload upload;
  upload.data = request.body;
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  headers = curl_slist_append(
      headers, absl::StrCat("x-amz-content-sha256: ", Sha256Hex(request.body)).c_str());
  if (!options_.credentials.session_token.empty()) {
    headers = curl_slist_append(
        headers,
        absl::StrCat("x-amz-security-token: ", options_.credentials.session_token).c_str());
  }
  if (!request.range.empty()) {
    headers = curl_slist_append(headers, absl::StrCat("Range: ", request.range).c_str());
  }
  if (options_.signing_clock) {
    headers = curl_slist_append(
        headers, absl::StrCat("x-amz-date: ",
                              absl::FormatTime("%Y%m%dT%H%M%SZ", options_.signing_clock(),
                                               absl::UTCTimeZone()))
                     .c_str());
  }
  curl_slist* connect_to = nullptr;
  for (const std::string& entry : options_.connect_to) {
    connect_to = curl_slist_append(connect_to, entry.c_str());
  }
  if (!request.content_type.empty()) {
    headers =
        curl_slist_append(headers, absl::StrCat("Content-Type: ", request.content_type).c_str());
  }
  const std::string sigv4 = absl::StrCat("aws:amz:", options_.region, ":s3");
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, Millis(options_.connect_timeout));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, Millis(options_.request_timeout));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  if (connect_to != nullptr) curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.credentials.empty()) {
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, options_.credentials.access_key_id.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.credentials.secret_access_key.c_str());
  }
  if (request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadUpload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, &SeekUpload);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_slist_free_all(headers);
  curl_slist_free_all(connect_to);
  ReleaseHandle(curl);
  const std::string what = absl::StrCat("s3: ", request.method, " ", request.resource);
  if (body.over_limit) {
    return absl::ResourceExhaustedError(
        absl::StrCat(what, ": the answer is larger than ", request.max_body, " bytes"));
  }
  if (code != CURLE_OK) {
    const std::string message =
        absl::StrCat(what, " (", request.url, "): ", error[0] ? error : curl_easy_strerror(code));
    if (code == CURLE_OPERATION_TIMEDOUT) return absl::DeadlineExceededError(message);
    if (Retryable(code)) return absl::UnavailableError(message);
    return absl::InternalError(message);
  }
  response.body = std::move(body.data);
  return response;
}

absl::StatusOr<S3Client::Response> S3Client::Execute(absl::string_view operation,
                                                     const Request& request) const {
  thread_local std::mt19937_64 rng(std::random_device{}());
  const absl::Time start = absl::Now();
  absl::Duration backoff = options_.initial_backoff;
  absl::StatusOr<Response> result;
  int attempts = 0;
  long last_status = 0;
  for (attempts = 1;; ++attempts) {
    result = Attempt(request);
    bool retry = false;
    if (result.ok()) {
      last_status = result->status;
      if (result->status >= 200 && result->status < 300) break;
      retry = Retryable(result->status);
      const ErrorBody error = ParseErrorBody(result->body);
      result = absl::Status(
          CodeForHttp(result->status),
          absl::StrCat("s3: ", request.method, " ", request.resource, ": HTTP ", result->status,
                       error.code.empty() ? "" : " ", error.code,
                       error.message.empty() ? "" : ": ", error.message));
    } else {
      last_status = 0;
      retry = result.status().code() == absl::StatusCode::kUnavailable ||
              result.status().code() == absl::StatusCode::kDeadlineExceeded;
    }
    if (!retry || attempts >= options_.max_attempts) break;
    // Full jitter: a uniform wait in [0, backoff].
    std::uniform_real_distribution<double> jitter(0.0, 1.0);
    absl::SleepFor(backoff * jitter(rng));
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  if (!result.ok() && attempts > 1) {
    result = absl::Status(result.status().code(),
                          absl::StrCat(result.status().message(), " (after ", attempts,
                                       " attempts)"));
  }
  if (observer_) {
    observer_(RequestRecord{operation, static_cast<int>(last_status), attempts,
                            absl::Now() - start, result.status().code()});
  }
  return result;
}

absl::StatusOr<std::string> S3Client::GetObject(absl::string_view key) const {
  Request request("GET", ObjectUrl(key), absl::StrCat(options_.bucket, "/", key));
  request.max_body = options_.max_object_bytes;
  absl::StatusOr<Response> response = Execute("GetObject", request);
  if (!response.ok()) return response.status();
  return std::move(response->body);
}

absl::StatusOr<std::string> S3Client::GetObjectRange(absl::string_view key, int64_t first,
                                                     int64_t last) const {
  if (first < 0 || last < first) {
    return absl::InvalidArgumentError(
        absl::StrCat("s3: byte range ", first, "-", last, " of ", key, " is not a range"));
  }
  Request request("GET", ObjectUrl(key), absl::StrCat(options_.bucket, "/", key));
  request.range = absl::StrCat("bytes=", first, "-", last);
  // A store that ignores Range sends the whole object.
  request.max_body = options_.max_object_bytes;
  absl::StatusOr<Response> response = Execute("GetObject", request);
  if (!response.ok()) return response.status();
  if (response->status == 206) return std::move(response->body);
  // 200: the whole object.
  if (first >= static_cast<int64_t>(response->body.size())) {
    return absl::OutOfRangeError(absl::StrCat("s3: ", key, " has ", response->body.size(),
                                              " bytes, fewer than ", first + 1));
  }
  return response->body.substr(static_cast<size_t>(first),
                               static_cast<size_t>(last - first + 1));
}

absl::Status S3Client::PutObject(absl::string_view key, absl::string_view data,
                                 absl::string_view content_type) const {
  Request request("PUT", ObjectUrl(key), absl::StrCat(options_.bucket, "/", key));
  request.body = data;
  request.content_type = std::string(content_type);
  return Execute("PutObject", request).status();
}

absl::Status S3Client::DeleteObject(absl::string_view key) const {
  Request request("DELETE", ObjectUrl(key), absl::StrCat(options_.bucket, "/", key));
  absl::StatusOr<Response> response = Execute("DeleteObject", request);
  if (absl::IsNotFound(response.status()) &&
      !absl::StrContains(response.status().message(), "NoSuchBucket")) {
    return absl::OkStatus();
  }
  return response.status();
}

absl::StatusOr<ObjectInfo> S3Client::HeadObject(absl::string_view key) const {
  Request request("HEAD", ObjectUrl(key), absl::StrCat(options_.bucket, "/", key));
  absl::StatusOr<Response> response = Execute("HeadObject", request);
  if (!response.ok()) return response.status();
  ObjectInfo info;
  info.key = std::string(key);
  auto length = response->headers.find("content-length");
  if (length == response->headers.end() || !absl::SimpleAtoi(length->second, &info.size) ||
      info.size < 0) {
    return absl::InternalError(
        absl::StrCat("s3: HEAD ", request.resource, ": no valid Content-Length in the answer"));
  }
  if (auto etag = response->headers.find("etag"); etag != response->headers.end()) {
    info.etag = std::string(absl::StripSuffix(absl::StripPrefix(etag->second, "\""), "\""));
  }
  if (auto modified = response->headers.find("last-modified");
      modified != response->headers.end()) {
    info.last_modified = modified->second;
  }
  return info;
}

absl::StatusOr<ListPage> S3Client::ListObjectsPage(absl::string_view prefix,
                                                   absl::string_view continuation_token,
                                                   int max_keys,
                                                   absl::string_view delimiter) const {
  if (max_keys < 1 || max_keys > 1000) {
    return absl::InvalidArgumentError("s3: ListObjectsV2 max_keys must be in 1..1000");
  }
  // Parameters in the canonical (sorted, encoded) order SigV4 signs.
  std::string query;
  auto add = [&query](absl::string_view name, absl::string_view value) {
    absl::StrAppend(&query, query.empty() ? "" : "&", name, "=", UriEncode(value, false));
  };
  if (!continuation_token.empty()) add("continuation-token", continuation_token);
  if (!delimiter.empty()) add("delimiter", delimiter);
  add("list-type", "2");
  add("max-keys", absl::StrCat(max_keys));
  add("prefix", prefix);
  Request request("GET", absl::StrCat(BucketUrl(), "/?", query),
                  absl::StrCat(options_.bucket, "?prefix=", prefix));
  absl::StatusOr<Response> response = Execute("ListObjectsV2", request);
  if (!response.ok()) return response.status();
  absl::StatusOr<ListPage> page = ParseListObjectsV2(response->body);
  if (!page.ok()) {
    return absl::Status(page.status().code(), absl::StrCat("s3: ListObjectsV2 ", request.resource,
                                                           ": ", page.status().message()));
  }
  return page;
}

absl::StatusOr<std::vector<ObjectInfo>> S3Client::ListAllObjects(absl::string_view prefix,
                                                                 int64_t max_objects) const {
  std::vector<ObjectInfo> objects;
  std::string token;
  while (true) {
    absl::StatusOr<ListPage> page = ListObjectsPage(prefix, token);
    if (!page.ok()) return page.status();
    for (ObjectInfo& object : page->objects) {
      if (static_cast<int64_t>(objects.size()) >= max_objects) {
        return absl::ResourceExhaustedError(absl::StrCat(
            "s3: more than ", max_objects, " objects under '", prefix, "' in ", options_.bucket));
      }
      objects.push_back(std::move(object));
    }
    if (!page->truncated) return objects;
    if (page->next_continuation_token == token) {
      return absl::InternalError(absl::StrCat(
          "s3: ListObjectsV2 ", options_.bucket, "?prefix=", prefix,
          ": the store returned the same continuation token twice"));
    }
    token = std::move(page->next_continuation_token);
  }
}

absl::Status S3Client::CreateBucket() const {
  std::string body;
  if (options_.region != "us-east-1") {
    body = absl::StrCat(
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<LocationConstraint>",
        options_.region, "</LocationConstraint></CreateBucketConfiguration>");
  }
  Request request("PUT", BucketUrl(), options_.bucket);
  request.body = body;
  absl::StatusOr<Response> response = Execute("CreateBucket", request);
  if (response.ok() || absl::StrContains(response.status().message(), "BucketAlreadyOwnedByYou")) {
    return absl::OkStatus();
  }
  // "Exists" may mean someone else's bucket (AWS) or ours (stores that do not tell them
  // apart): it is fine when we can list it.
  if (absl::StrContains(response.status().message(), "BucketAlreadyExists") &&
      ListObjectsPage("", "", 1).ok()) {
    return absl::OkStatus();
  }
  return response.status();
}

}  // namespace recplat::s3
