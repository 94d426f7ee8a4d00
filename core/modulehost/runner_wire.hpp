// What the host and a module runner say to each other over their socket: length-prefixed binary
// frames. The host sends one Request per call and gets one Reply holding the whole outcome; the
// runner first answers its start with a LoadReply (the module's description, or why it was
// refused). Everything a call needs travels in the request and everything it did in the reply,
// so the runner holds no database and no keys.
#pragma once

#include "modulehost/module_host.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace provisio::wire {

// A frame that is cut short or malformed.
struct Malformed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Writer {
public:
    // A length-prefixed part written in place: begin_part(), write it, end_part(the mark).
    size_t begin_part();
    void end_part(size_t mark);
    void u32(uint32_t v);
    void u64(uint64_t v);
    void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
    void str(std::string_view s);
    void settings(const Settings &s);
    void strings(const std::vector<std::string> &v);
    std::string &bytes() { return out_; }

private:
    std::string out_;
};

class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    uint32_t u32();
    uint64_t u64();
    int64_t i64() { return static_cast<int64_t>(u64()); }
    std::string str();
    std::string_view view();  // a length-prefixed part, not copied
    Settings settings();
    std::vector<std::string> strings();
    bool done() const { return at_ == in_.size(); }

private:
    std::string_view take(size_t n);
    std::string_view in_;
    size_t at_ = 0;
};

// Op::batch carries several calls (never a batch) that the runner makes one after another and
// answers together: one round trip for many small calls (a credit run's cycles).
enum class Op : uint32_t { lifecycle = 1, invoice_event, validate, schedule, generate, usage, batch, custom, payment };

// An invoice event or credit cycle with its strings owned, so it can travel.
struct InvoiceEvent {
    uint32_t kind = 0;
    uint64_t invoice_id = 0;
    std::string status, invoice_date, due_date, total, currency;
    struct Line {
        std::string description, amount, item_type, due_date;
        uint64_t item_id = 0;
    };
    std::vector<Line> lines;
    static InvoiceEvent from(const provisio_invoice_event &e);
    // Views into this object; valid while it lives and is not changed.
    struct View {
        provisio_invoice_event event{};
        std::vector<provisio_invoice_line> lines;
    };
    void view(View &out) const;
};

struct CreditCycle {
    uint32_t trigger = 0;
    std::string period, period_date, price, billing_cycle, balance;
    std::optional<InvoiceEvent> invoice;
    static CreditCycle from(const provisio_credit_cycle &c);
    struct View {
        provisio_credit_cycle cycle{};
        InvoiceEvent::View invoice;
    };
    void view(View &out) const;
};

struct UsageRequest {
    uint32_t max_records = 0;
    std::string cursor, since;
};

struct Request {
    uint64_t id = 0;  // the host's number for the call; its reply carries it back
    Op op = Op::lifecycle;
    Action action = Action::create;  // Op::lifecycle
    CallInput input;                      // decoded requests own their input; the host's
    const CallInput *input_of = nullptr;  // point at the caller's (no copy) and encode that
    const CallInput &in() const { return input_of ? *input_of : input; }
    InvoiceEvent event;  // Op::invoice_event
    CreditCycle cycle;   // Op::generate
    UsageRequest usage;  // Op::usage
    std::string custom_action;  // Op::custom: the action's name
    GatewayRequest payment;     // Op::payment
    std::vector<Request> batch;  // Op::batch
};

struct Reply {
    uint64_t id = 0;  // the request's
    CallOutcome outcome;
    bool has_schedule = false;  // Op::schedule: the schedule, else `schedule_error`
    provisio_credit_schedule schedule{};
    std::string schedule_error;
    std::vector<Reply> batch;  // Op::batch: a reply per call, in order
};

// The module as the runner loaded it: its description (the function pointers only say which
// functions it has), or the reason it was refused.
struct LoadReply {
    bool loaded = false;
    ModuleDescription description;
    std::string name, reason;  // when refused
};

std::string encode(const Request &r);
Request decode_request(std::string_view bytes);
std::string encode(const Reply &r);
Reply decode_reply(std::string_view bytes);
// The id a reply carries, read without decoding the rest (throws Malformed when it is cut short).
uint64_t reply_id(std::string_view bytes);
std::string encode(const LoadReply &r);
LoadReply decode_load_reply(std::string_view bytes);

// Frames on a stream socket: a 4-byte little-endian length, then the bytes.
std::string frame(const std::string &payload);

}  // namespace provisio::wire
