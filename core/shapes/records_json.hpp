// The JSON shapes of records: what `provisio … --json` prints and what the HTTP API answers, from
// one place, so the two never drift apart. Money is decimal text (never a JSON number), dates
// and times are ISO text, an absent optional value is null.
#pragma once

#include <nlohmann/json.hpp>

namespace provisio {

struct Client;
struct PostalAddress;
struct Service;
struct Invoice;
struct LifecycleResult;

nlohmann::ordered_json address_json(const PostalAddress &a);
nlohmann::ordered_json client_json(const Client &c);
nlohmann::ordered_json service_json(const Service &s);
nlohmann::ordered_json invoice_json(const Invoice &i);
// What a lifecycle call did: status ok|error|retryable, the service's status before and after, the queue item.
nlohmann::ordered_json lifecycle_json(const LifecycleResult &r);

}  // namespace provisio
