#include "provisioning/credit_generation.hpp"

#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "ledger/time_ledger.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/lifecycle.hpp"
#include "store/background_writer.hpp"
#include "store/database.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <future>
#include <map>

namespace provisio {

namespace {

void add_to(CreditReport &report, const CreditReport &part) {
    report.cycles += part.cycles;
    report.entries += part.entries;
    for (auto list : {&CreditReport::lines, &CreditReport::errors, &CreditReport::notes})
        (report.*list).insert((report.*list).end(), (part.*list).begin(), (part.*list).end());
}

}  // namespace

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

CreditGenerator::CreditGenerator(Repository &repo, const ModuleHost &host, Quarantine &quarantine, Date today)
    : repo_(repo), host_(host), quarantine_(quarantine), today_(today), now_(repo.now_text()) {}

std::vector<CreditGenerator::Cycle> CreditGenerator::ask(const LoadedModule &module, std::vector<Ask> asks) {
    std::vector<Cycle> cycles;
    cycles.reserve(asks.size());
    auto not_made = [&](Ask &a) {
        CallOutcome none;
        none.status = PROVISIO_RETRYABLE;
        none.message = quarantine_.why_skipped(module.name());
        cycles.push_back(Cycle{a.service, &module, std::move(a.period), std::move(a.period_date), std::move(none), a.advance_cursor, false});
    };
    if (quarantine_.skips(module.name())) {
        for (auto &a : asks) not_made(a);
        return cycles;
    }
    // The cycles as the module sees them; their strings live in `texts`.
    std::vector<std::array<std::string, 2>> texts(asks.size());  // price, balance
    std::vector<provisio_credit_cycle> views(asks.size());
    std::vector<ModuleHost::GenerateCall> calls;
    calls.reserve(asks.size());
    for (size_t k = 0; k < asks.size(); ++k) {
        const Ask &a = asks[k];
        texts[k] = {a.service->recurring_amount.to_string(), Hours::from_micros(a.balance_micros).to_string(6)};
        provisio_credit_cycle &cycle = views[k];
        cycle.struct_size = sizeof cycle;
        cycle.trigger = a.trigger;
        cycle.period = {a.period.data(), a.period.size()};
        cycle.period_date = {a.period_date.data(), a.period_date.size()};
        cycle.price = {texts[k][0].data(), texts[k][0].size()};
        cycle.billing_cycle = {a.service->billing_cycle.data(), a.service->billing_cycle.size()};
        cycle.balance = {texts[k][1].data(), texts[k][1].size()};
        cycle.invoice = a.invoice;
        calls.push_back({a.input, &cycle});
    }
    std::string why;
    std::optional<std::vector<CallOutcome>> outcomes = host_.invoke_generate_many(module, calls, why);
    if (!outcomes) spdlog::warn("{}; its {} credit cycles are asked one at a time", why, asks.size());
    for (size_t k = 0; k < asks.size(); ++k) {
        Ask &a = asks[k];
        std::optional<CallOutcome> made = quarantine_.call(module, *a.input, [&] {
            return outcomes ? std::move((*outcomes)[k]) : host_.invoke_generate(module, *a.input, views[k]);
        });
        if (!made) not_made(a);
        else cycles.push_back(Cycle{a.service, &module, std::move(a.period), std::move(a.period_date), std::move(*made), a.advance_cursor});
    }
    return cycles;
}

void CreditGenerator::write(Repository &repo, const std::vector<Cycle> &cycles, CreditReport &report) const {
    Database &db = repo.database();
    CreditReport written;
    std::vector<TimePosting> postings;
    for (const Cycle &c : cycles) {
        const Service &service = *c.service;
        if (c.outcome.status != PROVISIO_OK) {
            // The ledger entry is the record of a cycle; the call log keeps only failures (a
            // daily cycle over many services would otherwise write a log row per service per day).
            if (c.made) record_call(db, now_, c.module->name(), service.id, service.server_id, "generate_credits", c.outcome);
            written.errors.push_back("service " + std::to_string(service.id) + " period " + c.period + ": " + c.outcome.message);
            continue;
        }
        for (const auto &e : c.outcome.credits)
            postings.push_back({service.client_id, service.id, c.period_date, Hours::from_micros(e.micro_hours), e.kind,
                                e.description, std::nullopt, c.period});
        if (c.outcome.state_changed) repo.save_module_state(service.id, c.outcome.state);
    }
    const std::vector<bool> posted = TimeLedger(db, now_).post_cycles(postings);
    size_t next = 0;
    for (const Cycle &c : cycles) {
        if (c.outcome.status != PROVISIO_OK) continue;
        int count = 0;
        for (const auto &e : c.outcome.credits) {
            if (!posted[next++]) continue;  // this cycle's entry of this kind was posted before
            ++count;
            written.lines.push_back("service " + std::to_string(c.service->id) + " " + c.period_date + ": " + e.kind + " " +
                                    hours_text(Hours::from_micros(e.micro_hours)) + " h — " + e.description);
        }
        if (count) {
            written.cycles++;
            written.entries += count;
        }
    }
    // The cursor of each service moves to its last successful calendar period.
    std::map<int64_t, const std::string *> cursors;
    for (const Cycle &c : cycles)
        if (c.advance_cursor && c.outcome.status == PROVISIO_OK) cursors[c.service->id] = &c.period_date;
    constexpr size_t chunk = 64;
    for (auto it = cursors.begin(); it != cursors.end();) {
        const size_t rows = std::min<size_t>(chunk, static_cast<size_t>(std::distance(it, cursors.end())));
        auto s = db.prepare("INSERT INTO credit_cycles (service_id, last_period_date) VALUES " + values_placeholders(rows, 2) +
                            " ON CONFLICT (service_id) DO UPDATE SET last_period_date = excluded.last_period_date");
        for (int n = 1; n <= static_cast<int>(rows); ++n, ++it) s.bind(2 * n - 1, it->first).bind(2 * n, *it->second);
        s.run();
    }
    add_to(report, written);
}

std::optional<std::string> CreditGenerator::next_due(CalendarJob &job, int max_periods, CreditReport &report) const {
    const auto next = next_period_after(job.cursor, job.schedule.trigger, job.schedule.offset);
    if (!next || std::chrono::sys_days(*next) > std::chrono::sys_days(today_)) return std::nullopt;
    if (job.periods == max_periods) {
        report.notes.push_back("service " + std::to_string(job.service->id) + ": caught up " + std::to_string(max_periods) +
                               " periods (the [timelog] max_catch_up limit); the rest follow on the next run");
        return std::nullopt;
    }
    job.cursor = *next;
    ++job.periods;
    return format_date(*next);
}

// Each service's periods due, asked in rounds: the first period of every service in one round
// (in runners, one request per module), then the second of those that have another, and so on.
// A service's periods chain (each sees the balance the one before left), and a failed period
// ends its service's rounds: it is tried again next run. Touches no database.
void CreditGenerator::ask_rounds(CalendarBatch &batch, int max_periods) {
    try {
        std::vector<CalendarJob *> going;
        for (auto &j : batch.jobs) going.push_back(&j);
        while (!going.empty()) {
            std::map<const LoadedModule *, std::pair<std::vector<CalendarJob *>, std::vector<Ask>>> round;  // by module
            for (CalendarJob *j : going) {
                const auto date = next_due(*j, max_periods, batch.report);
                if (!date) continue;
                auto &[asked, asks] = round[j->module];
                asked.push_back(j);
                asks.push_back(Ask{j->service, &j->input, j->schedule.trigger, *date, *date, nullptr, j->balance, true});
            }
            going.clear();
            for (auto &[module, work] : round) {
                auto &[asked, asks] = work;
                std::vector<Cycle> answered = ask(*module, std::move(asks));
                for (size_t k = 0; k < answered.size(); ++k) {
                    if (answered[k].outcome.status == PROVISIO_OK) {
                        for (const auto &e : answered[k].outcome.credits) asked[k]->balance += e.micro_hours;
                        going.push_back(asked[k]);
                    }
                    batch.cycles.push_back(std::move(answered[k]));
                }
            }
        }
    } catch (const std::exception &e) {
        batch.report.errors.push_back("services " + std::to_string(batch.first_id) + " to " + std::to_string(batch.last_id) + ": " + e.what());
    }
    // In service order, each service's periods in order (the rounds interleave them).
    std::stable_sort(batch.cycles.begin(), batch.cycles.end(), [](const Cycle &x, const Cycle &y) { return x.service->id < y.service->id; });
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
    // Batches are written on a second connection by a writer thread while the next batch is
    // worked out; inside a caller's transaction (which holds the write lock) they are written
    // in line.
    using Batch = CalendarBatch;
    CreditReport written;  // the writer's part of the report, read after finish()
    auto write_batch = [this, &written](Repository &repo, const Batch &b) {
        try {
            Transaction tx(repo.database());
            write(repo, b.cycles, written);
            tx.commit();
        } catch (const std::exception &e) {
            written.errors.push_back("services " + std::to_string(b.first_id) + " to " + std::to_string(b.last_id) +
                                     ": nothing posted (" + e.what() + "); the next run tries them again");
        }
    };
    std::optional<BackgroundWriter> writer;
    if (!dry_run && !candidates.empty() && !db.in_transaction()) writer.emplace(db.file());
    std::future<void> asking;
    std::shared_ptr<Batch> asking_batch;
    auto finish_asking = [&] {
        if (!asking_batch) return;
        asking.get();
        add_to(report, asking_batch->report);
        if (writer) writer->submit([this, batch = asking_batch, &write_batch](Database &wdb) {
            Repository repo = repo_.on(wdb);
            write_batch(repo, *batch);
        });
        else write_batch(repo_, *asking_batch);
        asking_batch.reset();
    };
    constexpr size_t batch_size = 500;
    for (size_t i = 0; i < candidates.size();) {
        const size_t end = std::min(candidates.size(), i + batch_size);
        auto batch = std::make_shared<Batch>();
        batch->first_id = candidates[i].id;
        batch->last_id = candidates[end - 1].id;
        batch->services = repo_.load_services(batch->first_id, batch->last_id);
        const auto &services = batch->services;
        std::map<int64_t, int64_t> balances;
        {
            auto q = db.prepare("SELECT service_id, SUM(micro_hours) FROM time_ledger WHERE service_id BETWEEN ?1 AND ?2 "
                                "GROUP BY service_id");
            q.bind(1, batch->first_id).bind(2, batch->last_id);
            while (q.step()) balances[q.int64(0)] = q.int64(1);
        }
        std::vector<CalendarJob> &jobs = batch->jobs;
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
                if (quarantine_.skips(module->name())) {  // not even its schedule is asked for
                    report.errors.push_back("service " + std::to_string(c.id) + ": " + quarantine_.why_skipped(module->name()));
                    continue;
                }
                auto cl = clients.find(service.client_id);
                if (cl == clients.end()) {
                    if (clients.size() > 10000) clients.clear();
                    cl = clients.emplace(service.client_id, repo_.get_client(service.client_id)).first;
                }
                CallInput input = provisioner.call_input(service, *module, {}, &product, &cl->second);
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
                jobs.push_back(CalendarJob{&service, module, std::move(input), *schedule, parse_date(start_text, "cycle start"),
                                           balances[service.id]});
            } catch (const std::exception &e) {
                report.errors.push_back("service " + std::to_string(c.id) + ": " + e.what());
            }
        }
        if (dry_run) {  // the periods each service would run, in order; nothing is asked
            for (CalendarJob &j : jobs)
                while (const auto date = next_due(j, max_periods, report))
                    report.lines.push_back("would run service " + std::to_string(j.service->id) + "'s cycle of " + *date);
            continue;
        }
        // The module calls of this batch run on a second thread while this one reads the next.
        finish_asking();
        asking_batch = batch;
        asking = std::async(std::launch::async, [this, batch, max_periods] { ask_rounds(*batch, max_periods); });
    }
    finish_asking();
    if (writer) writer->finish();
    add_to(report, written);
    return report;
}

void require_time_credits(Repository &repo, const ModuleHost &host, const Service &service) {
    const Product product = repo.get_product(service.product_id);
    const std::string what = "service " + std::to_string(service.id) + " (product '" + product.name + "')";
    if (product.module.empty())
        fail(ErrorKind::refused, what + " has no module, so it keeps no time credits; log time on a service of a time-credit "
                                        "module such as timelog");
    const LoadedModule *module = host.find(product.module);
    if (!module)
        fail(ErrorKind::not_found, what + ": module '" + product.module + "' is not loaded, so it cannot tell whether it keeps "
                                          "time credits (see: provisio module list)");
    if (!module->description.functions.generate_credits)
        fail(ErrorKind::refused, what + ": module '" + product.module + "' keeps no time credits; log time on a service of a "
                                        "time-credit module such as timelog");
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
    if (quarantine_.skips(module->name())) {
        report.errors.push_back("service " + std::to_string(service_id) + ": " + quarantine_.why_skipped(module->name()));
        return std::nullopt;
    }
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

void CreditGenerator::run_one(const Prepared &p, uint32_t trigger, const std::string &period, const std::string &period_date,
                              const provisio_invoice_event *invoice, CreditReport &report) {
    const int64_t balance = TimeLedger(repo_.database(), now_).service_balance(p.service.id).micros();
    const std::vector<Cycle> cycles = ask(*p.module, {Ask{&p.service, &p.input, trigger, period, period_date, invoice, balance, false}});
    Transaction tx(repo_.database());
    write(repo_, cycles, report);
    tx.commit();
}

CreditReport CreditGenerator::on_create(int64_t service_id) {
    CreditReport report;
    const auto p = prepare(service_id, report);
    if (p && p->schedule.trigger == PROVISIO_CREDIT_ON_CREATE)
        run_one(*p, PROVISIO_CREDIT_ON_CREATE, "create", format_date(today_), nullptr, report);
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
        run_one(*p, PROVISIO_CREDIT_ON_INVOICE_CREATED, "invoice:" + id + ":created", date, &event, report);
    if (paid && (p->schedule.trigger == PROVISIO_CREDIT_ON_INVOICE_PAID || p->schedule.also_on_paid))
        run_one(*p, PROVISIO_CREDIT_ON_INVOICE_PAID, "invoice:" + id + ":paid", format_date(today_), &event, report);
    return report;
}

}  // namespace provisio
