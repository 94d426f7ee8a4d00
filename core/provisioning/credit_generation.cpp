#include "provisioning/credit_generation.hpp"

#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "ledger/time_ledger.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/lifecycle.hpp"
#include "store/database.hpp"

#include <map>

namespace provisio {

std::optional<Date> next_period_after(Date after, uint32_t trigger, uint32_t offset) {
    using namespace std::chrono;
    switch (trigger) {
    case PROVISIO_CREDIT_DAILY: return add_days(after, 1);
    case PROVISIO_CREDIT_WEEKLY: {
        for (int i = 1; i <= 7; ++i) {
            const Date d = add_days(after, i);
            if (weekday(sys_days(d)).c_encoding() == offset % 7) return d;
        }
        return std::nullopt;
    }
    case PROVISIO_CREDIT_MONTHLY: {
        auto in_month = [&](year_month ym) {
            const unsigned last = static_cast<unsigned>(year_month_day_last(ym.year(), month_day_last(ym.month())).day());
            return Date(ym.year(), ym.month(), day(std::min(offset + 1, last)));
        };
        const year_month ym(after.year(), after.month());
        const Date here = in_month(ym);
        return sys_days(here) > sys_days(after) ? here : in_month(ym + months(1));
    }
    case PROVISIO_CREDIT_YEARLY: {
        auto in_year = [&](year y) {
            const Date last(y, December, day(31));
            const Date d = add_days(Date(y, January, day(1)), static_cast<int>(offset));
            return sys_days(d) > sys_days(last) ? last : d;
        };
        const Date here = in_year(after.year());
        return sys_days(here) > sys_days(after) ? here : in_year(after.year() + years(1));
    }
    default: return std::nullopt;
    }
}

CreditGenerator::CreditGenerator(Repository &repo, const ModuleHost &host, Date today)
    : repo_(repo), host_(host), today_(today), now_(repo.now_text()) {}

bool CreditGenerator::post_cycle(const Service &service, const LoadedModule &module, const CallInput &input, uint32_t trigger,
                                 const std::string &period, const std::string &period_date,
                                 const provisio_invoice_event *invoice, CreditReport &report, bool advance_cursor,
                                 int64_t *known_balance) {
    Database &db = repo_.database();
    const std::string &now = now_;
    TimeLedger ledger(db, now);
    const std::string price = service.recurring_amount.to_string();
    // A caller walking many services passes the balance it keeps, saving a query per cycle.
    const std::string balance =
        (known_balance ? Hours::from_micros(*known_balance) : ledger.service_balance(service.id)).to_string(6);
    provisio_credit_cycle cycle{};
    cycle.struct_size = sizeof cycle;
    cycle.trigger = trigger;
    cycle.period = {period.data(), period.size()};
    cycle.period_date = {period_date.data(), period_date.size()};
    cycle.price = {price.data(), price.size()};
    cycle.billing_cycle = {service.billing_cycle.data(), service.billing_cycle.size()};
    cycle.balance = {balance.data(), balance.size()};
    cycle.invoice = invoice;
    const CallOutcome outcome = host_.invoke_generate(module, input, cycle);
    const std::string sid = "service " + std::to_string(service.id);
    Transaction tx(db);
    if (outcome.status != PROVISIO_OK) {
        record_call(db, now, module.name(), service.id, service.server_id, "generate_credits", outcome);
        tx.commit();
        report.errors.push_back(sid + " period " + period + ": " + outcome.message);
        return false;  // the cursor stays: the period is tried again on the next run
    }
    int posted = 0;
    for (const auto &e : outcome.credits) {
        // The ledger entry is the record of a cycle; the call log keeps only failures (a daily
        // cycle over many services would otherwise write a log row per service per day).
        const auto id = ledger.post({service.client_id, service.id, period_date, Hours::from_micros(e.micro_hours), e.kind,
                                     e.description, std::nullopt,
                                     period});
        if (!id) continue;
        ++posted;
        if (known_balance) *known_balance += e.micro_hours;
        report.lines.push_back(sid + " " + period_date + ": " + e.kind + " " + hours_text(Hours::from_micros(e.micro_hours)) +
                               " h — " + e.description);
    }
    if (posted) {
        report.cycles++;
        report.entries += posted;
    }
    if (outcome.state_changed) repo_.save_module_state(service.id, outcome.state);
    if (advance_cursor)
        db.prepare("INSERT INTO credit_cycles (service_id, last_period_date) VALUES (?1, ?2) "
                   "ON CONFLICT (service_id) DO UPDATE SET last_period_date = excluded.last_period_date")
            .bind(1, service.id).bind(2, period_date).run();
    tx.commit();
    return true;
}

CreditReport CreditGenerator::run_calendar(int max_periods, std::optional<int64_t> only_service, bool dry_run) {
    CreditReport report;
    struct Candidate {
        int64_t id;
        std::optional<std::string> cursor, activated;
        std::string created;
    };
    std::vector<Candidate> candidates;
    {
        auto q = repo_.database().prepare(
            "SELECT s.id, c.last_period_date, s.activated_on, substr(s.created_at, 1, 10) FROM services s "
            "JOIN products p ON p.id = s.product_id LEFT JOIN credit_cycles c ON c.service_id = s.id "
            "WHERE s.status = 'Active' AND p.module <> '' AND (?1 IS NULL OR s.id = ?1) ORDER BY s.id");
        q.bind(1, only_service);
        while (q.step()) candidates.push_back({q.int64(0), q.opt_text(1), q.opt_text(2), q.text(3)});
    }
    Provisioner provisioner(repo_, host_);
    Database &db = repo_.database();
    std::map<int64_t, Product> products;  // few products, many services
    std::map<int64_t, Client> clients;
    std::map<int64_t, std::optional<provisio_credit_schedule>> schedules;  // by product, for services without overrides
    constexpr size_t batch = 500;
    for (size_t i = 0; i < candidates.size();) {
        Transaction tx(db);  // many small cycles per commit; each cycle is still all-or-nothing
        const size_t end = std::min(candidates.size(), i + batch);
        const auto services = repo_.load_services(candidates[i].id, candidates[end - 1].id);
        std::map<int64_t, int64_t> balances;
        {
            auto q = db.prepare("SELECT service_id, SUM(micro_hours) FROM time_ledger WHERE service_id BETWEEN ?1 AND ?2 "
                                "GROUP BY service_id");
            q.bind(1, candidates[i].id).bind(2, candidates[end - 1].id);
            while (q.step()) balances[q.int64(0)] = q.int64(1);
        }
        for (; i < end; ++i) {
            const Candidate &c = candidates[i];
            try {
                const auto found = services.find(c.id);
                if (found == services.end()) continue;
                const Service &service = found->second;
                auto p = products.find(service.product_id);
                if (p == products.end()) p = products.emplace(service.product_id, repo_.get_product(service.product_id)).first;
                const Product &product = p->second;
                const LoadedModule *module = host_.find(product.module);
                if (!module || !module->description.functions.generate_credits) continue;
                auto cl = clients.find(service.client_id);
                if (cl == clients.end()) {
                    if (clients.size() > 10000) clients.clear();
                    cl = clients.emplace(service.client_id, repo_.get_client(service.client_id)).first;
                }
                const CallInput input = provisioner.call_input(service, *module, {}, &product, &cl->second);
                // A service without overrides has its product's schedule: ask the module once per product.
                std::string why;
                std::optional<provisio_credit_schedule> schedule;
                if (service.overrides.empty()) {
                    auto known = schedules.find(product.id);
                    if (known == schedules.end())
                        known = schedules.emplace(product.id, host_.invoke_schedule(*module, input, why)).first;
                    schedule = known->second;
                } else {
                    schedule = host_.invoke_schedule(*module, input, why);
                }
                if (!schedule) {
                    report.errors.push_back("service " + std::to_string(c.id) + ": credit schedule: " +
                                            (why.empty() ? "the module gave none" : why));
                    continue;
                }
                const std::string start_text = c.cursor ? *c.cursor : c.activated ? *c.activated : c.created;
                Date cursor = parse_date(start_text, "cycle start");
                int periods = 0;
                for (auto next = next_period_after(cursor, schedule->trigger, schedule->offset);
                     next && std::chrono::sys_days(*next) <= std::chrono::sys_days(today_);
                     next = next_period_after(cursor, schedule->trigger, schedule->offset)) {
                    if (periods == max_periods) {
                        report.notes.push_back("service " + std::to_string(c.id) + ": caught up " + std::to_string(periods) +
                                               " periods (the [timelog] max_catch_up limit); the rest follow on the next run");
                        break;
                    }
                    const std::string date = format_date(*next);
                    if (dry_run) report.lines.push_back("would run service " + std::to_string(c.id) + "'s cycle of " + date);
                    else if (!post_cycle(service, *module, input, schedule->trigger, date, date, nullptr, report, true,
                                         &balances[service.id]))
                        break;
                    cursor = *next;
                    ++periods;
                }
            } catch (const std::exception &e) {
                report.errors.push_back("service " + std::to_string(c.id) + ": " + e.what());
            }
        }
        tx.commit();
    }
    return report;
}

// What an event-driven cycle needs about one service; nullopt when its module does not
// generate credits (or its schedule failed, which `report` then says).
struct CreditGenerator::Prepared {
    Service service;
    const LoadedModule *module;
    CallInput input;
    provisio_credit_schedule schedule;
};

std::optional<CreditGenerator::Prepared> CreditGenerator::prepare(int64_t service_id, CreditReport &report) {
    Service service = repo_.get_service(service_id);
    const Product product = repo_.get_product(service.product_id);
    const LoadedModule *module = host_.find(product.module);
    if (!module || !module->description.functions.generate_credits) return std::nullopt;
    Provisioner provisioner(repo_, host_);
    CallInput input = provisioner.call_input(service, *module, {});
    std::string why;
    const auto schedule = host_.invoke_schedule(*module, input, why);
    if (!schedule) {
        report.errors.push_back("service " + std::to_string(service_id) + ": credit schedule: " + why);
        return std::nullopt;
    }
    return Prepared{std::move(service), module, std::move(input), *schedule};
}

CreditReport CreditGenerator::on_create(int64_t service_id) {
    CreditReport report;
    const auto p = prepare(service_id, report);
    if (p && p->schedule.trigger == PROVISIO_CREDIT_ON_CREATE)
        post_cycle(p->service, *p->module, p->input, PROVISIO_CREDIT_ON_CREATE, "create", format_date(today_), nullptr, report, false);
    return report;
}

CreditReport CreditGenerator::on_invoice(int64_t service_id, const provisio_invoice_event &event) {
    CreditReport report;
    const auto p = prepare(service_id, report);
    if (!p) return report;
    const bool paid = event.kind == PROVISIO_EVENT_INVOICE_PAID;
    const std::string id = std::to_string(event.invoice_id);
    const std::string date(event.invoice_date.data, event.invoice_date.size);
    if (!paid && p->schedule.trigger == PROVISIO_CREDIT_ON_INVOICE_CREATED)
        post_cycle(p->service, *p->module, p->input, PROVISIO_CREDIT_ON_INVOICE_CREATED, "invoice:" + id + ":created", date,
                   &event, report, false);
    if (paid && (p->schedule.trigger == PROVISIO_CREDIT_ON_INVOICE_PAID || p->schedule.also_on_paid))
        post_cycle(p->service, *p->module, p->input, PROVISIO_CREDIT_ON_INVOICE_PAID, "invoice:" + id + ":paid",
                   format_date(today_), &event, report, false);
    return report;
}

}  // namespace provisio
