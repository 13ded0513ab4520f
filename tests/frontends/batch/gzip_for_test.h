// GzipForTest: gzip-compresses a text (one member) for the batch frontend's tests.
#pragma once

#include <zlib.h>

#include <cstring>
#include <string>

namespace recplat::batch {

inline std::string GzipForTest(const std::string& text) {
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, text.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// One Snowplow enriched-event line with the fields the job reads (and a few it ignores).
inline std::string SnowplowLineForTest(const std::string& tstamp, const std::string& path,
                                       const std::string& client) {
  return "{\"app_id\":\"wcp\",\"event\":\"amp_page_ping\",\"collector_tstamp\":\"" + tstamp +
         "\",\"page_urlpath\":\"" + path +
         "\",\"contexts_dev_amp_snowplow_amp_id_1\":[{\"ampClientId\":\"" + client +
         "\"}],\"contexts_dev_amp_snowplow_amp_web_page_1\":[{\"totalEngagedTime\":12}]}";
}

}  // namespace recplat::batch
