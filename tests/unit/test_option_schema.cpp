#include "foundation/error.hpp"
#include "modulehost/option_schema.hpp"

#include <catch2/catch.hpp>

using namespace provisio;

namespace {
OptionSchema schema() {
    OptionSpec mode{"mode", "Mode", PROVISIO_OPTION_DROPDOWN, PROVISIO_SCOPE_PRODUCT, false, {"gateway", "extension"}, "gateway", ""};
    OptionSpec rate{"rate", "Rate", PROVISIO_OPTION_NUMBER, PROVISIO_SCOPE_PRODUCT, false, {}, "1", ""};
    OptionSpec on{"enabled", "Enabled", PROVISIO_OPTION_YESNO, PROVISIO_SCOPE_PRODUCT, false, {}, "no", ""};
    OptionSpec region{"region", "Region", PROVISIO_OPTION_TEXT, PROVISIO_SCOPE_PRODUCT, true, {}, "", ""};
    OptionSpec port{"db_port", "Port", PROVISIO_OPTION_NUMBER, PROVISIO_SCOPE_SERVER, false, {}, "5432", ""};
    OptionSpec key{"key", "Key", PROVISIO_OPTION_PASSWORD, PROVISIO_SCOPE_PRODUCT, false, {}, "", ""};
    return OptionSchema({mode, rate, on, region, port, key});
}
}  // namespace

TEST_CASE("values are validated and normalised against the schema") {
    const auto s = schema();
    const Settings v = s.validate("module x", PROVISIO_SCOPE_PRODUCT, {{"mode", "extension"}, {"rate", "+2.50"}, {"enabled", "On"}});
    CHECK(v.at("mode") == "extension");
    CHECK(v.at("rate") == "2.50");
    CHECK(v.at("enabled") == "yes");
}

TEST_CASE("a value that fails the schema is refused, naming the option and the reason") {
    const auto s = schema();
    CHECK_THROWS_WITH(s.validate("module x", PROVISIO_SCOPE_PRODUCT, {{"mode", "trunk"}}),
                      Catch::Contains("'mode'") && Catch::Contains("'gateway'") && Catch::Contains("'extension'"));
    CHECK_THROWS_WITH(s.validate("module x", PROVISIO_SCOPE_PRODUCT, {{"rate", "fast"}}), Catch::Contains("must be a number"));
    CHECK_THROWS_WITH(s.validate("module x", PROVISIO_SCOPE_PRODUCT, {{"enabled", "maybe"}}), Catch::Contains("yes or no"));
    CHECK_THROWS_WITH(s.validate("module x", PROVISIO_SCOPE_PRODUCT, {{"colour", "red"}}),
                      Catch::Contains("no option 'colour'") && Catch::Contains("known: mode"));
    // A server option is not a product option.
    CHECK_THROWS_WITH(s.validate("module x", PROVISIO_SCOPE_PRODUCT, {{"db_port", "1"}}), Catch::Contains("no option 'db_port'"));
    CHECK_NOTHROW(s.validate("module x", PROVISIO_SCOPE_SERVER, {{"db_port", "6432"}}));
}

TEST_CASE("effective settings overlay defaults, product and service, and enforce required options") {
    const auto s = schema();
    const Settings e = s.effective("module x", PROVISIO_SCOPE_PRODUCT, {{"rate", "3"}, {"region", "eu"}}, {{"rate", "4"}});
    CHECK(e.at("mode") == "gateway");
    CHECK(e.at("rate") == "4");
    CHECK(e.at("region") == "eu");
    CHECK(e.count("db_port") == 0);
    CHECK_THROWS_WITH(s.effective("module x", PROVISIO_SCOPE_PRODUCT, {}, {}), Catch::Contains("'region'") && Catch::Contains("required"));
    CHECK(s.secret_keys(PROVISIO_SCOPE_PRODUCT) == std::vector<std::string>{"key"});
}
