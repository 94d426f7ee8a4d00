// The SDK's usage hook end to end on the fake host: the adapter fills the ABI structs, the
// method sees the request, the records and cursor come back.
#include <provisio/module.hpp>
#include <provisio/testing.hpp>

#include <catch2/catch.hpp>

namespace {

struct TwoCalls {
    static constexpr provisio::ModuleInfo info{"twocalls", "1.0", "Two calls per collection", 0};
    explicit TwoCalls(const provisio::Host &) {}
    provisio::Outcome collect_usage(provisio::Call &c, const provisio::UsageRequest &r) {
        if (r.max_records < 2) return provisio::Outcome::failure("max_records " + std::to_string(r.max_records));
        const int from = r.cursor.empty() ? 0 : std::stoi(r.cursor);
        for (int i = from + 1; i <= from + 2; ++i)
            c.add_usage({"id" + std::to_string(i), "outbound", "2112", "5192225555", "", r.since, r.since, r.since, "", 0, 0});
        c.set_usage_cursor(std::to_string(from + 2));
        return provisio::Outcome::success();
    }
};

}  // namespace

TEST_CASE("the SDK's usage hook on the fake host") {
    const provisio_module_descriptor *d = provisio::detail::Adapter<TwoCalls>::descriptor();
    CHECK(d->abi_minor >= 3);  // built for an ABI with the usage hook
    CHECK((d->capabilities & PROVISIO_CAP_USAGE) != 0);
    REQUIRE(d->collect_usage);
    provisio::testing::FakeHost host;
    host.load(d);
    const auto r = host.collect({"4", "2026-03-01T00:00:00Z", 10}, {});
    CHECK(r.status == provisio::Status::ok);
    REQUIRE(host.usage.size() == 2);
    CHECK(host.usage[0].id == "id5");
    CHECK(host.usage[1].start == "2026-03-01T00:00:00Z");
    CHECK(host.usage_cursor == "6");
    CHECK(host.collect({"", "", 1}, {}).message == "max_records 1");
}
