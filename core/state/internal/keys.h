// File: keys.h (internal to core/state)
//
// Key and value encodings of the state store. Strings in keys are length-prefixed (varint32
// length, then bytes) so that no id can be a prefix of another's encoding; integers in keys are
// big-endian so byte order equals numeric order.
//
// Column families and their keys:
//   default (meta)  "applied_offset"                  -> u64
//                   "type:" name                      -> u16 event type id
//                   "tenant:" str(tenant)             -> TenantMeta (32 fixed bytes, then
//                                                        fixed (u16 type id, u64 count) pairs:
//                                                        applied events by type)
//                   "shop_seq:" str(tenant) be64(product id) -> be64 log offset of the
//                                                        product's last write (ShopCatalog)
//   items           str(tenant) str(id)               -> StoredItem proto
//   item_idx        str(tenant) be32(idx)             -> id bytes
//   users           str(tenant) str(id)               -> User proto
//   history         str(tenant) str(user) be64(~ts) be64(offset)    -> HistoryValue
//   sessions        str(tenant) str(session) be64(~ts) be64(offset) -> HistoryValue
//   counters        str(tenant) be32(idx) be16(type)  -> CounterValue (fixed 24 bytes)
//   served          str(tenant) str(user) be32(idx)   -> ServedValue
//   recs            str(tenant) str(key)              -> RecList proto
//   docs            str(tenant) str(collection) key   -> Document proto (body, updated_at_ms);
//                                                        shop entities in "_shop.<kind>"
//   event_ids       str(tenant) str(event_id)         -> be64 offset of the applied event
//   item_counters   str(tenant) be32(idx) name        -> double (fixed 8 bytes): named counter
//   served_lists    str(tenant) be64(served_at_ms) recommendation_id -> ServedList proto
//   events          str(tenant) str(type) be64(timestamp_ms) be64(offset) -> Event proto (the
//                                                        recorded event types only)
// (~ts: the timestamp with its sign bit flipped, then inverted, so newer sorts first.)
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string>

#include "absl/strings/string_view.h"

namespace recplat::state::internal {

inline void PutVarint32(std::string* out, uint32_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint32 from the front of `*in` and advances it; false on malformed input.
inline bool GetVarint32(absl::string_view* in, uint32_t* v) {
  uint32_t result = 0;
  for (int shift = 0; shift <= 28 && !in->empty(); shift += 7) {
    uint32_t byte = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

inline void PutString(std::string* out, absl::string_view s) {
  PutVarint32(out, static_cast<uint32_t>(s.size()));
  out->append(s.data(), s.size());
}

inline bool GetString(absl::string_view* in, absl::string_view* s) {
  uint32_t len;
  if (!GetVarint32(in, &len) || in->size() < len) return false;
  *s = in->substr(0, len);
  in->remove_prefix(len);
  return true;
}

inline void PutBE(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline bool GetBE(absl::string_view* in, int bytes, uint64_t* v) {
  if (in->size() < static_cast<size_t>(bytes)) return false;
  uint64_t r = 0;
  for (int i = 0; i < bytes; ++i) r = (r << 8) | static_cast<unsigned char>((*in)[i]);
  in->remove_prefix(bytes);
  *v = r;
  return true;
}

// Newer timestamps sort first.
inline uint64_t InvertedTime(int64_t ts_ms) {
  return ~(static_cast<uint64_t>(ts_ms) ^ (uint64_t{1} << 63));
}
inline int64_t FromInvertedTime(uint64_t inv) {
  return static_cast<int64_t>((~inv) ^ (uint64_t{1} << 63));
}

// Little-endian fixed-width encodings for values.
template <typename T>
inline void PutFixed(std::string* out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out->append(buf, sizeof(T));
}

template <typename T>
inline bool GetFixed(absl::string_view* in, T* v) {
  if (in->size() < sizeof(T)) return false;
  std::memcpy(v, in->data(), sizeof(T));
  in->remove_prefix(sizeof(T));
  return true;
}

// The smallest key greater than every key starting with `prefix` (for iterate_upper_bound);
// empty when there is none (prefix of all 0xff).
inline std::string PrefixUpperBound(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char c = static_cast<unsigned char>(prefix.back());
    if (c != 0xff) {
      prefix.back() = static_cast<char>(c + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

inline std::string TenantKey(absl::string_view tenant, absl::string_view id) {
  std::string k;
  PutString(&k, tenant);
  PutString(&k, id);
  return k;
}

inline std::string TenantPrefix(absl::string_view tenant) {
  std::string k;
  PutString(&k, tenant);
  return k;
}

inline constexpr absl::string_view kShopSeqPrefix = "shop_seq:";

inline std::string ShopSeqKey(absl::string_view tenant, int64_t product_id) {
  std::string k(kShopSeqPrefix);
  PutString(&k, tenant);
  PutBE(&k, static_cast<uint64_t>(product_id), 8);
  return k;
}

// Key prefix of an item's named counters.
inline std::string ItemCounterPrefix(absl::string_view tenant, uint32_t idx) {
  std::string k;
  PutString(&k, tenant);
  PutBE(&k, idx, 4);
  return k;
}

// Per-tenant counters kept in the meta column family.
struct TenantMeta {
  uint32_t next_user_index = 0;
  // Events skipped as duplicates of an applied event id (wraps at 2^32).
  uint32_t duplicate_events = 0;
  uint64_t items = 0;
  uint64_t users = 0;
  uint64_t events = 0;
  // Applied events by event type id.
  std::map<uint16_t, uint64_t> events_by_type;
};

inline std::string EncodeTenantMeta(const TenantMeta& m) {
  std::string out;
  PutFixed(&out, m.next_user_index);
  PutFixed(&out, m.duplicate_events);
  PutFixed(&out, m.items);
  PutFixed(&out, m.users);
  PutFixed(&out, m.events);
  for (const auto& [type, count] : m.events_by_type) {
    PutFixed(&out, type);
    PutFixed(&out, count);
  }
  return out;
}

inline bool DecodeTenantMeta(absl::string_view in, TenantMeta* m) {
  if (!(GetFixed(&in, &m->next_user_index) && GetFixed(&in, &m->duplicate_events) &&
        GetFixed(&in, &m->items) && GetFixed(&in, &m->users) && GetFixed(&in, &m->events))) {
    return false;
  }
  m->events_by_type.clear();
  while (!in.empty()) {
    uint16_t type = 0;
    uint64_t count = 0;
    if (!GetFixed(&in, &type) || !GetFixed(&in, &count)) return false;
    m->events_by_type[type] = count;
  }
  return true;
}

// A time-decayed counter: `value` as of `ref_ms`, and the raw number of increments.
struct CounterValue {
  double value = 0;
  int64_t ref_ms = 0;
  uint64_t count = 0;
};

inline std::string EncodeCounter(const CounterValue& c) {
  std::string out;
  PutFixed(&out, c.value);
  PutFixed(&out, c.ref_ms);
  PutFixed(&out, c.count);
  return out;
}

inline bool DecodeCounter(absl::string_view in, CounterValue* c) {
  return GetFixed(&in, &c->value) && GetFixed(&in, &c->ref_ms) && GetFixed(&in, &c->count);
}

}  // namespace recplat::state::internal
