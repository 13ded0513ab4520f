// libFuzzer target for the Renewal JSON-RPC layer: arbitrary bytes as one WebSocket text frame
// must never crash the codec or the dispatcher, and must get exactly the replies JSON-RPC 2.0
// prescribes (see jsonrpc_fuzz_check.h).
//
//   jsonrpc_fuzz <scratch dir> tests/fuzz/corpus/jsonrpc -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/fuzz/jsonrpc_fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string failure = recplat::fuzz::CheckJsonRpcProperty(
      absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!failure.empty()) {
    std::fprintf(stderr, "jsonrpc_fuzz: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
