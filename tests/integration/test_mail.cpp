// Mail through the CLI: templates checked when saved, the outbox, and delivery through a real
// SMTP exchange on loopback — including a server that refuses and one that vanishes mid-send,
// after which the mail stays queued and goes out on the next try.
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"
#include "support/smtp_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace provisio::test;
using nlohmann::json;

namespace {

json outbox(const Installation &inst) { return json::parse(inst.run({"--json", "mail", "outbox", "--all"}).out); }

// One client with one service invoiced (so the outbox holds "Invoice Created").
void seed(const Installation &inst) {
    inst.install_module("hello");
    ok(inst, {"client", "add", "--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@example.org"});
    ok(inst, {"product", "add", "--name", "Hello", "--module", "hello", "--price", "12.50"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Hello", "--next-due", "2026-05-01"});
    ok(inst, {"service", "create", "1"});
    ok(inst, {"--now", "2026-04-28T10:00:00Z", "invoice", "generate"});
}

}  // namespace

TEST_CASE("templates are checked when saved: unknown variables are refused with their line") {
    Installation inst;
    RunResult r = inst.run({"mail", "template", "add", "Welcome", "--subject", "Hi {$client_name}", "--body",
                            "Dear {$client_name},\nyour balance is {$client_balnce}.\n"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "provisio: body line 2: unknown variable {$client_balnce} (see: provisio mail variables)\n");
    r = inst.run({"mail", "template", "add", "Welcome", "--subject", "Hi {$client_name", "--body", "x"});
    CHECK(r.exit_code == 2);
    const size_t defaults = json::parse(inst.run({"--json", "mail", "template", "list"}).out).size();
    ok(inst, {"mail", "template", "add", "Welcome", "--subject", "Hi {$client_first_name}", "--body",
              "Your credit: {$client_credit}\nField: {$client_custom_field_lowbalancethreshold}\n"});
    const json list = json::parse(inst.run({"--json", "mail", "template", "list"}).out);
    CHECK(list.size() == defaults + 1);
    CHECK(inst.run({"mail", "template", "show", "Nope"}).exit_code == 3);
}

TEST_CASE("invoice mail is rendered from templates into the outbox and written by the file transport") {
    Installation inst;
    seed(inst);
    json box = outbox(inst);
    REQUIRE(box.size() == 1);
    CHECK(box[0]["to"] == "ada@example.org");
    CHECK(box[0]["subject"] == "Invoice #1, due 2026-05-01");
    CHECK(box[0]["body"].get<std::string>().find("Dear Ada Lovelace,") == 0);
    CHECK(box[0]["status"] == "queued");
    ok(inst, {"--now", "2026-04-28T10:01:00Z", "mail", "send"});
    box = outbox(inst);
    CHECK(box[0]["status"] == "sent");
    std::ifstream eml(inst.dir() / "mail" / "1.eml");
    const std::string text((std::istreambuf_iterator<char>(eml)), std::istreambuf_iterator<char>());
    CHECK(text.find("Subject: Invoice #1, due 2026-05-01\r\n") != std::string::npos);
    CHECK(text.find("Date: Tue, 28 Apr 2026 10:01:00 +0000\r\n") != std::string::npos);
    // Paying queues the confirmation, once.
    ok(inst, {"invoice", "pay", "1", "--method", "bank"});
    box = outbox(inst);
    REQUIRE(box.size() == 2);
    CHECK(box[1]["subject"] == "Payment received for invoice #1");
}

TEST_CASE("delivery through a real SMTP exchange; refusals and dropped connections keep mail queued") {
    Installation inst;
    seed(inst);
    SmtpServer server;
    use_smtp(inst, server);

    server.mode = SmtpServer::Mode::reject_recipients;
    RunResult r = inst.run({"mail", "send"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("message 1 to ada@example.org:") != std::string::npos);
    CHECK(r.err.find("550") != std::string::npos);
    json box = outbox(inst);
    CHECK(box[0]["status"] == "queued");
    CHECK(box[0]["attempts"] == 1);
    CHECK(box[0]["last_error"].get<std::string>().find("550") != std::string::npos);

    server.mode = SmtpServer::Mode::drop_during_data;
    r = inst.run({"mail", "send"});
    CHECK(r.exit_code == 1);
    box = outbox(inst);
    CHECK(box[0]["status"] == "queued");
    CHECK(box[0]["attempts"] == 2);
    CHECK(server.received().empty());

    // The cron task retries; this time the server accepts.
    server.mode = SmtpServer::Mode::accept;
    r = inst.run({"--now", "2026-04-28T10:05:00Z", "cron", "--task", "mail"});
    CHECK(r.exit_code == 0);
    box = outbox(inst);
    CHECK(box[0]["status"] == "sent");
    const auto got = server.received();
    REQUIRE(got.size() == 1);
    CHECK(got[0].from == "<billing@example.net>");
    CHECK(got[0].recipients == std::vector<std::string>{"<ada@example.org>"});
    CHECK(got[0].auth == "billing:s3cret");
    CHECK(got[0].data.find("From: Billing <billing@example.net>\r\n") != std::string::npos);
    CHECK(got[0].data.find("Subject: Invoice #1, due 2026-05-01\r\n") != std::string::npos);
    CHECK(got[0].data.find("Dear Ada Lovelace,\r\n") != std::string::npos);
    // Sent once: another run sends nothing.
    CHECK(inst.run({"mail", "send"}).exit_code == 0);
    CHECK(server.received().size() == 1);
}

TEST_CASE("an SMTP server that is not there keeps mail queued") {
    Installation inst;
    seed(inst);
    unsigned short dead_port;
    {
        SmtpServer gone;
        dead_port = gone.port();
        use_smtp(inst, gone);
    }
    const RunResult r = inst.run({"mail", "send"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(std::to_string(dead_port)) != std::string::npos);
    CHECK(outbox(inst)[0]["status"] == "queued");
}
