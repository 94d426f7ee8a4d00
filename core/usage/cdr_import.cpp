#include "usage/cdr_import.hpp"

#include "domain/repository.hpp"
#include "foundation/csv_reader.hpp"
#include "foundation/error.hpp"
#include "store/background_writer.hpp"
#include "store/database.hpp"
#include "store/wal_checkpointer.hpp"
#include "usage/cdrs.hpp"
#include "usage/service_rating.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace provisio::usage {

namespace {

constexpr size_t batch_rows = 1024;  // handed from the reading thread to the writing one
constexpr size_t batches_waiting = 2;
constexpr size_t commit_rows = 100'000;
constexpr size_t chunk_rows = 32;
constexpr int columns = 29;

int64_t cdr_id_base(int64_t start_second, const std::string &where) {
    if (start_second < 0 || start_second > std::numeric_limits<int64_t>::max() / cdr_ids_per_second - 1)
        fail(ErrorKind::invalid_input, where + ": the call's start is before 1970 or too far ahead to store");
    return start_second * cdr_ids_per_second;
}

std::string insert_sql(size_t rows) {
    return "INSERT INTO cdrs (id, service_id, source, source_id, direction, caller, destination, caller_destination, start_at, "
           "answer_at, end_at, duration, billsec, hangup_cause, status, number, prefix, tariff_version_id, custom_rate, "
           "per_minute_micros, connect_fee_micros, markup, billed_seconds, free_seconds, tier_seconds, cost_micros, note, "
           "imported_at, answer_inferred) VALUES " +
           values_placeholders(rows, columns);
}

}  // namespace

struct UsageRecorder::Pending {
    CallDetail call;
    Rating rating;  // looked up on the reading thread, priced on the writing one
    std::string where;
};

struct UsageRecorder::State {
    Database &db;
    std::string now, source;
    ServiceRating rating;
    std::optional<Transaction> tx;
    size_t uncommitted = 0;
    const std::string chunk_sql = insert_sql(chunk_rows);

    // A big import reads and looks up calls on the caller's thread while a second thread
    // prices and writes the previous batch: the two halves cost about the same. The writer
    // borrows the connection from the first hand-off until flush(), and may be inside the
    // caller's transaction (a usage collection commits its cursor with the calls).
    std::vector<Pending> filling;
    std::optional<BackgroundWriter> writer;
    std::optional<WalCheckpointer> checkpointer;

    State(Database &d, Repository &repo, const BusinessZone &zone, int64_t service_id) : db(d), rating(d, repo, zone, service_id) {}

    void bind(Statement &s, int row, int64_t id, const Pending &p) {
        const int b = row * columns + 1;  // past the id
        const CallDetail &c = p.call;
        const Rating &r = p.rating;
        s.bind(b, id).bind(b + 1, rating.service().id).bind_borrowed(b + 2, source).bind_borrowed(b + 3, c.source_id).bind_borrowed(b + 4, c.direction)
            .bind_borrowed(b + 5, c.caller).bind_borrowed(b + 6, c.destination_number).bind_borrowed(b + 7, c.caller_destination)
            .bind_borrowed(b + 8, c.start_at);
        if (c.answer_at.empty()) s.bind_null(b + 9);
        else s.bind_borrowed(b + 9, c.answer_at);
        s.bind_borrowed(b + 10, c.end_at).bind(b + 11, c.duration).bind(b + 12, c.billsec).bind_borrowed(b + 13, c.hangup_cause);
        bind_rating(s, b + 14, r, rating.tariff_version_id(), rating.package().markup);
        s.bind_borrowed(b + 27, now).bind(b + 28, int64_t{c.answer_inferred});
    }

};

UsageRecorder::UsageRecorder(Database &db, Repository &repo, const BusinessZone &zone, std::string now, int64_t service_id,
                             std::string source)
    : s_(std::make_unique<State>(db, repo, zone, service_id)) {
    s_->now = std::move(now);
    s_->source = std::move(source);
}

UsageRecorder::~UsageRecorder() {
    if (s_->writer) s_->writer->discard();
}

const std::string &UsageRecorder::domain() const { return s_->rating.domain(); }

void UsageRecorder::reject(const std::string &where, const std::string &why) {
    ++report_.records;
    report_.errors.push_back(where + ": " + why);
}

void UsageRecorder::skip_b_leg() {
    ++report_.records;
    ++report_.b_legs;
}

void UsageRecorder::add(CallDetail call, const std::string &where) {
    State &s = *s_;
    ++report_.records;
    Pending p{std::move(call), {}, where};
    const CallDetail &c = p.call;
    p.rating = s.rating.rater().look_up({c.direction, c.destination_number, c.caller_destination, c.billsec, !c.answer_at.empty()});
    s.filling.push_back(std::move(p));
    if (s.filling.size() == batch_rows) hand_off();
}

void UsageRecorder::hand_off() {
    State &s = *s_;
    if (!s.writer) {
        // A big import: a larger page cache keeps the recent end of the indexes and the pages
        // being filled in memory (SQLite's default is 2 MB) — still a fixed bound whatever the
        // file size. Small collections (autobill, a service at a time) keep the default.
        s.db.exec("PRAGMA cache_size = -32768");
        s.writer.emplace(s.db, batches_waiting);
        s.checkpointer.emplace(s.db);
    }
    s.writer->submit([this, batch = std::move(s.filling)](Database &) mutable { write(batch); });
    s.filling.clear();
    s.filling.reserve(batch_rows);
}

void UsageRecorder::write(std::vector<Pending> &batch) {
    State &s = *s_;
    if (batch.empty()) return;
    if (!s.tx) s.tx.emplace(s.db);
    // Stored in key order: ids lead with the start, and exports come in start order descending
    // (FusionPBX's CDR page), ascending (a collection) or in order of hang-up (the PBX's own
    // table). Sorted, a batch lands as one run at the end of the table instead of going in
    // against its order. Equal keys keep file order: the first of them is the one stored.
    std::vector<Pending *> in_key_order(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) in_key_order[i] = &batch[i];
    std::stable_sort(in_key_order.begin(), in_key_order.end(), [](const Pending *a, const Pending *b) {
        if (const int c = a->call.start_at.compare(b->call.start_at); c != 0) return c < 0;
        return a->call.source_id < b->call.source_id;
    });
    // Duplicates are found before anything is priced: free minutes and tiers depend on the
    // calls before, and a duplicate must not use any up.
    const auto second_of = [](const Pending &p) { return unix_seconds(p.call.start); };
    std::vector<int64_t> id_of(batch.size(), 0);  // by place in the file; 0: a duplicate
    auto stored = s.db.prepare("SELECT id, source, source_id FROM cdrs WHERE id >= ?1 AND id < ?2");
    std::vector<std::string> stored_ids;
    for (size_t i = 0; i < in_key_order.size();) {
        const int64_t second = second_of(*in_key_order[i]);
        const int64_t first_id = cdr_id_base(second, in_key_order[i]->where);
        int64_t next_id = first_id;
        stored_ids.clear();
        stored.reset().bind(1, first_id).bind(2, first_id + cdr_ids_per_second);
        while (stored.step()) {
            next_id = stored.int64(0) + 1;
            if (stored.text_view(1) == s.source) stored_ids.emplace_back(stored.text_view(2));
        }
        const std::string *previous = nullptr;
        for (; i < in_key_order.size() && second_of(*in_key_order[i]) == second; ++i) {
            const std::string &id = in_key_order[i]->call.source_id;
            const bool duplicate = (previous && *previous == id) || std::find(stored_ids.begin(), stored_ids.end(), id) != stored_ids.end();
            previous = &id;
            if (duplicate) continue;
            if (next_id == first_id + cdr_ids_per_second)
                fail(ErrorKind::invalid_input, in_key_order[i]->where + ": more than " + std::to_string(cdr_ids_per_second) +
                                                   " calls start at " + in_key_order[i]->call.start_at);
            id_of[static_cast<size_t>(in_key_order[i] - batch.data())] = next_id++;
        }
    }
    for (size_t i = 0; i < batch.size(); ++i) {
        if (id_of[i] == 0) {
            report_.duplicates++;
            continue;
        }
        s.rating.rater().price(batch[i].rating, s.rating.seconds_in(s.rating.period_of(batch[i].call.start)));
        counted(batch[i]);
    }
    std::vector<const Pending *> new_calls;
    new_calls.reserve(batch.size());
    for (const Pending *p : in_key_order)
        if (id_of[static_cast<size_t>(p - batch.data())] != 0) new_calls.push_back(p);
    for (size_t first = 0; first < new_calls.size(); first += chunk_rows) {
        const size_t n = std::min(chunk_rows, new_calls.size() - first);
        auto insert = s.db.prepare(n == chunk_rows ? std::string_view(s.chunk_sql) : insert_sql(n));
        for (size_t i = 0; i < n; ++i) {
            const Pending &p = *new_calls[first + i];
            s.bind(insert, static_cast<int>(i), id_of[static_cast<size_t>(&p - batch.data())], p);
        }
        insert.run();
    }
    add_to_quarters(new_calls);
    s.uncommitted += batch.size();
    if (s.uncommitted >= commit_rows) {
        s.rating.save_running_seconds();
        s.tx->commit();
        s.tx.reset();
        s.uncommitted = 0;
    }
}

void UsageRecorder::add_to_quarters(const std::vector<const Pending *> &calls) {
    State &s = *s_;
    struct Totals {
        int64_t calls = 0, billed_seconds = 0, cost_micros = 0;
    };
    std::map<int64_t, Totals> quarters;  // a batch spans a few: calls come in start order
    for (const Pending *p : calls) {
        if (p->rating.status == CallStatus::suppressed) continue;
        const int64_t second = unix_seconds(p->call.start);
        Totals &t = quarters[second - second % seconds_per_quarter];
        ++t.calls;
        t.billed_seconds += p->rating.billed_seconds;
        t.cost_micros += p->rating.cost_micros;
    }
    auto add = s.db.prepare("INSERT INTO cdr_quarters (service_id, quarter_at, calls, billed_seconds, cost_micros) "
                            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (service_id, quarter_at) DO UPDATE SET "
                            "calls = calls + excluded.calls, billed_seconds = billed_seconds + excluded.billed_seconds, "
                            "cost_micros = cost_micros + excluded.cost_micros");
    for (const auto &[quarter, t] : quarters) {
        add.reset().bind(1, s.rating.service().id).bind(2, quarter).bind(3, t.calls).bind(4, t.billed_seconds).bind(5, t.cost_micros);
        add.run();
    }
}

void UsageRecorder::counted(const Pending &p) {
    report_.by_status[status_name(p.rating.status)]++;
    report_.cost_micros += p.rating.cost_micros;
    report_.stored++;
    if (p.rating.status == CallStatus::unrated) report_.unrated.push_back(p.where + ": " + p.rating.note);
}

void UsageRecorder::flush() {
    State &s = *s_;
    if (s.writer) {
        if (!s.filling.empty()) hand_off();
        s.writer->finish();
        s.writer.reset();
    } else {
        write(s.filling);
        s.filling.clear();
    }
    if (s.tx) {
        s.rating.save_running_seconds();
        s.tx->commit();
        s.tx.reset();
        s.uncommitted = 0;
    }
    s.checkpointer.reset();
}

CallDetail checked_call(std::string id, std::string direction, std::string caller, std::string destination_number,
                        std::string caller_destination, TimePoint start, std::optional<TimePoint> answer, TimePoint end,
                        int64_t billsec, std::optional<int64_t> duration, std::string hangup_cause) {
    if (id.empty()) fail(ErrorKind::invalid_input, "the call id is empty");
    if (direction != "inbound" && direction != "outbound" && direction != "local")
        fail(ErrorKind::invalid_input, "direction '" + direction + "' is not inbound, outbound or local");
    if (end < start) fail(ErrorKind::invalid_input, "end_stamp is before start_stamp");
    const auto in_range = [](const char *name, int64_t seconds) {
        if (seconds < 0 || seconds > max_call_seconds)
            fail(ErrorKind::invalid_input, std::string(name) + " " + std::to_string(seconds) + " is outside 0 to 2678400 seconds (31 days)");
    };
    in_range("billsec", billsec);
    const int64_t span = std::chrono::duration_cast<std::chrono::seconds>(end - start).count();
    in_range("duration", duration.value_or(span));
    CallDetail c;
    c.source_id = std::move(id);
    c.direction = std::move(direction);
    c.caller = std::move(caller);
    c.destination_number = std::move(destination_number);
    c.caller_destination = std::move(caller_destination);
    c.start = start;
    c.start_at = format_utc(start);
    c.end_at = format_utc(end);
    if (!answer && billsec > 0) {
        answer = end - std::chrono::seconds(billsec);
        c.answer_inferred = true;
    }
    if (answer) c.answer_at = format_utc(*answer);
    c.billsec = billsec;
    c.duration = duration.value_or(span);
    if (c.billsec > c.duration) fail(ErrorKind::invalid_input, "billsec is longer than the call's duration");
    c.hangup_cause = std::move(hangup_cause);
    return c;
}

void read_fusionpbx_csv(const std::filesystem::path &file, const BusinessZone &zone, UsageRecorder &recorder) {
    CsvReader csv(file);
    if (!csv.next()) fail(ErrorKind::invalid_input, file.string() + " is empty: a FusionPBX CDR export starts with a header row");
    if (!csv.error().empty()) fail(ErrorKind::invalid_input, file.string() + " line 1: " + csv.error() + " — this is not a CSV file");
    std::map<std::string, size_t> column;
    for (size_t i = 0; i < csv.fields().size(); ++i) column.emplace(std::string(trimmed(csv.fields()[i])), i);
    std::string missing;
    const char *id_column = column.count("xml_cdr_uuid") || !column.count("uuid") ? "xml_cdr_uuid" : "uuid";
    for (const char *required : {id_column, "direction", "destination_number", "start_stamp", "end_stamp", "billsec"})
        if (!column.count(required)) missing += (missing.empty() ? "" : ", ") + std::string(required);
    if (!missing.empty())
        fail(ErrorKind::invalid_input, file.string() + " line 1: not a FusionPBX CDR export: missing column" +
                                           (missing.find(',') != std::string::npos ? "s " : " ") + missing);
    auto index = [&](const char *name) -> std::optional<size_t> {
        auto it = column.find(name);
        return it == column.end() ? std::nullopt : std::optional<size_t>(it->second);
    };
    const auto c_uuid = index(id_column), c_leg = index("leg"), c_dir = index("direction"), c_dest = index("destination_number"),
               c_start = index("start_stamp"), c_end = index("end_stamp"), c_billsec = index("billsec"),
               c_caller = index("caller_id_number"), c_caller_dest = index("caller_destination"), c_answer = index("answer_stamp"),
               c_duration = index("duration"), c_cause = index("hangup_cause"), c_domain = index("domain_name");
    const std::string &domain = recorder.domain();
    while (csv.next()) {
        const std::string where = "line " + std::to_string(csv.line());
        if (!csv.error().empty()) {
            recorder.reject(where, csv.error());
            continue;
        }
        const auto &f = csv.fields();
        if (csv.blank()) continue;
        auto field = [&](std::optional<size_t> c) { return c && *c < f.size() ? trimmed(f[*c]) : std::string_view{}; };
        auto seconds = [&](std::optional<size_t> c, const char *name) {
            const std::string_view t = field(c);
            int64_t v = -1;
            const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
            if (ec != std::errc() || end != t.data() + t.size() || v < 0)
                fail(ErrorKind::invalid_input, std::string(name) + " '" + std::string(t) + "' is not a whole number of seconds ≥ 0");
            return v;
        };
        // Only a bad line is rejected here; a storage failure while adding stops the import.
        std::optional<CallDetail> call;
        try {
            if (c_leg) {
                const std::string_view leg = field(c_leg);
                if (leg == "b") {
                    recorder.skip_b_leg();
                    continue;
                }
                if (leg != "a" && !leg.empty()) fail(ErrorKind::invalid_input, "leg '" + std::string(leg) + "' is neither a nor b");
            }
            std::string id(field(c_uuid));
            if (id.empty()) fail(ErrorKind::invalid_input, std::string(id_column) + " is empty");
            if (!domain.empty() && c_domain && !field(c_domain).empty() && field(c_domain) != domain)
                fail(ErrorKind::invalid_input, "domain " + std::string(field(c_domain)) + " is not this service's (" + domain + ")");
            const TimePoint start = zone.from_local(field(c_start), "start_stamp");
            const TimePoint end = zone.from_local(field(c_end), "end_stamp");
            std::optional<TimePoint> answer;
            if (const auto a = field(c_answer); !a.empty()) answer = zone.from_local(a, "answer_stamp");
            std::optional<int64_t> duration;
            if (c_duration && !field(c_duration).empty()) duration = seconds(c_duration, "duration");
            const int64_t billsec = seconds(c_billsec, "billsec");
            call = checked_call(std::move(id), std::string(field(c_dir)), std::string(field(c_caller)), std::string(field(c_dest)),
                                std::string(field(c_caller_dest)), start, answer, end, billsec, duration, std::string(field(c_cause)));
        } catch (const Error &e) {
            recorder.reject(where, e.what());
        }
        if (call) recorder.add(std::move(*call), where);
    }
    recorder.flush();
}

}  // namespace provisio::usage
