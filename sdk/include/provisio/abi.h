/*
 * provisio module ABI — the whole contract between the provisio host and a server module.
 *
 * A module is a shared library exporting one symbol, `provisio_module_entry`: a pointer to a
 * function returning a static `provisio_module_descriptor`. Everything the module can do is in
 * that descriptor; everything the host offers the module is in `provisio_host`. Plain C, fixed
 * width types, strings as (pointer, length), no exceptions and no C++ types across the boundary,
 * so a module built with any compiler that speaks the platform's C ABI loads.
 *
 * Versioning (see docs/abi.md for the full rules and their rationale):
 *  - PROVISIO_ABI_MAJOR changes only when an existing field changes meaning or position. The host
 *    refuses a module built for another major.
 *  - PROVISIO_ABI_MINOR grows when fields are appended to a struct. Every growable struct starts
 *    with `struct_size`; a reader looks only at the fields that struct_size covers, and a field
 *    the writer did not cover reads as zero / NULL, which always means "not supported" or
 *    "default". The host refuses a module built for a newer minor than its own, because such a
 *    module may call host functions this host lacks.
 *
 * Memory ownership, one rule everywhere: the side that allocates owns. Strings and lists the host
 * passes in are valid until the module function returns; the module copies what it keeps. Data
 * the module hands the host (messages, state, log text) is copied by the host before the host
 * function returns. Descriptor data is static: it must stay valid until the process exits
 * (modules are never unloaded).
 *
 * Structs one side allocates and the other fills (provisio_http_response, provisio_tcp_response
 * from the module; provisio_credit_schedule from the host): the allocating side sets struct_size
 * to the size it compiled, and the filling side writes only the fields that struct_size covers,
 * so a module built against an older header is never written past the end of its struct.
 *
 * Text is UTF-8. Every text a module hands the host — descriptor strings, messages, state keys
 * and values, credit entries, usage records, cursors — must be UTF-8 without NUL bytes; the host
 * refuses a descriptor, or fails the call, otherwise (log lines and log_call text are kept with
 * bad bytes replaced). Every text the host hands a module is UTF-8. HTTP and TCP bodies are
 * bytes and are neither checked nor converted.
 *
 * Threads. Each function below is marked, as CLAP marks its own, with who may call it:
 *   [loader]       the host calls it on the thread that loads modules, once, before anything
 *                  else of the module runs.
 *   [any thread]   the host may call it from any of its threads, concurrently with calls for
 *                  other services, never concurrently with another call for the same service.
 *   [exit]         the host calls it once, after every other call has returned.
 *   [thread-safe]  a host function the module may call from any thread, at any time.
 *   [in call]      a host function the module may call only while the call it passes runs,
 *                  on the thread the host called the module on (the host keeps a call's
 *                  results unsynchronised, one call, one thread).
 * and says whether its `call` argument may be NULL.
 *
 * Targeting an older host: a module defines PROVISIO_ABI_TARGET_MINOR (see below) to load in
 * every host from 1.<target> on, and checks host->abi_minor before using a host function added
 * later; docs/module-sdk.md shows how.
 */
#ifndef PROVISIO_ABI_H
#define PROVISIO_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PROVISIO_ABI_MAJOR 1
#define PROVISIO_ABI_MINOR 6

/* The oldest 1.x host the module must load in. Define it before including this header (the
 * CMake package's provisio_add_module(NAME ABI_MINOR n ...) does); it defaults to this
 * header's minor. A module targeting 1.t reports abi_minor t in its descriptor (PROVISIO_MODULE
 * does so), fills only the hooks 1.t defines (the C++ layer refuses to compile a newer one), and
 * checks host->abi_minor before calling a host function added after 1.t. Hosts 1.t and later
 * load it; the structs are the same size, so nothing else changes. */
#ifndef PROVISIO_ABI_TARGET_MINOR
#define PROVISIO_ABI_TARGET_MINOR PROVISIO_ABI_MINOR
#endif
#if PROVISIO_ABI_TARGET_MINOR > PROVISIO_ABI_MINOR
#error "PROVISIO_ABI_TARGET_MINOR is newer than this SDK's PROVISIO_ABI_MINOR: use a newer SDK"
#endif

/* The exported symbol's name. See PROVISIO_MODULE_ENTRY at the end of this file. */
#define PROVISIO_ENTRY_SYMBOL "provisio_module_entry"

/* Host-enforced limits. A descriptor string or an option list beyond them refuses the module;
 * a message or state value beyond them turns the call's outcome into an error. */
#define PROVISIO_MAX_NAME_BYTES 64          /* module name, option key */
#define PROVISIO_MAX_TEXT_BYTES 4096        /* version, description, label, default, choice */
#define PROVISIO_MAX_OPTIONS 256
#define PROVISIO_MAX_CHOICES 256
#define PROVISIO_MAX_MESSAGE_BYTES 65536    /* outcome message, log line */
#define PROVISIO_MAX_STATE_BYTES 1048576    /* one module-state value */
#define PROVISIO_MAX_CUSTOM_ACTIONS 64      /* ABI 1.5: custom actions per module */

/* ---- Basic types -------------------------------------------------------------------------- */

/* A byte string: not NUL-terminated unless stated; `data` may be NULL only when `size` is 0. */
typedef struct provisio_str {
    const char *data;
    uint64_t size;
} provisio_str;

typedef struct provisio_kv {
    provisio_str key;
    provisio_str value;
} provisio_kv;

/* An ordered list of key/value pairs; keys are unique within one list. */
typedef struct provisio_kv_list {
    const provisio_kv *items;
    uint32_t count;
} provisio_kv_list;

/* Every function that can fail returns one of these. Any other value the host reads from a
 * module is treated as PROVISIO_ERROR with a message saying so. */
typedef enum provisio_status {
    PROVISIO_OK = 0,
    PROVISIO_ERROR = 1,      /* failed; retrying the same call will not help */
    PROVISIO_RETRYABLE = 2   /* failed for a reason that may pass (timeout, server busy) */
} provisio_status;

typedef enum provisio_log_level {
    PROVISIO_LOG_DEBUG = 0,
    PROVISIO_LOG_INFO = 1,
    PROVISIO_LOG_WARNING = 2,
    PROVISIO_LOG_ERROR = 3
} provisio_log_level;

/* ---- Configuration-option schema (WHMCS ConfigOptions) ------------------------------------ */

typedef enum provisio_option_type {
    PROVISIO_OPTION_TEXT = 1,
    PROVISIO_OPTION_PASSWORD = 2,  /* like text; encrypted at rest, scrubbed from every log */
    PROVISIO_OPTION_YESNO = 3,     /* values are "yes" or "no" once validated */
    PROVISIO_OPTION_DROPDOWN = 4,  /* value must be one of `choices` */
    PROVISIO_OPTION_NUMBER = 5,    /* decimal: optional '-', digits, optional '.' and digits */
    PROVISIO_OPTION_TEXTAREA = 6   /* multi-line text */
} provisio_option_type;

/* Where an option's value is set. */
typedef enum provisio_option_scope {
    PROVISIO_SCOPE_PRODUCT = 0,  /* on the product; each service may override it */
    PROVISIO_SCOPE_SERVER = 1    /* on the server record (e.g. a database port) */
} provisio_option_scope;

/* Option flags. */
#define PROVISIO_OPTION_REQUIRED 0x1u  /* the effective value must not be empty */

/* One option. All strings are NUL-terminated and static. The descriptor gives the array's
 * element size in `option_struct_size` so this struct may grow by appending. */
typedef struct provisio_option {
    const char *key;          /* [a-z0-9_]+, unique within the module, at most 64 bytes */
    const char *label;        /* shown to operators */
    uint32_t type;            /* provisio_option_type */
    uint32_t scope;           /* provisio_option_scope */
    uint32_t flags;           /* PROVISIO_OPTION_* */
    uint32_t choice_count;    /* DROPDOWN: number of entries in `choices` (at least 1) */
    const char *const *choices; /* DROPDOWN only; NULL otherwise */
    const char *default_value;  /* NULL or "" for none; must itself be valid for the type */
    const char *description;    /* may be NULL */
} provisio_option;

/* ---- Calls -------------------------------------------------------------------------------- */

/* Everything a lifecycle function gets about the service it acts on. All lists are built by the
 * host for this call and valid until the function returns. Secret values (service password,
 * server password and access hash, PASSWORD options) are decrypted. */
typedef struct provisio_call {
    uint32_t struct_size;
    uint32_t reserved0;
    uint64_t service_id;        /* 0 when the call concerns only a server (test_connection) */
    provisio_str action;        /* "create", "suspend", ... as logged */
    provisio_kv_list settings;  /* effective settings: product values overlaid by the service's */
    provisio_kv_list service;   /* domain, username, password, dedicated_ip, status, client_id,
                                   product_id, billing_cycle, next_due_date, recurring_amount */
    provisio_kv_list custom_fields; /* the service's custom fields */
    provisio_kv_list server;    /* name, hostname, ip, port, username, password, access_hash,
                                   secure, plus the module's SERVER-scope options; empty if none */
    provisio_kv_list state;     /* the module's saved per-service state (see state_set) */
    provisio_str reason;        /* suspend: the reason given; empty otherwise */
    void *host_context;         /* opaque; the host's, not the module's */
} provisio_call;

/* ---- Host services ------------------------------------------------------------------------ */

struct provisio_credit_entry; /* ABI 1.2, defined below with the credit-generation types */
struct provisio_usage_record; /* ABI 1.3, defined below with the usage types */
struct provisio_payment_result; /* ABI 1.6, defined below with the payment gateway types */

typedef struct provisio_http_request {
    uint32_t struct_size;
    uint32_t timeout_ms;       /* whole exchange; 0 means the host's configured default */
    provisio_str method;       /* "GET", "POST", "PUT", ... */
    provisio_str url;          /* http:// or https://; TLS certificates are verified unless the
                                  operator turned verification off on the server record */
    provisio_kv_list headers;  /* Host, Content-Length and User-Agent are set by the host */
    provisio_str body;
} provisio_http_request;

typedef struct provisio_http_response {
    uint32_t struct_size;
    int32_t status;            /* HTTP status code; 0 when no response was received */
    provisio_kv_list headers;  /* header names lower-cased */
    provisio_str body;
    provisio_str error;        /* why the exchange failed, when http_request did not return OK */
} provisio_http_response;

/* ABI 1.4. One plain-TCP exchange, for line protocols with no HTTP form (FreeSWITCH's event
 * socket): the host connects to host:port, sends `payload`, and reads until the peer closes the
 * connection, all under one deadline. The payload must make the peer close (the event socket's
 * "exit"); a peer that stays open ends the exchange at the deadline, as a retryable failure. */
typedef struct provisio_tcp_request {
    uint32_t struct_size;
    uint32_t timeout_ms;       /* whole exchange; 0 means the host's configured default */
    provisio_str host;         /* a name or an address */
    uint32_t port;
    uint32_t max_bytes;        /* what may be read; 0 means the host's limit (16 MiB) */
    provisio_str payload;
} provisio_tcp_request;

typedef struct provisio_tcp_response {
    uint32_t struct_size;
    provisio_str data;         /* everything read, also when the exchange failed part-way */
    provisio_str error;        /* why the exchange failed, when tcp_exchange did not return OK */
} provisio_tcp_response;

/* The host's services, given to the module's init and valid until the process exits. Per-call
 * functions take the call they serve; what they return lives until that module function
 * returns. A function given a NULL `call` where one is required does nothing and returns 0 or
 * PROVISIO_ERROR. Functions appended after 1.0 are present when host->abi_minor says so. */
typedef struct provisio_host {
    uint32_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t reserved0;
    provisio_str host_version;

    /* Log a line through the host's logger, tagged with the module (and the call's service);
     * the call's secrets are masked. [thread-safe] with a NULL `call`: outside a call (init,
     * fini, a thread of the module's own); [in call] with one. */
    void (*log)(const provisio_call *call, int32_t level, provisio_str message);

    /* Current time as microseconds since the Unix epoch, UTC. Honours the operator's --now, so
     * modules must use this and never read the system clock. [thread-safe]; `call` may be NULL
     * (pass the call when there is one). */
    int64_t (*now_us)(const provisio_call *call);

    /* Make an HTTP(S) request. Returns PROVISIO_OK when a response arrived (whatever its status
     * code), PROVISIO_RETRYABLE on timeouts and connection failures, PROVISIO_ERROR on a bad
     * request or failed certificate check. `response` is filled in every case, up to its
     * struct_size. [in call]; `call` must not be NULL (the host needs it for the server's TLS
     * settings, the deadline and masking). */
    int32_t (*http_request)(const provisio_call *call, const provisio_http_request *request,
                            provisio_http_response *response);

    /* Record one exchange in the module-call log (WHMCS logModuleCall). Every occurrence of the
     * `scrub` values in request and response is masked, as are, automatically, the call's
     * passwords and PASSWORD options. [in call]; `call` must not be NULL. */
    void (*log_call)(const provisio_call *call, provisio_str action, provisio_str request,
                     provisio_str response, const provisio_str *scrub, uint32_t scrub_count);

    /* Per-service module state. get: returns 1 and sets *value when the key exists, else 0.
     * set: stores key=value; erase: removes key. Changes are saved with the call's outcome,
     * whatever its status (the module knows what it did to the outside world). A value from
     * get lives until the module function returns. [in call]; `call` must not be NULL. */
    int32_t (*state_get)(const provisio_call *call, provisio_str key, provisio_str *value);
    void (*state_set)(const provisio_call *call, provisio_str key, provisio_str value);
    void (*state_erase)(const provisio_call *call, provisio_str key);

    /* The outcome's message, shown to the operator and logged; the last call wins; the call's
     * secrets are masked in it. [in call]; `call` must not be NULL. */
    void (*set_message)(const provisio_call *call, provisio_str message);

    /* ABI 1.2. Inside generate_credits: add one time-credit entry to post (see
     * provisio_credit_entry). The host posts the call's entries together, once per
     * (service, period, kind), and only when the call returns PROVISIO_OK. Check
     * host->abi_minor >= 2 (or struct_size) before using it. [in call] of generate_credits;
     * `call` must not be NULL. */
    void (*post_credit)(const provisio_call *call, const struct provisio_credit_entry *entry);

    /* ABI 1.3. Inside collect_usage: add one call detail record, and say where the next
     * collection starts. The host stores the records and the cursor together, only when the
     * call returns PROVISIO_OK. Check host->abi_minor >= 3 before using them. [in call] of
     * collect_usage; `call` must not be NULL. */
    void (*add_usage)(const provisio_call *call, const struct provisio_usage_record *record);
    void (*set_usage_cursor)(const provisio_call *call, provisio_str cursor);

    /* ABI 1.4. A plain-TCP exchange (see provisio_tcp_request). Returns PROVISIO_OK when the peer
     * closed the connection after the payload was sent, PROVISIO_RETRYABLE on timeouts and
     * connection failures, PROVISIO_ERROR on a bad request. `response` is filled up to its
     * struct_size. Check host->abi_minor >= 4. [in call]; `call` must not be NULL. */
    int32_t (*tcp_exchange)(const provisio_call *call, const provisio_tcp_request *request,
                            provisio_tcp_response *response);

    /* ABI 1.6. Inside a payment gateway function: what the gateway answered (see
     * provisio_payment_result). The host copies it; the last call wins. Check host->abi_minor
     * >= 6. [in call] of a gateway function; `call` must not be NULL. */
    void (*set_payment_result)(const provisio_call *call, const struct provisio_payment_result *result);
} provisio_host;

/* ---- Invoice events (ABI 1.1) ------------------------------------------------------------ */

typedef enum provisio_event_kind {
    PROVISIO_EVENT_INVOICE_CREATED = 1,
    PROVISIO_EVENT_INVOICE_PAID = 2
} provisio_event_kind;

/* One invoice line. Amounts are exact decimal text ("12.50", "-3.00"). */
typedef struct provisio_invoice_line {
    provisio_str description;
    provisio_str amount;
    provisio_str item_type;   /* service, addon, prorata, upgrade, latefee, manual */
    uint64_t item_id;         /* the service or addon; 0 when none */
    provisio_str due_date;    /* the due date a renewal line bills; empty otherwise */
} provisio_invoice_line;

/* An invoice event, delivered once per service on the invoice (call->service_id says which),
 * with every line of the invoice so a module can read lines beyond its own. Delivery is at
 * least once: a module that posts anything must make its own effect idempotent (the host's
 * credit-posting hooks take natural keys for this). */
typedef struct provisio_invoice_event {
    uint32_t struct_size;
    uint32_t kind;                 /* provisio_event_kind */
    uint64_t invoice_id;
    provisio_str status;           /* Unpaid, Paid */
    provisio_str invoice_date;
    provisio_str due_date;
    provisio_str total;
    provisio_str currency;
    const provisio_invoice_line *lines;
    uint32_t line_count;
    uint32_t line_struct_size;     /* sizeof(provisio_invoice_line) as the host compiled it */
} provisio_invoice_event;

/* [any thread]; `call` and `event` are never NULL. */
typedef int32_t (*provisio_invoice_event_fn)(void *instance, const provisio_call *call,
                                             const provisio_invoice_event *event);

/* ---- Settings validation and time-credit generation (ABI 1.2) ------------------------------ */

/* When a module's credit cycle runs. The calendar ones are independent of the billing cycle. */
typedef enum provisio_credit_trigger {
    PROVISIO_CREDIT_NONE = 0,
    PROVISIO_CREDIT_ON_CREATE = 1,           /* once, when the service is created on its server */
    PROVISIO_CREDIT_ON_INVOICE_CREATED = 2,  /* each invoice billing the service */
    PROVISIO_CREDIT_ON_INVOICE_PAID = 3,
    PROVISIO_CREDIT_DAILY = 4,
    PROVISIO_CREDIT_WEEKLY = 5,              /* offset 0..6: 0 = Sunday */
    PROVISIO_CREDIT_MONTHLY = 6,             /* offset 0..30: 0 = the 1st, clamped to the month's last day */
    PROVISIO_CREDIT_YEARLY = 7               /* offset 0..365: 0 = 1 January, clamped to 31 December */
} provisio_credit_trigger;

/* A service's credit schedule, as the module reads it from the effective settings. */
typedef struct provisio_credit_schedule {
    uint32_t struct_size;
    uint32_t trigger;        /* provisio_credit_trigger */
    uint32_t offset;         /* for WEEKLY, MONTHLY, YEARLY */
    uint32_t also_on_paid;   /* non-zero: also call generate_credits on every invoice paid */
} provisio_credit_schedule;

/* One cycle the host asks the module to compute for one service. */
typedef struct provisio_credit_cycle {
    uint32_t struct_size;
    uint32_t trigger;              /* what fired this call (provisio_credit_trigger) */
    provisio_str period;           /* the period's key, unique per service: "2026-03-01", "invoice:12:paid", "create" */
    provisio_str period_date;      /* YYYY-MM-DD the entries are dated */
    provisio_str price;            /* the service's recurring amount, decimal text */
    provisio_str billing_cycle;
    provisio_str balance;          /* the service's time-credit balance before this cycle, hours */
    const provisio_invoice_event *invoice;  /* invoice triggers: the invoice; NULL otherwise */
} provisio_credit_cycle;

/* An entry for post_credit. `kind` names it within the cycle ("credit", "expiry"): the host
 * posts each (service, period, kind) at most once, so a re-run or a crash never posts twice. */
typedef struct provisio_credit_entry {
    uint32_t struct_size;
    uint32_t reserved0;
    provisio_str kind;         /* [a-z0-9_]+ */
    provisio_str hours;        /* decimal, at most 6 places; positive adds credit, negative takes it */
    provisio_str description;
} provisio_credit_entry;

/* Checks the effective settings as a whole (rules a per-option schema cannot say), when a
 * product's settings or a service's overrides are saved. call->service carries
 * billing_cycle and recurring_amount (of the product when service_id is 0). Return an error
 * with a message to refuse the save. [any thread]; `call` is never NULL. */
typedef int32_t (*provisio_validate_fn)(void *instance, const provisio_call *call);
/* Fills *schedule (up to its struct_size) for the service in `call`. [any thread]; `call` and
 * `schedule` are never NULL. */
typedef int32_t (*provisio_credit_schedule_fn)(void *instance, const provisio_call *call,
                                               provisio_credit_schedule *schedule);
/* Computes one cycle: posts its entries with host->post_credit and returns PROVISIO_OK.
 * [any thread]; `call` and `cycle` are never NULL. */
typedef int32_t (*provisio_generate_credits_fn)(void *instance, const provisio_call *call,
                                                const provisio_credit_cycle *cycle);

/* ---- Usage collection (ABI 1.3) ----------------------------------------------------------- */

/* What the host asks of collect_usage: the records of one service after `cursor`. */
typedef struct provisio_usage_request {
    uint32_t struct_size;
    uint32_t max_records;      /* at most this many per call; the host calls again while the cursor moves */
    provisio_str cursor;       /* as the module last set it; empty the first time */
    provisio_str since;        /* the first time: collect calls that started at or after this
                                  ISO 8601 UTC instant (when the service was provisioned) */
} provisio_usage_request;

/* One call, as the PBX recorded it. Times are ISO 8601 with 'Z' or an offset. */
typedef struct provisio_usage_record {
    uint32_t struct_size;
    uint32_t reserved0;
    provisio_str id;                   /* the PBX's call id, unique for the module's source */
    provisio_str direction;            /* inbound | outbound | local */
    provisio_str caller;               /* the calling number */
    provisio_str destination_number;   /* what was dialled (rated for outbound calls) */
    provisio_str caller_destination;   /* the number called in on (rated for inbound calls) */
    provisio_str start;
    provisio_str answer;               /* empty when unknown: billsec > 0 then means answered at end - billsec */
    provisio_str end;
    int64_t duration;                  /* seconds, start to end (0 to 2,678,400) */
    int64_t billsec;                   /* seconds answered (0 to 2,678,400; 0: not answered) */
    provisio_str hangup_cause;
} provisio_usage_record;

/* Collects records with host->add_usage and sets the next cursor with host->set_usage_cursor.
 * A cursor is opaque text to the host, except that it must never sort (byte-wise) before the
 * one it replaces: write numbers zero-padded and times as ISO 8601 UTC. Records already
 * stored (same module and id) are skipped, so overlapping collections are safe. [any thread];
 * `call` and `request` are never NULL. */
typedef int32_t (*provisio_collect_usage_fn)(void *instance, const provisio_call *call,
                                             const provisio_usage_request *request);

/* ---- Payment gateways (ABI 1.6) ----------------------------------------------------------- */

/* A gateway module (PROVISIO_CAP_GATEWAY) moves money for the host: it charges a payment method
 * the client saved with the gateway, opens the gateway's hosted payment page, refunds, and reads
 * the gateway's webhooks. The host decides what is paid and posts it; the module only talks to
 * the gateway. Its account (API endpoint, keys, webhook secret) is a server record: call->server
 * carries it, call->service_id is 0, call->action is "charge", "checkout", "refund" or "webhook".
 *
 * Exactly once. Every charge, hosted payment and refund carries `idempotency_key`, which the host
 * derives from what is being paid ("provisio-invoice-12-attempt-1", "provisio-topup-7"). The host
 * stores the key before the call and sends the same key again when it does not know the outcome
 * (a timeout, a crash), so the module must pass the key to the gateway such that a repeated key
 * returns the first request's result instead of moving money again.
 *
 * Amounts are integer minor units of `currency` (ISO 4217: cents for USD, yen for JPY, fils for
 * BHD); the host never sends an amount that is not a whole number of minor units.
 *
 * Each function returns
 *   PROVISIO_OK        the gateway answered: host->set_payment_result says what (a declined card
 *                      is an answer: OK with PROVISIO_PAYMENT_DECLINED);
 *   PROVISIO_RETRYABLE no answer is known (timeout, connection failure, the gateway's 5xx or
 *                      429): the host asks again later with the same key;
 *   PROVISIO_ERROR     the request cannot succeed as it is (a rejected API key, a parameter the
 *                      gateway refuses); for parse_webhook: the signature does not verify or the
 *                      body is not the gateway's, and the host answers the sender 400. */

#define PROVISIO_CAP_GATEWAY 0x20u  /* ABI 1.6: implements the payment functions in the extensions block */

typedef enum provisio_payment_state {
    PROVISIO_PAYMENT_NONE = 0,            /* parse_webhook: an event the host has no use for; acknowledged, ignored */
    PROVISIO_PAYMENT_SUCCEEDED = 1,       /* the money moved: a payment taken, a refund made */
    PROVISIO_PAYMENT_DECLINED = 2,        /* the gateway refused it for good (card declined, expired, ...) */
    PROVISIO_PAYMENT_ACTION_REQUIRED = 3, /* the client must act (3-D Secure): send them to `url`, or,
                                             without one, the host opens a hosted payment */
    PROVISIO_PAYMENT_PENDING = 4,         /* accepted; the outcome comes later by webhook (a hosted page
                                             opened, a refund in progress) */
    PROVISIO_PAYMENT_DISPUTED = 5,        /* parse_webhook: the client's bank disputes `payment` (chargeback) */
    PROVISIO_PAYMENT_DISPUTE_WON = 6,     /* parse_webhook: a dispute of `payment` closed in the operator's favour */
    PROVISIO_PAYMENT_DISPUTE_LOST = 7,    /* parse_webhook: a dispute of `payment` closed in the client's favour */
    PROVISIO_PAYMENT_EXPIRED = 8          /* parse_webhook: a hosted payment closed unpaid */
} provisio_payment_state;

/* What the host asks a gateway function to do. Fields a function does not use are empty. */
typedef struct provisio_payment_request {
    uint32_t struct_size;
    uint32_t reserved0;
    int64_t amount_minor;          /* charge, checkout, refund: more than 0 */
    provisio_str currency;         /* ISO 4217 alphabetic code, upper case: "USD" */
    provisio_str idempotency_key;  /* charge, checkout, refund: the same key means the same payment */
    provisio_str reference;        /* the host's name for what is paid ("invoice-12", "topup-7"):
                                      give it to the gateway so its webhooks carry it back */
    provisio_str description;      /* for the client's statement and the gateway's dashboard */
    provisio_str customer;         /* the client's customer id at the gateway (charge; checkout: may be empty) */
    provisio_str payment_method;   /* charge: the saved payment method's id at the gateway */
    provisio_str payment;          /* refund: the gateway's id of the payment to refund */
    provisio_str email;            /* checkout: the client's address, to prefill */
    provisio_str return_url;       /* checkout: where the client lands after paying */
    provisio_str cancel_url;       /* checkout: where the client lands after giving up */
    uint32_t save_method;          /* checkout: 1 when the client agreed to keep the card for later charges */
    uint32_t reserved1;
    provisio_kv_list headers;      /* webhook: the request's headers, names lower-cased */
    provisio_str body;             /* webhook: the request's body, byte for byte as received */
} provisio_payment_request;

/* What the gateway answered, handed to host->set_payment_result. */
typedef struct provisio_payment_result {
    uint32_t struct_size;
    uint32_t state;                /* provisio_payment_state */
    provisio_str id;               /* the gateway's id of what the answer is about: the payment
                                      (charge), the hosted session (checkout), the refund */
    provisio_str payment;          /* the payment's id when `id` names something else (a session's
                                      payment, a refund's or a dispute's payment) */
    provisio_str url;              /* checkout, ACTION_REQUIRED: the page to send the client to */
    provisio_str reference;        /* parse_webhook: the host's reference the payment carried */
    int64_t amount_minor;          /* what moved (or is disputed), in minor units; 0 if unknown */
    provisio_str currency;         /* ISO 4217, any case */
    provisio_str customer;         /* a customer and payment method the client saved at the gateway */
    provisio_str payment_method;
    provisio_str method_label;     /* how the client knows the method: "Visa ending 4242" */
    provisio_str failure;          /* DECLINED: the gateway's reason, shown to the client */
    provisio_str event_id;         /* parse_webhook: the gateway's event id, required: the host
                                      processes each event id once */
    provisio_str event_type;       /* parse_webhook: the gateway's own name for the event, logged */
} provisio_payment_result;

/* A gateway function. `request` is never NULL; report with host->set_payment_result and
 * host->set_message; return as above. [any thread]; `call` is never NULL. */
typedef int32_t (*provisio_payment_fn)(void *instance, const provisio_call *call, const provisio_payment_request *request);

/* ---- Custom actions (ABI 1.5) ------------------------------------------------------------- */

/* Custom-action flags. */
#define PROVISIO_ACTION_CLIENT 0x1u  /* clients may run it from the client area; without it, operators only */

/* One action the module defines itself (WHMCS's custom buttons): a named call on a service that
 * is Active or Suspended, made when an operator (or, for PROVISIO_ACTION_CLIENT, the service's
 * client) asks for it, never by automation. It changes no service status and is not queued when
 * it fails: whoever asked sees the outcome and may ask again. Strings are NUL-terminated and
 * static. The extensions block gives the element size in `custom_action_struct_size`, so this
 * struct may grow by appending. */
typedef struct provisio_custom_action {
    const char *name;          /* [a-z0-9_]+, at most 64 bytes, unique within the module, and
                                  not a lifecycle action's name ("create", "change_password", ...) */
    const char *label;         /* the button's text, at most 4096 bytes, not empty */
    uint32_t flags;            /* PROVISIO_ACTION_* */
    uint32_t reserved0;
    const char *description;   /* may be NULL; shown beside the button and in `module show` */
} provisio_custom_action;

/* Runs the custom action call->action names (one of the module's, always): act, report through
 * host->set_message (which whoever asked reads: a client, for a client-visible action, so never
 * put another client's data or a secret in it) and host->state_set, return a provisio_status.
 * [any thread]; `call` is never NULL. */
typedef int32_t (*provisio_custom_action_fn)(void *instance, const provisio_call *call);

/* What a module offers beyond the descriptor's fixed slots, from ABI 1.5 on: the descriptor's
 * last 1.0 slot points here, and this struct grows by appending (its struct_size tells the host
 * how much the module filled), so later minors never run out of descriptor slots. Static, like
 * the descriptor. */
typedef struct provisio_module_extensions {
    uint32_t struct_size;                 /* sizeof(provisio_module_extensions) as the module compiled it */
    uint32_t custom_action_struct_size;   /* sizeof(provisio_custom_action) as the module compiled it */
    const provisio_custom_action *custom_actions;
    uint32_t custom_action_count;         /* at most PROVISIO_MAX_CUSTOM_ACTIONS */
    uint32_t reserved0;
    provisio_custom_action_fn call_custom_action;  /* required when custom_action_count > 0 */

    /* ABI 1.6: a payment gateway's functions (see "Payment gateways"). With PROVISIO_CAP_GATEWAY,
     * charge and parse_webhook are required; NULL start_checkout or refund means the gateway
     * has no hosted page or cannot refund. */
    provisio_payment_fn charge;           /* take `amount_minor` from the saved payment method, off-session */
    provisio_payment_fn start_checkout;   /* open a hosted payment page: result url, id, PENDING */
    provisio_payment_fn refund;           /* return `amount_minor` of `payment` */
    provisio_payment_fn parse_webhook;    /* verify a webhook and say what it reports */
} provisio_module_extensions;

/* ---- The module --------------------------------------------------------------------------- */

/* A lifecycle function: act on the service, report through host->set_message and
 * host->state_set, return a provisio_status. [any thread]; `call` is never NULL (its
 * service_id is 0 for a server's test_connection). */
typedef int32_t (*provisio_lifecycle_fn)(void *instance, const provisio_call *call);

/* Capability bits. Bits the host does not know are ignored. */
#define PROVISIO_CAP_PROVISIONING 0x1u      /* implements lifecycle functions */
#define PROVISIO_CAP_NEEDS_SERVER 0x2u      /* services must be assigned a server */
#define PROVISIO_CAP_INVOICE_EVENTS 0x4u    /* ABI 1.1: implements invoice_event */
#define PROVISIO_CAP_CREDIT_GENERATION 0x8u /* ABI 1.2: implements credit_schedule and generate_credits */
#define PROVISIO_CAP_USAGE 0x10u            /* ABI 1.3: implements collect_usage */
/* Custom actions (ABI 1.5) need no capability bit: the extensions block lists them.
 * PROVISIO_CAP_GATEWAY (ABI 1.6) is defined with the payment types above. */

typedef struct provisio_module_descriptor {
    uint32_t struct_size;          /* sizeof(provisio_module_descriptor) as the module compiled it */
    uint32_t abi_major;            /* PROVISIO_ABI_MAJOR the module was built against */
    uint32_t abi_minor;            /* PROVISIO_ABI_MINOR the module was built against */
    uint32_t option_struct_size;   /* sizeof(provisio_option) as the module compiled it */

    const char *name;              /* [a-z0-9_]+, unique among loaded modules, at most 64 bytes */
    const char *version;           /* free-form, e.g. "1.2.0" */
    const char *description;
    uint64_t capabilities;         /* PROVISIO_CAP_* */

    const provisio_option *options;
    uint32_t option_count;
    uint32_t reserved0;

    /* Called once per process, before any other function, with the host's services (valid
     * until the process exits). Stores the module's instance pointer (any value, even NULL) in
     * *instance and returns PROVISIO_OK; on failure logs why with host->log and returns an
     * error, and the host refuses the module. NULL `init` means the module needs no instance.
     * [loader]; `host` and `instance` are never NULL. */
    int32_t (*init)(const provisio_host *host, void **instance);
    /* Called once at process exit, after every other call has returned. May be NULL. [exit] */
    void (*fini)(void *instance);

    /* Lifecycle functions; NULL means "not supported" and the host says so. */
    provisio_lifecycle_fn create;
    provisio_lifecycle_fn suspend;        /* call->reason carries the suspension reason */
    provisio_lifecycle_fn unsuspend;
    provisio_lifecycle_fn terminate;
    provisio_lifecycle_fn change_package;
    provisio_lifecycle_fn change_password;
    provisio_lifecycle_fn test_connection;

    /* Hooks later minors added. ABI 1.0 ended the descriptor with `reserved_hooks[6]`, all
     * NULL; each minor since has named the next slots, so the layout never moved. Every slot
     * below is numbered by its index in 1.0's reserved_hooks[6], the one layout all 1.x modules
     * share. The host reads a slot only from modules whose abi_minor defines it, so a module
     * targeting an older minor leaves it NULL. */

    /* ABI 1.1, 1.0's reserved_hooks[0]: invoice created / paid, for services of this module.
     * NULL: not interested. */
    provisio_invoice_event_fn invoice_event;

    /* ABI 1.2, 1.0's reserved_hooks[1], [2] and [3]. NULL: not supported. */
    provisio_validate_fn validate_settings;
    provisio_credit_schedule_fn credit_schedule;
    provisio_generate_credits_fn generate_credits;

    /* ABI 1.3, 1.0's reserved_hooks[4]. NULL: the module has no usage. */
    provisio_collect_usage_fn collect_usage;

    /* ABI 1.5, 1.0's reserved_hooks[5], the last slot: everything later minors add hangs off
     * this growable block (custom actions first). NULL: the module has none of it. */
    const provisio_module_extensions *extensions;
} provisio_module_descriptor;

/* The entry point's type. The host calls it once, [loader], before init. */
typedef const provisio_module_descriptor *(*provisio_entry_fn)(void);

/* Export `fn` (a provisio_entry_fn) as the module's entry point; use once, at file scope, with
 * no semicolon after it. The exported object is a
 * pointer to the function, laid out exactly as Boost.DLL's BOOST_DLL_ALIAS lays out an alias
 * (and placed in the same "boostdll" section), so the host finds it with
 * boost::dll::shared_library::get_alias and a module may equally use BOOST_DLL_ALIAS. */
#if defined(__GNUC__)
#define PROVISIO_EXPORT __attribute__((visibility("default")))
#define PROVISIO_ENTRY_SECTION __attribute__((section("boostdll"), weak))
#else
#define PROVISIO_EXPORT
#define PROVISIO_ENTRY_SECTION
#endif

#ifdef __cplusplus
#define PROVISIO_MODULE_ENTRY(fn)                                                                 \
    extern "C" {                                                                                  \
    PROVISIO_EXPORT PROVISIO_ENTRY_SECTION const void *provisio_module_entry =                    \
        reinterpret_cast<const void *>(&fn);                                                      \
    }
#else
#define PROVISIO_MODULE_ENTRY(fn)                                                                 \
    PROVISIO_EXPORT PROVISIO_ENTRY_SECTION const void *provisio_module_entry = (const void *)&fn;
#endif

#ifdef __cplusplus
}
#endif

#endif /* PROVISIO_ABI_H */
