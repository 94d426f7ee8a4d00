#include "foundation/error.hpp"
#include "usage/rating.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <random>

using namespace provisio;
using namespace provisio::usage;

namespace {

Rate rate(const char *prefix, int64_t per_minute_micros, int32_t initial = 1, int32_t step = 1, int64_t fee = 0, int32_t grace = 0) {
    return Rate{prefix, std::string("to ") + prefix, per_minute_micros, fee, initial, step, grace};
}

CallRecord out(std::string_view number, int64_t billsec) { return {"outbound", number, "", billsec, true}; }

struct Setup {
    Package package;
    std::vector<Rate> tariff, custom;
    int64_t period = 0;
    Setup() { package.plan = NumberPlan::for_country("1"); }
    Rating rate_call(const CallRecord &c) { return Rater(package, tariff, custom).rate(c, period); }
};

}  // namespace

TEST_CASE("numbers are cleaned and normalized by the package's country") {
    CHECK(clean_number("+1 (519) 222-9000") == "+15192229000");
    CHECK_FALSE(clean_number("519CALLNOW"));
    CHECK_FALSE(clean_number("51+9"));
    const NumberPlan nanp = NumberPlan::for_country("1"), uk = NumberPlan::for_country("44");
    CHECK(normalize("+15192229000", nanp) == "15192229000");
    CHECK(normalize("5192229000", nanp) == "15192229000");     // NANP 10 digits
    CHECK(normalize("15192229000", nanp) == "15192229000");
    CHECK(normalize("01144207946000", nanp) == "44207946000"); // exit prefix
    CHECK(normalize("2112", nanp) == "2112");                  // an extension stays
    CHECK(normalize("*97", nanp) == "*97");
    CHECK(normalize("02079460000", uk) == "442079460000");     // national 0 → country code
    CHECK(normalize("0015195550100", uk) == "15195550100");    // 00 abroad
    CHECK(normalize("999", uk) == "999");
}

TEST_CASE("filter patterns: x is one digit, the whole number must match") {
    const auto p = NumberPatterns::parse("1800xxxxxxx, 911,*xx", "filter");
    CHECK(p.matches("18005551234"));
    CHECK_FALSE(p.matches("1800555123"));
    CHECK(p.matches("911"));
    CHECK_FALSE(p.matches("9110"));
    CHECK(p.matches("*97"));
    CHECK_FALSE(p.matches("*9a"));
    CHECK(NumberPatterns::parse("", "filter").empty());
    CHECK_THROWS_WITH(NumberPatterns::parse("1800,,911", "exclude"), Catch::Contains("empty pattern"));
    CHECK_THROWS_WITH(NumberPatterns::parse("1800y", "exclude"), Catch::Contains("'1800y'"));
}

TEST_CASE("increments: 6 is 6/6, 30/6 is a 30 s block then 6 s steps") {
    CHECK(parse_increment("6", "i") == std::pair<int32_t, int32_t>{6, 6});
    CHECK(parse_increment(" 30/6 ", "i") == std::pair<int32_t, int32_t>{30, 6});
    CHECK_THROWS_WITH(parse_increment("0", "Increment"), Catch::Contains("Increment '0'"));
    CHECK_THROWS(parse_increment("6/", "i"));
    CHECK_THROWS(parse_increment("a", "i"));
    CHECK_THROWS(parse_increment("-6", "i"));
}

TEST_CASE("the longest prefix wins") {
    Setup s;
    s.tariff = {rate("1", 10'000), rate("1519", 20'000), rate("151922", 30'000), rate("44", 50'000)};
    CHECK(s.rate_call(out("15192229000", 60)).prefix == "151922");
    CHECK(s.rate_call(out("15193330000", 60)).prefix == "1519");
    CHECK(s.rate_call(out("12125550100", 60)).prefix == "1");
    const Rating none = s.rate_call(out("33123456789", 60));
    CHECK(none.status == CallStatus::unrated);
    CHECK(none.note == "no rate for 33123456789");
    const Rating letters = s.rate_call(out("519CALLNOW", 60));
    CHECK(letters.status == CallStatus::unrated);
    CHECK_THAT(letters.note, Catch::Contains("not a phone number"));
}

TEST_CASE("billed seconds: grace, initial block, whole steps; cost per call rounded half-up") {
    Setup s;
    s.tariff = {rate("1", 12'000, 30, 6, 0, 3)};  // 0.012/min, 30/6, 3 s grace
    CHECK(s.rate_call(out("15192229000", 3)).billed_seconds == 0);
    CHECK(s.rate_call(out("15192229000", 3)).cost_micros == 0);
    CHECK(s.rate_call(out("15192229000", 4)).billed_seconds == 30);
    CHECK(s.rate_call(out("15192229000", 30)).billed_seconds == 30);
    CHECK(s.rate_call(out("15192229000", 31)).billed_seconds == 36);
    CHECK(s.rate_call(out("15192229000", 37)).billed_seconds == 42);
    // 42 s × 0.012 / 60 = 0.0084 exactly.
    CHECK(s.rate_call(out("15192229000", 37)).cost_micros == 8'400);
    // 7 s at 1/1 × 0.013 = 0.0015166… → 0.0015 at 4 decimals; 0.001517 at 6.
    s.tariff = {rate("1", 13'000)};
    CHECK(s.rate_call(out("15192229000", 7)).cost_micros == 1'500);
    s.package.decimals = 6;
    CHECK(s.rate_call(out("15192229000", 7)).cost_micros == 1'517);
    s.package.decimals = 2;
    CHECK(s.rate_call(out("15192229000", 60)).cost_micros == 10'000);  // 0.013 → 0.01
    s.tariff = {rate("1", 15'000)};
    CHECK(s.rate_call(out("15192229000", 60)).cost_micros == 20'000);  // 0.015 → 0.02 (half up)
}

TEST_CASE("connect fee and markup; custom rates win and are not marked up") {
    Setup s;
    s.tariff = {rate("1", 10'000, 60, 60, 50'000), rate("1519", 20'000)};
    s.custom = {rate("15192", 5'000, 1, 1, 1'000)};
    s.package.markup_micro_percent = 50'000'000;  // 50%
    // Tariff: (0.05 fee + 1 min × 0.01) × 1.5 = 0.09
    CHECK(s.rate_call(out("12125550100", 45)).cost_micros == 90'000);
    // Custom: 0.001 + 2 min × 0.005 = 0.011, no markup, even though the tariff has 1519 too.
    const Rating c = s.rate_call(out("15192229000", 120));
    CHECK(c.custom_rate);
    CHECK(c.prefix == "15192");
    CHECK(c.cost_micros == 11'000);
}

TEST_CASE("free minutes are used up in call order, a call straddling the end pays the rest") {
    Setup s;
    s.tariff = {rate("1", 60'000, 1, 1, 10'000), rate("44", 120'000)};  // 0.06/min = 0.001/s
    s.package.free_seconds = 100;
    const Rating a = s.rate_call(out("15192229000", 70));
    CHECK(a.free_seconds == 70);
    CHECK(a.cost_micros == 0);  // wholly free: no connect fee either
    const Rating b = s.rate_call(out("15192229000", 50));
    CHECK(b.free_seconds == 30);
    CHECK(b.cost_micros == 10'000 + 20'000);  // fee + 20 s × 0.001
    CHECK(s.period == 120);
    // International calls neither use nor count towards free minutes.
    const Rating intl = s.rate_call(out("011442079460000", 60));
    CHECK(intl.free_seconds == 0);
    CHECK(intl.cost_micros == 120'000);
    CHECK(s.period == 120);
}

TEST_CASE("tiers: domestic tariff-rated seconds past a tier's minute cost the tier's rate") {
    Setup s;
    s.tariff = {rate("1", 60'000)};  // 0.001/s
    s.package.tiers = parse_tiers("2:0.03,3:0", "tiers");  // from minute 2: 0.0005/s; from minute 3: free
    s.period = 100;
    const Rating r = s.rate_call(out("15192229000", 100));  // seconds 100..200
    CHECK(r.tier_seconds == 80);                            // 120..180 at 0.03, 180..200 at 0
    CHECK(r.cost_micros == 20 * 1'000 + 60 * 500);
    CHECK(tiers_text(s.package.tiers) == "2:0.03,3:0.00");
    CHECK_THROWS_WITH(parse_tiers("5:0.1,2:0.2", "tiers"), Catch::Contains("go up"));
    CHECK_THROWS_WITH(parse_tiers("x", "tiers"), Catch::Contains("MINUTE:RATE"));
    // minute × 60 overflowed int64 (undefined behaviour); now out of range.
    CHECK_THROWS_WITH(parse_tiers("153722867280912931:0.001", "tiers"), Catch::Contains("outside 0 to 100000000"));
    CHECK_THROWS_WITH(parse_tiers("1:9000000", "tiers"), Catch::Contains("above 1000000"));
    CHECK(parse_tiers("", "tiers").empty());
}

TEST_CASE("limits: rates and markup are range-checked; the longest call at the dearest rate still fits") {
    CHECK(parse_rate("1000000", "r") == max_rate_micros);
    CHECK_THROWS_WITH(parse_rate("900000000000", "RateValue"), Catch::Contains("RateValue '900000000000' is above 1000000"));
    CHECK_THROWS_WITH(parse_rate("-0.1", "RateValue"), Catch::Contains("is negative"));
    CHECK(parse_markup("1000", "m") == max_markup_micro_percent);
    CHECK_THROWS_AS(parse_markup("1000.01", "m"), Error);
    Setup s;
    s.tariff = {rate("1", max_rate_micros, 60, 60)};
    s.tariff[0].connect_fee_micros = max_rate_micros;
    s.package.markup_micro_percent = max_markup_micro_percent;
    const Rating r = s.rate_call(out("12125550100", max_call_seconds));
    CHECK(r.status == CallStatus::rated);
    CHECK(r.billed_seconds == max_call_seconds);
    // (1,000,000 + 44,640 min × 1,000,000) × 11, exactly, in micros.
    CHECK(r.cost_micros == (1'000'000LL + 44'640LL * 1'000'000) * 11 * 1'000'000);
}

TEST_CASE("inbound, local, unanswered and filtered calls") {
    Setup s;
    s.tariff = {rate("1", 60'000)};
    s.package.exclude = NumberPatterns::parse("1800xxxxxxx,911", "exclude");
    s.package.suppress = NumberPatterns::parse("*xx", "suppress");
    const CallRecord inbound{"inbound", "2112", "18005550100", 60, true};
    CHECK(s.rate_call(inbound).status == CallStatus::not_billed);
    s.package.bill_inbound = true;
    CHECK(s.rate_call(inbound).status == CallStatus::excluded);  // rated on the toll-free DID: excluded
    const CallRecord inbound_did{"inbound", "2112", "5192229000", 60, true};
    CHECK(s.rate_call(inbound_did).cost_micros == 60'000);
    CHECK(s.rate_call({"local", "2113", "", 60, true}).status == CallStatus::not_billed);
    CHECK(s.rate_call(out("911", 60)).status == CallStatus::excluded);
    CHECK(s.rate_call(out("*97", 60)).status == CallStatus::suppressed);
    CHECK(s.rate_call({"outbound", "15192229000", "", 0, false}).status == CallStatus::unanswered);
}

TEST_CASE("rate cards: fields by name or map, errors with line numbers") {
    test::TempDir dir;
    auto write = [&](const char *name, const char *text) {
        std::ofstream(dir / name) << text;
        return dir / name;
    };
    const auto good = write("good.csv",
                            "Description,Prefix,RateValue,Increment,ConnectFee,MinimumDuration,GracePeriod\n"
                            "Canada,1,0.012,30/6,,,\n"
                            "\"London, UK\",4420,0.02,6,0.01,60,5\n");
    const ParsedCard card = read_rate_card(good, {});
    REQUIRE(card.errors.empty());
    REQUIRE(card.rates.size() == 2);
    CHECK(card.rates[0].initial_seconds == 30);
    CHECK(card.rates[1].description == "London, UK");
    CHECK(card.rates[1].initial_seconds == 60);
    CHECK(card.rates[1].step_seconds == 6);
    CHECK(card.rates[1].grace_seconds == 5);
    CHECK(card.rates[1].connect_fee_micros == 10'000);

    const auto theirs = write("theirs.csv", "Dest,Code,Cost per min,Billing\nCanada,1,0.012,6\n");
    CHECK(read_rate_card(theirs, {}).errors.at(0) ==
          theirs.string() + " line 1: missing required columns Description, Prefix, RateValue, Increment "
                            "(rename a provider's column with --map 'THEIR NAME=FIELD')");
    const auto mapped =
        read_rate_card(theirs, {{"Dest", "Description"}, {"Code", "Prefix"}, {"Cost per min", "RateValue"}, {"Billing", "Increment"}});
    CHECK(mapped.errors.empty());
    CHECK(mapped.rates.size() == 1);

    const auto bad = write("bad.csv",
                           "Description,Prefix,RateValue,Increment\n"
                           "A,1,abc,6\n"
                           "B,44,-0.1,6\n"
                           "C,,0.1,6\n"
                           "D,4x,0.1,6\n"
                           "E,33,0.1,6\n"
                           "F,33,0.2,6\n");
    const ParsedCard b = read_rate_card(bad, {});
    REQUIRE(b.errors.size() == 5);
    CHECK_THAT(b.errors[0], Catch::StartsWith("line 2: ") && Catch::Contains("abc"));
    CHECK_THAT(b.errors[1], Catch::StartsWith("line 3: RateValue '-0.1' is negative"));
    CHECK(b.errors[2] == "line 4: Prefix is empty");
    CHECK(b.errors[3] == "line 5: Prefix '4x' is not all digits");
    CHECK(b.errors[4] == "line 7: duplicate prefix 33 (first on line 6)");

    CHECK_THAT(read_rate_card(write("empty.csv", ""), {}).errors.at(0), Catch::Contains("is empty"));
    CHECK_THAT(read_rate_card(write("bin.csv", std::string("\x7f" "ELF\x01\x01\0\0", 8).c_str()), {}).errors.at(0),
               Catch::Contains("missing required"));
}

TEST_CASE("the prefix table finds the longest prefix a number starts with, whatever the prefixes' lengths") {
    // Against a plain search over every prefix: short prefixes (the jump over the first four
    // digits), long ones (hashed), and past 17 digits (the trie alone).
    for (const size_t longest : {size_t{8}, size_t{20}}) {
        std::mt19937_64 rng(longest);
        auto digits = [&](size_t n) {
            std::string s;
            for (size_t i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
            return s;
        };
        PrefixTable table;
        std::vector<std::string> prefixes;
        while (prefixes.size() < 3000) {
            std::string p = digits(1 + rng() % longest);
            if (table.add(p, static_cast<uint32_t>(prefixes.size()))) prefixes.push_back(p);
            else CHECK_FALSE(table.add(p, 0));
        }
        CHECK(table.size() == prefixes.size());
        for (int i = 0; i < 20000; ++i) {
            std::string number = i % 2 ? prefixes[rng() % prefixes.size()] + digits(rng() % 6) : digits(1 + rng() % 22);
            if (i % 7 == 0) number.insert(rng() % (number.size() + 1), "*");  // stops at the first non-digit
            int64_t expected = -1;
            size_t best = 0;
            const std::string digits_only = number.substr(0, number.find_first_not_of("0123456789"));
            for (size_t k = 0; k < prefixes.size(); ++k)
                if (prefixes[k].size() > best && digits_only.compare(0, prefixes[k].size(), prefixes[k]) == 0 &&
                    prefixes[k].size() <= digits_only.size()) {
                    best = prefixes[k].size();
                    expected = static_cast<int64_t>(k);
                }
            INFO(number);
            REQUIRE(table.match(number) == expected);
        }
    }
}
