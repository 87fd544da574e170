#include "common/cli/args.h"

#include "support/catch.h"

namespace {

using csm::cli::Args;
using csm::cli::UsageError;

const csm::cli::Tool kTool{"tool",
                           "usage: tool [--x N] [--name S] [--json] [IN [OUT]]\n",
                           {"--x", "--name", "--list"},
                           {"--json"},
                           1,
                           2};

Args parse(std::vector<std::string> args) {
  return Args(kTool, args);
}

}  // namespace

TEST_CASE("cli: value flags take --flag VALUE and --flag=VALUE, switches take none") {
  const Args a = parse({"in", "--x=1", "--name", "n", "--json"});
  CHECK(a.get_int("--x", 0) == 1);
  CHECK(a.get("--name") == "n");
  CHECK(a.has("--json"));
  CHECK_FALSE(a.has("--list"));
  CHECK(a.get_int("--list", 7) == 7);  // defaults apply to flags not given
  CHECK(a.get_double("--x", 0) == 1.0);
  CHECK(a.positionals() == std::vector<std::string>{"in"});
  CHECK_THROWS_WITH(parse({"in", "--json=1"}), "--json takes no value");
}

TEST_CASE("cli: unknown flags and missing values are usage errors") {
  CHECK_THROWS_WITH(parse({"in", "--no-such-flag"}), "unknown flag --no-such-flag");
  CHECK_THROWS_WITH(parse({"in", "-q"}), "unknown flag -q");
  CHECK_THROWS_WITH(parse({"in", "--x"}), "--x needs a value");
  // A flag is never taken as a value or a positional.
  CHECK_THROWS_WITH(parse({"in", "--name", "--json"}), "--name needs a value");
  CHECK_THROWS_WITH(parse({"--name"}), "--name needs a value");
  CHECK_THROWS_AS(parse({"--x"}), UsageError);
}

TEST_CASE("cli: numbers are checked whole, in range") {
  CHECK_THROWS_WITH(parse({"in", "--x", "abc"}).get_int("--x", 0), "--x: not a number: 'abc'");
  CHECK_THROWS_WITH(parse({"in", "--x", "12abc"}).get_int("--x", 0), "--x: not a number: '12abc'");
  CHECK_THROWS_WITH(parse({"in", "--x", "0"}).get_int("--x", 1, 1), "--x: must be >= 1, got 0");
  CHECK_THROWS_AS(parse({"in", "--x", "99999999999999999999"}).get_int("--x", 0), UsageError);
  CHECK_THROWS_AS(parse({"in", "--x", "nan"}).get_double("--x", 0), UsageError);
  CHECK(parse({"in", "--x", "-3"}).get_int("--x", 0) == -3);
  CHECK(parse({"in", "--x", "0.25"}).get_double("--x", 0) == 0.25);
  CHECK(parse({"in", "--list", "1,4,8"}).get_int_list("--list", "1") ==
        std::vector<int64_t>{1, 4, 8});
  CHECK(parse({"in"}).get_int_list("--list", "2,3") == std::vector<int64_t>{2, 3});
  CHECK_THROWS_WITH(parse({"in", "--list", "1,,8"}).get_int_list("--list", "1"),
                    "--list: not a number: ''");
  CHECK_THROWS_WITH(csm::cli::to_int("FRAMES", "x"), "FRAMES: not a number: 'x'");
}

TEST_CASE("cli: positional counts") {
  CHECK(parse({"a", "b"}).positionals().size() == 2);
  CHECK(parse({"-"}).positionals().size() == 1);
  CHECK_THROWS_WITH(parse({}), "needs at least 1 argument, got 0");
  CHECK_THROWS_WITH(parse({"a", "b", "c"}), "unexpected argument 'c'");
  const csm::cli::Tool exact{"t", "usage: t A B\n", {}, {}, 2, 2};
  CHECK_THROWS_WITH(Args(exact, {"a"}), "needs 2 arguments, got 1");
}

TEST_CASE("cli: --help and -h stop the parse, require names a missing flag") {
  CHECK(parse({"--help"}).help());
  CHECK(parse({"-h", "--no-such-flag"}).help());
  CHECK_FALSE(parse({"in"}).help());
  CHECK_THROWS_WITH(parse({"in"}).require("--name"), "--name is required");
  CHECK(parse({"in", "--name=n"}).require("--name") == "n");
}

TEST_CASE("cli: run_tool answers --help with 0, usage errors with 2, failures with 1") {
  int runs = 0;
  auto run = [&](std::vector<std::string> args, std::function<int(const Args&)> body) {
    args.insert(args.begin(), "tool");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    return csm::cli::run_tool(kTool, static_cast<int>(argv.size()), argv.data(), body);
  };
  const auto count = [&](const Args&) { return ++runs, 0; };
  CHECK(run({"--help"}, count) == 0);
  CHECK(run({"in", "--bogus"}, count) == 2);
  CHECK(run({}, count) == 2);
  CHECK(runs == 0);  // the body ran for none of these
  CHECK(run({"in"}, count) == 0);
  CHECK(runs == 1);
  CHECK(run({"in"}, [](const Args& a) { return static_cast<int>(a.get_int("--x", 3)); }) == 3);
  CHECK(run({"in", "--x", "abc"},
            [](const Args& a) { return static_cast<int>(a.get_int("--x", 3)); }) == 2);
  CHECK(run({"in"}, [](const Args&) -> int { throw std::runtime_error("disk full"); }) == 1);
}
