// File: rest_client.h
//
// RestClient: the small HTTP(S) client recplat's Renewal recsystem uses to read the backend's
// REST API at start-up and after each reconnect (seed-systems.md §1.4): `GET /v1/articles`
// (newest first, paged with limit/since_id/max_id) and `GET /v1/user_assignments`. Every request
// carries `Authorization: Bearer <token>`; the token is never logged nor put in an error.
//
// It is not a general HTTP client: GET only, one connection per request, JSON bodies only.
// TLS verification is on unless `insecure_skip_verify` is set (internal/transport.h).
//
// Errors: UNAVAILABLE (cannot connect, connection lost, HTTP 429 or 5xx), DEADLINE_EXCEEDED
// (request not done within `timeout`), UNAUTHENTICATED (401), PERMISSION_DENIED (403),
// NOT_FOUND (404), FAILED_PRECONDITION (another non-2xx status), INTERNAL (a body that is not
// the JSON expected), CANCELLED (after Cancel()).
//
// Thread safety: all methods may be called concurrently; each request runs on the calling
// thread (blocking it for at most `timeout`).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "frontends/renewal_ws/renewal_config.h"
#include "nlohmann/json.hpp"

namespace recplat::renewal_ws {

struct RestClientOptions {
  // Base of the REST API; requests go to <base>/articles, <base>/user_assignments.
  std::string api_base_uri = kDefaultApiBaseUri;
  // Bearer token (a JWT). Secret: never logged.
  std::string token;
  // PEM file of trusted CA certificates; empty uses the system store.
  std::string ca_file;
  // Accept any server certificate. Only for tests and self-signed development backends.
  bool insecure_skip_verify = false;
  // Time allowed for one whole request (connect, TLS, send, receive).
  absl::Duration timeout = absl::Seconds(30);
  // Largest response body accepted.
  int64_t max_body_bytes = int64_t{256} << 20;
  std::string user_agent = "recplat-renewal";
};

class RestClient {
 public:
  // INVALID_ARGUMENT for a bad base URI or an unreadable CA file.
  static absl::StatusOr<std::unique_ptr<RestClient>> Create(RestClientOptions options);
  ~RestClient();

  RestClient(const RestClient&) = delete;
  RestClient& operator=(const RestClient&) = delete;

  // GET <base>/<relative> (relative has no leading '/', may carry a query) and parses the
  // JSON body of a 2xx answer.
  absl::StatusOr<nlohmann::json> GetJson(std::string_view relative);

  // One page of GET <base>/articles?limit=..[&since_id=..][&max_id=..]: articles with
  // since_id < article_id < max_id, newest first. INTERNAL when the body is not an array.
  absl::StatusOr<std::vector<nlohmann::json>> GetArticles(int limit,
                                                          std::optional<int64_t> since_id,
                                                          std::optional<int64_t> max_id);

  // Pages GetArticles newest first (each page below the previous one's lowest id) until
  // `max_count` articles, an empty page, or `since_id` is reached. Articles without an integer
  // `article_id` are dropped. Returns them newest first.
  // REQUIRES: page_size >= 1.
  absl::StatusOr<std::vector<nlohmann::json>> FetchArticles(std::optional<int64_t> since_id,
                                                            size_t max_count, int page_size);

  // GET <base>/user_assignments, as returned (an array of {user_id, interactions} objects or
  // of user id strings).
  absl::StatusOr<nlohmann::json> GetUserAssignments();

  // Fails the requests in flight, and every later one, with CANCELLED. Idempotent.
  void Cancel();

 private:
  struct Impl;
  explicit RestClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace recplat::renewal_ws
