#include "modulehost/runner_wire.hpp"

#include <cstring>

namespace provisio::wire {

void Writer::u32(uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out_.append(b, 4);
}

void Writer::u64(uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out_.append(b, 8);
}

size_t Writer::begin_part() {
    u32(0);
    return out_.size();
}

void Writer::end_part(size_t mark) {
    const auto length = static_cast<uint32_t>(out_.size() - mark);
    for (int i = 0; i < 4; ++i) out_[mark - 4 + i] = static_cast<char>(length >> (8 * i));
}

void Writer::str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
}

void Writer::settings(const Settings &s) {
    u32(static_cast<uint32_t>(s.size()));
    for (const auto &[k, v] : s) {
        str(k);
        str(v);
    }
}

void Writer::strings(const std::vector<std::string> &v) {
    u32(static_cast<uint32_t>(v.size()));
    for (const auto &s : v) str(s);
}

std::string_view Reader::take(size_t n) {
    if (in_.size() - at_ < n) throw Malformed("a runner frame is cut short");
    const std::string_view out = in_.substr(at_, n);
    at_ += n;
    return out;
}

uint32_t Reader::u32() {
    const auto b = take(4);
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(b[i])) << (8 * i);
    return v;
}

uint64_t Reader::u64() {
    const auto b = take(8);
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[i])) << (8 * i);
    return v;
}

std::string Reader::str() { return std::string(take(u32())); }

std::string_view Reader::view() { return take(u32()); }

Settings Reader::settings() {
    Settings s;
    for (uint32_t n = u32(); n > 0; --n) {
        std::string k = str();
        s.emplace(std::move(k), str());
    }
    return s;
}

std::vector<std::string> Reader::strings() {
    std::vector<std::string> v;
    for (uint32_t n = u32(); n > 0; --n) v.push_back(str());
    return v;
}

namespace {

std::string_view text(provisio_str s) { return s.data ? std::string_view(s.data, s.size) : std::string_view{}; }
provisio_str view_of(const std::string &s) { return {s.data(), s.size()}; }

void put(Writer &w, const CallInput &in) {
    w.u64(in.service_id);
    w.settings(in.settings);
    w.settings(in.service);
    w.settings(in.custom_fields);
    w.settings(in.server);
    w.settings(in.state);
    w.str(in.reason);
    w.u32(in.tls_verify ? 1 : 0);
    w.strings(in.secrets);
}

CallInput get_input(Reader &r) {
    CallInput in;
    in.service_id = r.u64();
    in.settings = r.settings();
    in.service = r.settings();
    in.custom_fields = r.settings();
    in.server = r.settings();
    in.state = r.settings();
    in.reason = r.str();
    in.tls_verify = r.u32() != 0;
    in.secrets = r.strings();
    return in;
}

void put(Writer &w, const InvoiceEvent &e) {
    w.u32(e.kind);
    w.u64(e.invoice_id);
    for (const auto *s : {&e.status, &e.invoice_date, &e.due_date, &e.total, &e.currency}) w.str(*s);
    w.u32(static_cast<uint32_t>(e.lines.size()));
    for (const auto &l : e.lines) {
        for (const auto *s : {&l.description, &l.amount, &l.item_type, &l.due_date}) w.str(*s);
        w.u64(l.item_id);
    }
}

InvoiceEvent get_event(Reader &r) {
    InvoiceEvent e;
    e.kind = r.u32();
    e.invoice_id = r.u64();
    for (auto *s : {&e.status, &e.invoice_date, &e.due_date, &e.total, &e.currency}) *s = r.str();
    for (uint32_t n = r.u32(); n > 0; --n) {
        InvoiceEvent::Line l;
        for (auto *s : {&l.description, &l.amount, &l.item_type, &l.due_date}) *s = r.str();
        l.item_id = r.u64();
        e.lines.push_back(std::move(l));
    }
    return e;
}

// Which descriptor functions a module has, as bits: the host only needs to know which exist.
uint32_t function_bits(const provisio_module_descriptor &f) {
    const void *fns[] = {reinterpret_cast<const void *>(f.init),           reinterpret_cast<const void *>(f.fini),
                         reinterpret_cast<const void *>(f.create),         reinterpret_cast<const void *>(f.suspend),
                         reinterpret_cast<const void *>(f.unsuspend),      reinterpret_cast<const void *>(f.terminate),
                         reinterpret_cast<const void *>(f.change_package), reinterpret_cast<const void *>(f.change_password),
                         reinterpret_cast<const void *>(f.test_connection), reinterpret_cast<const void *>(f.invoice_event),
                         reinterpret_cast<const void *>(f.validate_settings), reinterpret_cast<const void *>(f.credit_schedule),
                         reinterpret_cast<const void *>(f.generate_credits), reinterpret_cast<const void *>(f.collect_usage)};
    uint32_t bits = 0;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; ++i)
        if (fns[i]) bits |= 1u << i;
    return bits;
}

// Stand-ins for a runner's module functions in the host's copy of its descriptor: they say the
// function exists; calls go to the runner, so these are never meant to run.
int32_t absent_lifecycle(void *, const provisio_call *) { return PROVISIO_ERROR; }
int32_t absent_event(void *, const provisio_call *, const provisio_invoice_event *) { return PROVISIO_ERROR; }
int32_t absent_validate(void *, const provisio_call *) { return PROVISIO_ERROR; }
int32_t absent_schedule(void *, const provisio_call *, provisio_credit_schedule *) { return PROVISIO_ERROR; }
int32_t absent_generate(void *, const provisio_call *, const provisio_credit_cycle *) { return PROVISIO_ERROR; }
int32_t absent_usage(void *, const provisio_call *, const provisio_usage_request *) { return PROVISIO_ERROR; }
int32_t absent_init(const provisio_host *, void **) { return PROVISIO_ERROR; }
int32_t absent_custom(void *, const provisio_call *) { return PROVISIO_ERROR; }
int32_t absent_payment(void *, const provisio_call *, const provisio_payment_request *) { return PROVISIO_ERROR; }

provisio_module_descriptor functions_from_bits(uint32_t bits) {
    provisio_module_descriptor f{};
    f.struct_size = sizeof f;
    auto has = [&](int i) { return (bits & (1u << i)) != 0; };
    if (has(0)) f.init = absent_init;
    // fini (bit 1) stays null: the runner finalises its module itself.
    provisio_lifecycle_fn *lifecycle[] = {&f.create, &f.suspend, &f.unsuspend, &f.terminate, &f.change_package, &f.change_password,
                                          &f.test_connection};
    for (int i = 0; i < 7; ++i)
        if (has(2 + i)) *lifecycle[i] = absent_lifecycle;
    if (has(9)) f.invoice_event = absent_event;
    if (has(10)) f.validate_settings = absent_validate;
    if (has(11)) f.credit_schedule = absent_schedule;
    if (has(12)) f.generate_credits = absent_generate;
    if (has(13)) f.collect_usage = absent_usage;
    return f;
}

}  // namespace

InvoiceEvent InvoiceEvent::from(const provisio_invoice_event &e) {
    InvoiceEvent out;
    out.kind = e.kind;
    out.invoice_id = e.invoice_id;
    out.status = std::string(text(e.status));
    out.invoice_date = std::string(text(e.invoice_date));
    out.due_date = std::string(text(e.due_date));
    out.total = std::string(text(e.total));
    out.currency = std::string(text(e.currency));
    for (uint32_t i = 0; e.lines && i < e.line_count; ++i) {
        const provisio_invoice_line &l = e.lines[i];
        out.lines.push_back({std::string(text(l.description)), std::string(text(l.amount)), std::string(text(l.item_type)),
                             std::string(text(l.due_date)), l.item_id});
    }
    return out;
}

void InvoiceEvent::view(View &out) const {
    out.lines.clear();
    for (const auto &l : lines)
        out.lines.push_back({view_of(l.description), view_of(l.amount), view_of(l.item_type), l.item_id, view_of(l.due_date)});
    out.event = {};
    out.event.struct_size = sizeof out.event;
    out.event.kind = kind;
    out.event.invoice_id = invoice_id;
    out.event.status = view_of(status);
    out.event.invoice_date = view_of(invoice_date);
    out.event.due_date = view_of(due_date);
    out.event.total = view_of(total);
    out.event.currency = view_of(currency);
    out.event.lines = out.lines.data();
    out.event.line_count = static_cast<uint32_t>(out.lines.size());
    out.event.line_struct_size = sizeof(provisio_invoice_line);
}

CreditCycle CreditCycle::from(const provisio_credit_cycle &c) {
    CreditCycle out;
    out.trigger = c.trigger;
    out.period = std::string(text(c.period));
    out.period_date = std::string(text(c.period_date));
    out.price = std::string(text(c.price));
    out.billing_cycle = std::string(text(c.billing_cycle));
    out.balance = std::string(text(c.balance));
    if (c.invoice) out.invoice = InvoiceEvent::from(*c.invoice);
    return out;
}

void CreditCycle::view(View &out) const {
    out.cycle = {};
    out.cycle.struct_size = sizeof out.cycle;
    out.cycle.trigger = trigger;
    out.cycle.period = view_of(period);
    out.cycle.period_date = view_of(period_date);
    out.cycle.price = view_of(price);
    out.cycle.billing_cycle = view_of(billing_cycle);
    out.cycle.balance = view_of(balance);
    if (invoice) {
        invoice->view(out.invoice);
        out.cycle.invoice = &out.invoice.event;
    }
}

namespace {

void put(Writer &w, const Request &r) {
    w.u64(r.id);
    w.u32(static_cast<uint32_t>(r.op));
    w.u32(static_cast<uint32_t>(r.action));
    put(w, r.in());
    switch (r.op) {
    case Op::invoice_event: put(w, r.event); break;
    case Op::generate:
        w.u32(r.cycle.trigger);
        for (const auto *s : {&r.cycle.period, &r.cycle.period_date, &r.cycle.price, &r.cycle.billing_cycle, &r.cycle.balance}) w.str(*s);
        w.u32(r.cycle.invoice ? 1 : 0);
        if (r.cycle.invoice) put(w, *r.cycle.invoice);
        break;
    case Op::usage:
        w.u32(r.usage.max_records);
        w.str(r.usage.cursor);
        w.str(r.usage.since);
        break;
    case Op::custom: w.str(r.custom_action); break;
    case Op::payment: {
        const GatewayRequest &p = r.payment;
        w.u32(static_cast<uint32_t>(p.op));
        w.i64(p.amount_minor);
        for (const auto *s : {&p.currency, &p.idempotency_key, &p.reference, &p.description, &p.customer, &p.payment_method, &p.payment, &p.email,
                              &p.return_url, &p.cancel_url})
            w.str(*s);
        w.u32(p.save_method ? 1 : 0);
        w.settings(p.headers);
        w.str(p.body);
        break;
    }
    case Op::batch:
        w.u32(static_cast<uint32_t>(r.batch.size()));
        for (const auto &call : r.batch) {
            const size_t mark = w.begin_part();
            put(w, call);
            w.end_part(mark);
        }
        break;
    default: break;
    }
}

}  // namespace

std::string encode(const Request &r) {
    Writer w;
    put(w, r);
    return std::move(w.bytes());
}

Request decode_request(std::string_view bytes) {
    Reader rd(bytes);
    Request r;
    r.id = rd.u64();
    r.op = static_cast<Op>(rd.u32());
    r.action = static_cast<Action>(rd.u32());
    r.input = get_input(rd);
    switch (r.op) {
    case Op::invoice_event: r.event = get_event(rd); break;
    case Op::generate:
        r.cycle.trigger = rd.u32();
        for (auto *s : {&r.cycle.period, &r.cycle.period_date, &r.cycle.price, &r.cycle.billing_cycle, &r.cycle.balance}) *s = rd.str();
        if (rd.u32()) r.cycle.invoice = get_event(rd);
        break;
    case Op::usage:
        r.usage.max_records = rd.u32();
        r.usage.cursor = rd.str();
        r.usage.since = rd.str();
        break;
    case Op::custom: r.custom_action = rd.str(); break;
    case Op::payment: {
        GatewayRequest &p = r.payment;
        const uint32_t op = rd.u32();
        if (op < 1 || op > 4) throw Malformed("unknown payment operation in a runner request");
        p.op = static_cast<GatewayOp>(op);
        p.amount_minor = rd.i64();
        for (auto *s : {&p.currency, &p.idempotency_key, &p.reference, &p.description, &p.customer, &p.payment_method, &p.payment, &p.email,
                        &p.return_url, &p.cancel_url})
            *s = rd.str();
        p.save_method = rd.u32() != 0;
        p.headers = rd.settings();
        p.body = rd.str();
        break;
    }
    case Op::batch:
        for (uint32_t n = rd.u32(); n > 0; --n) {
            r.batch.push_back(decode_request(rd.view()));
            if (r.batch.back().op == Op::batch) throw Malformed("a batch inside a batch");
        }
        break;
    default: break;
    }
    return r;
}

namespace {

void put(Writer &w, const Reply &r) {
    w.u64(r.id);
    const CallOutcome &o = r.outcome;
    w.u32(static_cast<uint32_t>(o.status));
    w.str(o.message);
    w.u32(o.state_changed ? 1 : 0);
    if (o.state_changed) w.settings(o.state);
    w.u32(static_cast<uint32_t>(o.exchanges.size()));
    for (const auto &x : o.exchanges) {
        w.str(x.action);
        w.str(x.request);
        w.str(x.response);
    }
    w.u32(static_cast<uint32_t>(o.credits.size()));
    for (const auto &c : o.credits) {
        w.str(c.kind);
        w.i64(c.micro_hours);
        w.str(c.description);
    }
    w.u32(static_cast<uint32_t>(o.usage.size()));
    for (const auto &u : o.usage) {
        for (const auto *s : {&u.id, &u.direction, &u.caller, &u.destination_number, &u.caller_destination, &u.start, &u.answer, &u.end,
                              &u.hangup_cause})
            w.str(*s);
        w.i64(u.duration);
        w.i64(u.billsec);
    }
    w.u32(o.usage_cursor ? 1 : 0);
    if (o.usage_cursor) w.str(*o.usage_cursor);
    w.u32(o.payment ? 1 : 0);
    if (o.payment) {
        const GatewayResult &p = *o.payment;
        w.u32(static_cast<uint32_t>(p.state));
        w.i64(p.amount_minor);
        for (const auto *s : {&p.id, &p.payment, &p.url, &p.reference, &p.currency, &p.customer, &p.payment_method, &p.method_label, &p.failure,
                              &p.event_id, &p.event_type})
            w.str(*s);
    }
    w.i64(o.duration.count());
    w.u32(r.has_schedule ? 1 : 0);
    w.u32(r.schedule.trigger);
    w.u32(r.schedule.offset);
    w.u32(r.schedule.also_on_paid);
    w.str(r.schedule_error);
    w.u32(static_cast<uint32_t>(r.batch.size()));
    for (const auto &reply : r.batch) {
        const size_t mark = w.begin_part();
        put(w, reply);
        w.end_part(mark);
    }
}

}  // namespace

std::string encode(const Reply &r) {
    Writer w;
    put(w, r);
    return std::move(w.bytes());
}

uint64_t reply_id(std::string_view bytes) { return Reader(bytes).u64(); }

Reply decode_reply(std::string_view bytes) {
    Reader rd(bytes);
    Reply r;
    r.id = rd.u64();
    CallOutcome &o = r.outcome;
    const uint32_t status = rd.u32();
    if (status != PROVISIO_OK && status != PROVISIO_ERROR && status != PROVISIO_RETRYABLE) throw Malformed("unknown status in a runner reply");
    o.status = static_cast<provisio_status>(status);
    o.message = rd.str();
    o.state_changed = rd.u32() != 0;
    if (o.state_changed) o.state = rd.settings();
    for (uint32_t n = rd.u32(); n > 0; --n) {
        LoggedExchange x;
        x.action = rd.str();
        x.request = rd.str();
        x.response = rd.str();
        o.exchanges.push_back(std::move(x));
    }
    for (uint32_t n = rd.u32(); n > 0; --n) {
        PostedCredit c;
        c.kind = rd.str();
        c.micro_hours = rd.i64();
        c.description = rd.str();
        o.credits.push_back(std::move(c));
    }
    const uint32_t records = rd.u32();
    o.usage.reserve(records);
    for (uint32_t n = records; n > 0; --n) {
        CollectedUsage u;
        for (auto *s : {&u.id, &u.direction, &u.caller, &u.destination_number, &u.caller_destination, &u.start, &u.answer, &u.end, &u.hangup_cause})
            *s = rd.str();
        u.duration = rd.i64();
        u.billsec = rd.i64();
        o.usage.push_back(std::move(u));
    }
    if (rd.u32()) o.usage_cursor = rd.str();
    if (rd.u32()) {
        GatewayResult p;
        const uint32_t state = rd.u32();
        if (state > PROVISIO_PAYMENT_EXPIRED) throw Malformed("unknown payment state in a runner reply");
        p.state = static_cast<provisio_payment_state>(state);
        p.amount_minor = rd.i64();
        for (auto *s : {&p.id, &p.payment, &p.url, &p.reference, &p.currency, &p.customer, &p.payment_method, &p.method_label, &p.failure,
                        &p.event_id, &p.event_type})
            *s = rd.str();
        o.payment = std::move(p);
    }
    o.duration = std::chrono::microseconds(rd.i64());
    r.has_schedule = rd.u32() != 0;
    r.schedule.struct_size = sizeof r.schedule;
    r.schedule.trigger = rd.u32();
    r.schedule.offset = rd.u32();
    r.schedule.also_on_paid = rd.u32();
    r.schedule_error = rd.str();
    for (uint32_t n = rd.u32(); n > 0; --n) r.batch.push_back(decode_reply(rd.view()));
    if (!rd.done()) throw Malformed("a runner reply has bytes after its end");
    return r;
}

std::string encode(const LoadReply &r) {
    Writer w;
    w.u32(r.loaded ? 1 : 0);
    if (!r.loaded) {
        w.str(r.name);
        w.str(r.reason);
        return std::move(w.bytes());
    }
    const ModuleDescription &d = r.description;
    w.str(d.name);
    w.str(d.version);
    w.str(d.description);
    w.u32(d.abi_major);
    w.u32(d.abi_minor);
    w.u64(d.capabilities);
    w.u32(function_bits(d.functions));
    w.u32(static_cast<uint32_t>(d.schema.options().size()));
    for (const auto &o : d.schema.options()) {
        w.str(o.key);
        w.str(o.label);
        w.u32(static_cast<uint32_t>(o.type));
        w.u32(static_cast<uint32_t>(o.scope));
        w.u32(o.required ? 1 : 0);
        w.strings(o.choices);
        w.str(o.default_value);
        w.str(o.description);
    }
    w.u32(static_cast<uint32_t>(d.custom_actions.size()));
    for (const auto &a : d.custom_actions) {
        w.str(a.name);
        w.str(a.label);
        w.str(a.description);
        w.u32(a.client_visible ? 1 : 0);
    }
    const auto &g = d.gateway;
    w.u32((g.charge ? 1u : 0u) | (g.start_checkout ? 2u : 0u) | (g.refund ? 4u : 0u) | (g.parse_webhook ? 8u : 0u));
    return std::move(w.bytes());
}

LoadReply decode_load_reply(std::string_view bytes) {
    Reader rd(bytes);
    LoadReply r;
    r.loaded = rd.u32() != 0;
    if (!r.loaded) {
        r.name = rd.str();
        r.reason = rd.str();
        return r;
    }
    ModuleDescription &d = r.description;
    d.name = rd.str();
    d.version = rd.str();
    d.description = rd.str();
    d.abi_major = rd.u32();
    d.abi_minor = rd.u32();
    d.capabilities = rd.u64();
    d.functions = functions_from_bits(rd.u32());
    std::vector<OptionSpec> options;
    for (uint32_t n = rd.u32(); n > 0; --n) {
        OptionSpec o;
        o.key = rd.str();
        o.label = rd.str();
        o.type = static_cast<provisio_option_type>(rd.u32());
        o.scope = static_cast<provisio_option_scope>(rd.u32());
        o.required = rd.u32() != 0;
        o.choices = rd.strings();
        o.default_value = rd.str();
        o.description = rd.str();
        options.push_back(std::move(o));
    }
    d.schema = OptionSchema(std::move(options));
    for (uint32_t n = rd.u32(); n > 0; --n) {
        CustomAction a;
        a.name = rd.str();
        a.label = rd.str();
        a.description = rd.str();
        a.client_visible = rd.u32() != 0;
        d.custom_actions.push_back(std::move(a));
    }
    if (!d.custom_actions.empty()) d.call_custom_action = absent_custom;
    const uint32_t gateway = rd.u32();
    if (gateway & 1u) d.gateway.charge = absent_payment;
    if (gateway & 2u) d.gateway.start_checkout = absent_payment;
    if (gateway & 4u) d.gateway.refund = absent_payment;
    if (gateway & 8u) d.gateway.parse_webhook = absent_payment;
    return r;
}

std::string frame(const std::string &payload) {
    Writer w;
    w.u32(static_cast<uint32_t>(payload.size()));
    w.bytes() += payload;
    return std::move(w.bytes());
}

}  // namespace provisio::wire
