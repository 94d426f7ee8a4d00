// timelog — time credits in the manner of wbTimeLog: hours credited to a client's service on a
// cycle (on create, on invoice created or paid, or daily / weekly / monthly / yearly), computed
// from the price and an hourly rate or a fixed number of hours, with an optional expiry of
// existing credit each cycle, and optional credit from invoice lines that match a phrase.
//
// The host owns the schedule and the time-credit ledger; this module owns the arithmetic.
#include "hours.hpp"

#include <provisio/module.hpp>

#include <cctype>
#include <string>

namespace {

constexpr const char *cycles[] = {"create", "invoice_created", "invoice_paid", "daily", "weekly", "monthly", "yearly"};

using timelog::Hours;

struct Debit {
    bool percent = false;
    Hours amount;  // hours, or percentage points (in micro-units) when percent
};

// "", "n" or "n%" (0 <= n <= 100 for a percentage); nullopt when malformed.
std::optional<std::optional<Debit>> parse_debit(std::string_view text) {
    if (text.empty()) return std::optional<Debit>();
    Debit d;
    if (text.back() == '%') {
        d.percent = true;
        text.remove_suffix(1);
    }
    auto h = Hours::parse(text);
    if (!h || h->micro < 0 || text.front() == '+' || (d.percent && h->micro > 100'000'000)) return std::nullopt;
    d.amount = *h;
    return std::optional<Debit>(d);
}

bool is_invoice_trigger(std::string_view cycle) { return cycle == "invoice_created" || cycle == "invoice_paid"; }

// Hours named by `phrase` (e.g. "%d credit hours") in `text`, case-insensitive; 0 if none.
Hours hours_in(const std::string &phrase, const std::string &text) {
    const size_t marker = phrase.find("%d");
    if (marker == std::string::npos) return {};
    auto lower = [](std::string s) {
        for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    const std::string before = lower(phrase.substr(0, marker)), after = lower(phrase.substr(marker + 2));
    const std::string t = lower(text);
    for (size_t start = 0; start < t.size(); ++start) {
        if (t.compare(start, before.size(), before) != 0) continue;
        size_t i = start + before.size();
        const size_t digits = i;
        while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) ++i;
        if (i == digits) continue;
        if (t.compare(i, after.size(), after) != 0) continue;
        if (auto h = Hours::parse(t.substr(digits, i - digits))) return *h;
    }
    return {};
}

class TimeLog {
public:
    static constexpr provisio::ModuleInfo info{"timelog", "1.0.0",
                                               "Time credits per cycle (wbTimeLog): hourly rate or fixed hours, expiry, invoice keyphrases",
                                               PROVISIO_CAP_PROVISIONING};
    static constexpr provisio_option options[] = {
        provisio::dropdown("cycle", "Credit Generation Cycle", cycles, "monthly",
                           "When credits are generated: on module create, on invoice created / paid, or on a calendar "
                           "cycle independent of the billing cycle"),
        provisio::number("offset", "Generation Offset", "0",
                         "Weekly 0..6 (0 = Sunday), Monthly 0..30 (0 = the 1st, clamped to the month's end), Yearly "
                         "0..365 (0 = 1 January)"),
        provisio::number("hourly_rate", "Hourly Rate", "", "Credits per cycle = price / hourly rate"),
        provisio::number("credits", "Credits to Apply", "", "Hours per cycle; overrides the hourly rate"),
        provisio::text("debits", "Debits to Apply", "",
                       "Hours (n) or a percentage (n%) of the existing credit that expires each cycle, before the new credit"),
        provisio::text("keyphrase", "Invoice Keyphrase", "",
                       "Credit the hours named in this service's invoice lines matching e.g. '%d credit hours', when paid"),
    };

    explicit TimeLog(const provisio::Host &) {}

    // Time credits live in provisio's own ledger: there is no server to provision, so the
    // lifecycle succeeds and the host's state machine does the rest.
    provisio::Outcome create(provisio::Call &) { return provisio::Outcome::success("time credits enabled"); }
    provisio::Outcome suspend(provisio::Call &) { return provisio::Outcome::success(); }
    provisio::Outcome unsuspend(provisio::Call &) { return provisio::Outcome::success(); }
    provisio::Outcome terminate(provisio::Call &) { return provisio::Outcome::success("time credits stopped"); }
    provisio::Outcome change_package(provisio::Call &) { return provisio::Outcome::success("new settings apply from the next cycle"); }

    provisio::Outcome validate_settings(provisio::Call &c) {
        const std::string cycle(c.setting("cycle", "monthly"));
        const std::string_view offset_text = c.setting("offset", "0");
        auto offset = Hours::parse(offset_text.empty() ? "0" : offset_text);
        if (!offset || offset->micro < 0 || offset->micro % 1'000'000 != 0)
            return provisio::Outcome::failure("Generation Offset must be a whole number of days from 0");
        const int64_t days = offset->micro / 1'000'000;
        const int64_t limit = cycle == "weekly" ? 6 : cycle == "monthly" ? 30 : cycle == "yearly" ? 365 : -1;
        if (limit >= 0 && days > limit)
            return provisio::Outcome::failure("Generation Offset " + std::to_string(days) + " is out of range for a " + cycle +
                                              " cycle (0.." + std::to_string(limit) + ")");
        if (const std::string_view rate = c.setting("hourly_rate"); !rate.empty()) {
            auto r = Hours::parse(rate);
            if (!r || r->micro <= 0) return provisio::Outcome::failure("Hourly Rate must be more than zero");
        }
        if (const std::string_view credits = c.setting("credits"); !credits.empty()) {
            auto h = Hours::parse(credits);
            if (!h || h->micro < 0) return provisio::Outcome::failure("Credits to Apply must not be negative");
        }
        if (!parse_debit(c.setting("debits")))
            return provisio::Outcome::failure("Debits to Apply '" + std::string(c.setting("debits")) +
                                              "' must be a number of hours (n) or a percentage from 0% to 100% (n%)");
        if (is_invoice_trigger(cycle) && c.service("billing_cycle") == "free")
            return provisio::Outcome::failure("Credit Generation Cycle '" + cycle +
                                              "' needs a product that invoices; this one is free and never does");
        if (const std::string keyphrase(c.setting("keyphrase")); !keyphrase.empty() && keyphrase.find("%d") == std::string::npos)
            return provisio::Outcome::failure("Invoice Keyphrase must contain %d where the hours are, e.g. '%d credit hours'");
        return provisio::Outcome::success();
    }

    provisio::CreditSchedule credit_schedule(provisio::Call &c) {
        const std::string cycle(c.setting("cycle", "monthly"));
        provisio::CreditSchedule s;
        s.trigger = cycle == "create"            ? PROVISIO_CREDIT_ON_CREATE
                    : cycle == "invoice_created" ? PROVISIO_CREDIT_ON_INVOICE_CREATED
                    : cycle == "invoice_paid"    ? PROVISIO_CREDIT_ON_INVOICE_PAID
                    : cycle == "daily"           ? PROVISIO_CREDIT_DAILY
                    : cycle == "weekly"          ? PROVISIO_CREDIT_WEEKLY
                    : cycle == "yearly"          ? PROVISIO_CREDIT_YEARLY
                                                 : PROVISIO_CREDIT_MONTHLY;
        const auto offset = Hours::parse(c.setting("offset", "0").empty() ? "0" : c.setting("offset", "0"));
        s.offset = offset ? static_cast<uint32_t>(offset->micro / 1'000'000) : 0;
        s.also_on_paid = !c.setting("keyphrase").empty();
        return s;
    }

    provisio::Outcome generate_credits(provisio::Call &c, const provisio::CreditCycle &cycle) {
        if (auto invalid = validate_settings(c); invalid.status != provisio::Status::ok) return invalid;
        const provisio::CreditSchedule schedule = credit_schedule(c);
        const auto balance = Hours::parse(cycle.balance).value_or(Hours{});
        std::string summary;

        // The keyphrase: hours named by this service's own lines on a paid invoice.
        if (cycle.trigger == PROVISIO_CREDIT_ON_INVOICE_PAID && cycle.invoice && schedule.also_on_paid) {
            Hours found;
            for (const auto &line : cycle.invoice->lines)
                if (line.item_id == c.service_id()) found.micro += hours_in(std::string(c.setting("keyphrase")), line.description).micro;
            if (found.micro > 0) {
                c.post_credit("keyphrase", found.str(),
                              found.str() + " credit hours from invoice #" + std::to_string(cycle.invoice->invoice_id));
                summary += "keyphrase " + found.str() + "h ";
            }
        }
        // The regular cycle, when this call is it.
        if (static_cast<provisio_credit_trigger>(schedule.trigger) != cycle.trigger) return provisio::Outcome::success(summary);
        const std::string label = std::string(c.setting("cycle", "monthly"));
        if (const auto debit = *parse_debit(c.setting("debits")); debit && balance.micro > 0) {
            Hours expire = debit->percent ? Hours::scaled(balance.micro, debit->amount.micro, 100'000'000) : debit->amount;
            if (expire.micro > balance.micro) expire = balance;  // never below zero
            if (expire.micro > 0) {
                c.post_credit("expiry", "-" + expire.str(),
                              "Expired " + (debit->percent ? std::string(c.setting("debits")) + " of " + balance.str() + " hours"
                                                           : expire.str() + " hours") +
                                  " (" + label + " " + cycle.period_date + ")");
                summary += "expired " + expire.str() + "h ";
            }
        }
        Hours credit;
        std::string how;
        if (const std::string_view fixed = c.setting("credits"); !fixed.empty()) {
            credit = *Hours::parse(fixed);
            how = "fixed";
        } else if (const std::string_view rate = c.setting("hourly_rate"); !rate.empty()) {
            const auto price = Hours::parse(cycle.price);  // same fixed point: micro-units
            if (!price) return provisio::Outcome::failure("price '" + cycle.price + "' is not a decimal amount");
            const Hours r = *Hours::parse(rate);
            credit = Hours::scaled(price->micro, 1'000'000, r.micro);
            how = cycle.price + " / " + std::string(rate) + " per hour";
        }
        if (credit.micro > 0) {
            c.post_credit("credit", credit.str(), "Credit " + credit.str() + " hours (" + label + " " + cycle.period_date + ", " + how + ")");
            summary += "credited " + credit.str() + "h";
        }
        return provisio::Outcome::success(summary);
    }
};

}  // namespace

PROVISIO_MODULE(TimeLog)
