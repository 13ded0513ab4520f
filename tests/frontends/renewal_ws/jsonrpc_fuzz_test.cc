// The fuzz property of the JSON-RPC layer (tests/fuzz/jsonrpc_fuzz_check.h) over the seed
// corpus, thousands of seeded random envelopes and byte-level mutations of both, so that "never
// crash; one well-formed reply per request, none per notification; -32700/-32600 for malformed
// frames" runs in CI with any compiler. The libFuzzer target tests/fuzz/jsonrpc_fuzz explores
// further with clang.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/frontends/renewal_ws/jsonrpc_test_util.h"
#include "tests/fuzz/jsonrpc_fuzz_check.h"
#include "tests/testing/text_mutation.h"

namespace recplat::renewal_ws {
namespace {

using nlohmann::json;

std::vector<std::string> ReadCorpus() {
  return ::recplat::testing::ReadCorpusDir(RECPLAT_JSONRPC_CORPUS_DIR);
}

// Random JSON-RPC-shaped messages: mostly near-valid, with every envelope defect the spec
// names (bad jsonrpc, method, params, id types), responses, extra members and non-objects.
class FrameGenerator {
 public:
  explicit FrameGenerator(uint64_t seed) : rng_(seed) {}

  std::string Frame() {
    if (Pick(10) < 6) {
      return Message().dump();
    }
    json batch = json::array();
    const size_t size = Pick(20);  // sometimes empty, sometimes over the limit of 16
    for (size_t i = 0; i < size; ++i) {
      batch.push_back(Message());
    }
    return batch.dump();
  }

  json Message() {
    if (Pick(20) == 0) {
      return OneOf({json(1), json("x"), json::array(), json(nullptr), json::array({1})});
    }
    json message = json::object();
    const size_t version = Pick(12);
    if (version > 2) {
      message["jsonrpc"] = "2.0";
    } else if (version > 0) {
      message["jsonrpc"] = OneOf({json("1.0"), json(2.0), json(nullptr)});
    }
    if (Pick(8) == 0) {  // a response to a request of ours, well-formed or not
      if (Pick(2) == 0) {
        message["result"] = Value(2);
      } else {
        message["error"] = OneOf({json{{"code", -32601}, {"message", "Method not found"}},
                                  json{{"code", "x"}}, json("bad")});
      }
    } else if (Pick(10) != 0) {
      message["method"] = OneOf({json("ping"), json("echo"), json("fail"), json("throw"),
                                 json("recommend"), json("rpc.discover"), json(1), json(nullptr)});
    }
    if (Pick(5) != 0) {
      message["params"] = Params();
    }
    if (Pick(3) != 0) {
      message["id"] = OneOf({json("r-" + std::to_string(Pick(100))), json(Pick(1000)), json(-7),
                             json(2.5), json(nullptr), json(true), json::object(), json::array(),
                             json(18446744073709551615ull)});
    }
    if (Pick(6) == 0) {
      message["extra"] = Value(2);
    }
    return message;
  }

  // One random edit of `text`, biased towards JSON syntax so that mutants stay near-valid.
  std::string Mutate(std::string text, const std::vector<std::string>& corpus) {
    static const std::vector<std::string> kTokens = {
        "{",    "}",    "[",       "]",           ",",           ":",
        "\"",   "\\",   "\"id\":", "\"method\":", "\"params\":", "\"jsonrpc\":\"2.0\"",
        "null", "true", "-",       "0",           "1e400",       "[[[[[[[[[",
        "\xff", "\xc3", "\\u0000", "\\ud800",     " ",           std::string(1, '\0')};
    const size_t at = Pick(text.size() + 1);
    switch (Pick(6)) {
      case 0:
        text.insert(at, kTokens[Pick(kTokens.size())]);
        break;
      case 1:
        text.erase(at, 1 + Pick(8));
        break;
      case 2:
        if (!text.empty()) {
          text[Pick(text.size())] = static_cast<char>(rng_());
        }
        break;
      case 3:
        text.insert(Pick(text.size() + 1), text.substr(at, 1 + Pick(32)));
        break;
      case 4: {
        const std::string& other = corpus[Pick(corpus.size())];
        text.insert(at, other.substr(Pick(other.size() + 1), 1 + Pick(64)));
        break;
      }
      default:
        text.resize(at);
        break;
    }
    return text;
  }

  // One structural edit of a JSON frame (stays valid JSON): a member of one message dropped or
  // replaced, a message duplicated, or the frame wrapped in a batch.
  json MutateJson(json frame) {
    json* message = &frame;
    if (frame.is_array() && !frame.empty()) {
      message = &frame[Pick(frame.size())];
    }
    static const std::vector<std::string> kMembers = {"jsonrpc", "method", "params",
                                                      "id",      "result", "error"};
    const std::string& member = kMembers[Pick(kMembers.size())];
    switch (Pick(4)) {
      case 0:
        if (message->is_object()) {
          message->erase(member);
        }
        break;
      case 1:
        if (message->is_object()) {
          (*message)[member] = Pick(2) == 0 ? Value(2) : Params();
        }
        break;
      case 2:
        if (frame.is_array()) {
          frame.push_back(*message);
        }
        break;
      default:
        return json::array({std::move(frame)});
    }
    return frame;
  }

  size_t Pick(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng_() % n); }

 private:
  json OneOf(std::vector<json> options) { return options[Pick(options.size())]; }

  json Params() {
    switch (Pick(8)) {
      case 0:
        return json::object();
      case 1:
        return json{{"a", Value(2)}, {"b", Value(1)}};
      case 2:
        return json{{"code", static_cast<int>(Pick(18))}};
      case 3:
        return json::array({static_cast<int>(Pick(18))});
      case 4: {
        json positional = json::array();
        for (size_t i = Pick(4); i > 0; --i) {
          positional.push_back(Value(1));
        }
        return positional;
      }
      case 5:
        return json{{"user_id", "u"}, {"min_articles", 15}, {"max_articles", 200}};
      default:
        return OneOf({json("bar"), json(5), json(nullptr), json(false)});
    }
  }

  json Value(int depth) {
    switch (Pick(depth > 0 ? 6 : 4)) {
      case 0:
        return json(static_cast<int64_t>(rng_() % 2001) - 1000);
      case 1:
        return json("s\xc3\xa9" + std::to_string(Pick(10)));
      case 2:
        return json(0.125 * static_cast<double>(Pick(64)));
      case 3:
        return json(nullptr);
      case 4:
        return json::array({Value(depth - 1), Value(depth - 1)});
      default:
        return json{{"k", Value(depth - 1)}};
    }
  }

  std::mt19937_64 rng_;
};

TEST(JsonRpcFuzzTest, SeedsKeepTheProperty) {
  const std::vector<std::string> corpus = ReadCorpus();
  ASSERT_GE(corpus.size(), 10u);
  for (const std::string& seed : corpus) {
    EXPECT_EQ(fuzz::CheckJsonRpcProperty(seed), "") << seed;
  }
}

TEST(JsonRpcFuzzTest, RandomEnvelopesKeepTheProperty) {
  FrameGenerator generator(20240917);
  std::map<std::string, int> outcomes;  // what the cases exercised, to keep the generator honest
  for (int i = 0; i < 6000; ++i) {
    const std::string frame = generator.Frame();
    ASSERT_EQ(fuzz::CheckJsonRpcProperty(frame), "") << "case " << i << ": " << frame;
    const json parsed = json::parse(frame);
    ++outcomes[parsed.is_array() ? "batch" : "single"];
  }
  EXPECT_GT(outcomes["batch"], 1000);
  EXPECT_GT(outcomes["single"], 1000);
}

TEST(JsonRpcFuzzTest, MutatedFramesKeepTheProperty) {
  const std::vector<std::string> corpus = ReadCorpus();
  FrameGenerator generator(7);
  int not_json = 0;
  for (int i = 0; i < 8000; ++i) {
    std::string frame = i % 2 == 0 ? corpus[generator.Pick(corpus.size())] : generator.Frame();
    if (i % 4 < 2 && json::accept(frame)) {  // structural edits, then sometimes a byte edit
      json parsed = json::parse(frame);
      for (size_t edits = 1 + generator.Pick(3); edits > 0; --edits) {
        parsed = generator.MutateJson(std::move(parsed));
      }
      frame = parsed.dump();
    }
    for (size_t edits = i % 4 == 0 ? 0 : 1 + generator.Pick(3); edits > 0; --edits) {
      frame = generator.Mutate(std::move(frame), corpus);
    }
    ASSERT_EQ(fuzz::CheckJsonRpcProperty(frame), "") << "case " << i << ": " << frame;
    not_json += json::accept(frame) ? 0 : 1;
  }
  // Both sides of the parse-error branch are exercised.
  EXPECT_GT(not_json, 1000);
  EXPECT_LT(not_json, 7000);
}

TEST(JsonRpcFuzzTest, ConcurrentFramesGetExactlyTheirReplies) {
  // The same property with requests completing on a pool, in any order: each frame still gets
  // exactly its replies, and a batch is one array in batch order.
  FrameGenerator generator(99);
  constexpr int kFrames = 1500;
  std::vector<std::string> frames;
  std::vector<std::unique_ptr<test_util::FrameSink>> sinks;
  {
    test_util::ThreadPool pool(4);
    DispatcherOptions options;
    options.codec = fuzz::JsonRpcFuzzLimits();
    JsonRpcDispatcher dispatcher(pool.AsExecutor(), options);
    fuzz::RegisterJsonRpcFuzzMethods(dispatcher);
    for (int i = 0; i < kFrames; ++i) {
      frames.push_back(generator.Frame());
      sinks.push_back(std::make_unique<test_util::FrameSink>());
      dispatcher.HandleFrame(frames.back(), sinks.back()->AsSend());
    }
  }  // the pool drains its queue before joining
  for (int i = 0; i < kFrames; ++i) {
    ASSERT_EQ(fuzz::CheckJsonRpcReplies(frames[i], fuzz::JsonRpcFuzzLimits(), sinks[i]->frames()),
              "")
        << "case " << i << ": " << frames[i];
  }
}

}  // namespace
}  // namespace recplat::renewal_ws
