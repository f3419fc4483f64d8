import AtelierDomain
import AtelierGeometry
import AtelierStorage
import AtelierTelemetry
import Foundation

/// Every setting of Atelier, read from `ATELIER_*` environment variables in one place, with safe defaults.
public struct AtelierConfiguration: Sendable {
    /// Folder for the SQLite database (`ATELIER_DATA`, default `./.atelier`).
    public var dataDirectory: String = ".atelier"
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Limits on uploaded models.
    public var meshLimits = MeshLimits()
    /// The largest model file any upload route takes (`ATELIER_MAX_MODEL_BYTES`).
    public var maxModelBytes: Int { meshLimits.maxBytes }
    /// Attempts before a job goes to the dead letters.
    public var jobMaxAttempts: Int = 8
    /// Seconds a worker holds a claimed job before another may take it.
    public var jobLeaseSeconds: Double = 60
    public var jobBaseBackoffSeconds: Double = 1
    /// Jobs one worker runs at once.
    public var workerConcurrency: Int = 4
    /// Milliseconds a worker waits between claiming a job and running it: for failure drills only.
    public var drillJobDelayMS: Int = 0
    /// The share (0 to 1) of order reads that fail with a 500: for release drills only, so a canary
    /// that fails a share of its requests can be rolled out and rolled back on purpose. Off (0) by default.
    public var faultOrderReadErrors: Double = 0
    /// Shared secret the carrier sends in `X-Carrier-Secret`. Empty disables the carrier endpoint.
    public var carrierSecret = Secret("")
    public var sessionHours: Double = 24 * 14
    /// A session not used for this long ends (its absolute end is `sessionHours`).
    public var sessionIdleHours: Double = 24
    /// Seconds an instance remembers a looked-up session (0: look it up on every request).
    public var sessionCacheSeconds: Double = 1
    /// bcrypt cost for new passwords.
    public var bcryptCost: Int = 12
    /// Load the demo catalog, materials and one user per role on first start.
    /// Unset: yes on SQLite, no on PostgreSQL (a shared, production-like database).
    public var demoData: Bool?
    /// PostgreSQL instead of SQLite: `postgres://user:password@host:5432/database`. Holds a secret: never logged.
    public var databaseURL: Secret?
    /// Connections of this instance's PostgreSQL pool.
    public var databasePoolSize: Int = 10
    /// Longest wait for one database read or transaction before the request is answered 503.
    public var databaseTimeoutSeconds: Double = 3
    /// PostgreSQL's own limits on every connection: a lock wait, a statement, a transaction left idle.
    public var databaseLockTimeoutSeconds: Double = 1
    public var databaseIdleInTransactionSeconds: Double = 10
    /// Threads for CPU-heavy work on input (model analysis, thumbnails, bcrypt); 0: one per core.
    public var computeThreads: Int = 0
    /// Seconds reading and analysing one model may take before it is refused.
    public var modelTimeBudgetSeconds: Double = 20
    /// What one customer may hold at once: open orders and stored model bytes (partners: their own).
    public var holdingLimits = HoldingLimits()
    /// Requests this instance works on at once; more are answered 503 with Retry-After at once.
    public var maxInFlightRequests: Int = 256
    /// Port of the ops listener (`/metrics`, health); never the public or partner port.
    public var opsPort: Int = 9464
    /// Port of the partner API: its own listener, router and limits.
    public var partnerPort: Int = 8081
    /// Partner requests this instance works on at once (apart from the internal APIs' limit).
    public var partnerMaxInFlight: Int = 64
    /// Largest request body of the partner API (a model file), bytes.
    public var partnerMaxBodyBytes: Int = 64 << 20
    /// Retries, timeouts, circuit breakers and allowed hosts of webhooks.
    public var webhookPolicy = WebhookPolicy()
    /// First retry delay of a webhook delivery, doubled per attempt up to `webhookMaxBackoffSeconds`.
    public var webhookBaseBackoffSeconds: Double = 10
    public var webhookMaxBackoffSeconds: Double = 3600
    /// Webhook deliveries one worker sends at once.
    public var webhookConcurrency: Int = 16
    /// Time budgets per status and the delivery promise.
    public var stallPolicy = StallPolicy()
    /// How often the watchdog looks for stalled orders.
    public var watchdogIntervalSeconds: Double = 30
    /// Where to send traces (OTLP/HTTP, e.g. http://127.0.0.1:4318); tracing is off when unset.
    public var otlpEndpoint: String?
    /// What this instance runs (`--role`, or `ATELIER_ROLES` comma-separated).
    public var roles: Set<ServerRole> = [.all]
    /// Password of the demo users (only used when demo data is loaded).
    public var demoPassword = Secret("atelier-demo")
    /// The currency of the demo price list: EUR, or RUB (its amounts at a round 100 ₽ to the euro).
    public var demoCurrency = "EUR"
    public var logLevel: String = "info"
    /// The name this instance's version goes by (`ATELIER_VERSION`), instead of the stamped one:
    /// a canary of the same binary with other settings is told apart by it.
    public var versionName: String?
    /// Which build runs: the program sets it from its stamp and `versionName`.
    public var build: BuildInfo = .development
    /// The version this instance reports (a label of its request and job metrics).
    public var version: String { build.version }
    /// Seconds between two looks at the feature flags: a change reaches the instance this late.
    public var flagRefreshSeconds: Double = 0.25
    /// Seconds between a SIGTERM and the listeners stopping, with readiness answering 503: the time
    /// a load balancer needs to see it (0: stop at once, as a developer's Ctrl-C wants).
    public var drainSeconds: Double = 0
    /// Seconds the jobs in flight may take after a SIGTERM before they are handed back to the queue.
    public var shutdownJobSeconds: Double = 10

    public init() {}

    public var databasePath: String { (dataDirectory as NSString).appendingPathComponent("atelier.sqlite") }

    /// Where model files are kept (`ATELIER_MODEL_STORE`): unset, a folder in the data folder;
    /// a path (or `file:///path`), that folder (shared by every instance of a cluster);
    /// `s3://bucket/prefix`, an S3-compatible service.
    public var modelStore: String?
    /// The folder of the file model store: `ATELIER_MODEL_STORE`'s path, or `ATELIER_DATA/models`.
    public var modelFolder: String {
        guard let modelStore, !modelStore.hasPrefix("s3://") else { return (dataDirectory as NSString).appendingPathComponent("models") }
        return modelStore.hasPrefix("file://") ? String(modelStore.dropFirst("file://".count)) : modelStore
    }
    /// Megabytes that work on models (analyses, previews, thumbnails) may hold at once
    /// (`ATELIER_ANALYSIS_MEMORY_MB`): a 100 MB model takes about 200, so by default it is
    /// analysed alone and the process stays near 300 MB whatever number of uploads arrive at once.
    public var analysisMemoryMB = 192
    /// The proxies whose `X-Forwarded-For` names the client (`ATELIER_TRUSTED_PROXIES`).
    public var trustedProxies = TrustedProxies.loopback
    /// This instance's folder for uploads as they arrive (never shared: each instance empties it at start).
    public var uploadsFolder: String { (dataDirectory as NSString).appendingPathComponent("uploads") }

    /// Whether demo data is loaded at start: asked for with `ATELIER_DEMO`, or by default on SQLite
    /// when the instance listens on loopback only. The demo users' password is published, so an
    /// instance reachable from elsewhere never gets them unless asked explicitly.
    public var loadDemoData: Bool { demoData ?? (databaseURL == nil && listensOnLoopbackOnly) }

    /// True when `host` is a loopback address or name.
    /// The SMTP server e-mails go to (`ATELIER_SMTP_URL`); none: they become `.eml` files in
    /// `ATELIER_DATA/mail`. Holds a secret (its password): never logged.
    public var smtp: SMTPSettings?
    /// The sender of every e-mail (`ATELIER_MAIL_FROM`).
    public var mailFrom = MailAddress(known: "atelier@atelier.localhost", name: "Atelier")
    /// Where people reach the web site, for the links in e-mails (`ATELIER_PUBLIC_URL`).
    public var publicURL: URL?
    /// The folder of the e-mails when no SMTP server is set.
    public var mailFolder: URL { URL(fileURLWithPath: dataDirectory).appendingPathComponent("mail") }
    /// The links' base: the public address, or this instance's own when none is set.
    public var siteURL: URL { publicURL ?? URL(string: "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)")! }
    public var listensOnLoopbackOnly: Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    /// The settings, each with its variable and meaning, for `--help` and the README.
    public static let documentation: [(variable: String, meaning: String)] = [
        ("ATELIER_DATA", "folder of the SQLite database, the models and the uploads as they arrive (default ./.atelier)"),
        (
            "ATELIER_MODEL_STORE",
            "where model files are kept: a folder (default ATELIER_DATA/models; every instance of a cluster must see the same one) or s3://bucket/prefix with ATELIER_S3_ENDPOINT (default AWS), ATELIER_S3_REGION (default us-east-1), ATELIER_S3_PATH_STYLE=1|0, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN"
        ),
        (
            "ATELIER_DATABASE_URL",
            "postgres://user:password@host:5432/db to use PostgreSQL instead of SQLite; ?sslmode=disable|prefer|require|verify-ca|verify-full and &sslrootcert=CA.pem as for psql"
        ),
        ("ATELIER_DB_POOL_SIZE", "PostgreSQL connections of this instance (default 10)"),
        ("ATELIER_DB_TIMEOUT_SECONDS", "longest wait for the database before answering 503 (default 3)"),
        ("ATELIER_DB_LOCK_TIMEOUT_SECONDS", "longest wait for a row lock before answering 503 (PostgreSQL lock_timeout; default 1)"),
        ("ATELIER_DB_IDLE_IN_TRANSACTION_SECONDS", "PostgreSQL ends a transaction left idle this long, releasing its locks (default 10)"),
        ("ATELIER_COMPUTE_THREADS", "threads for model analysis, thumbnails and passwords (default 0: one per core)"),
        (
            "ATELIER_TRUSTED_PROXIES",
            "networks whose X-Forwarded-For names the client, comma-separated CIDRs (default 127.0.0.0/8,::1: nginx on this machine; behind a Kubernetes ingress, the pods' network)"
        ),
        (
            "ATELIER_ANALYSIS_MEMORY_MB",
            "megabytes that model analyses, previews and thumbnails may hold at once; a model takes about twice its size, larger ones wait their turn (default 192)"
        ),
        ("ATELIER_MODEL_TIME_BUDGET_SECONDS", "longest reading and analysis of one model before it is refused (default 20)"),
        ("ATELIER_ROLES", "what this instance runs: shop, staff, partner, pricing, watchdog, all (comma-separated; default all)"),
        ("ATELIER_MAX_IN_FLIGHT", "requests handled at once; more get 503 with Retry-After (default 256)"),
        ("ATELIER_HOST", "address to listen on (default 127.0.0.1)"),
        ("ATELIER_OPS_PORT", "port of /metrics and health for operators (default 9464; 0 picks one)"),
        ("ATELIER_OTLP_ENDPOINT", "send traces by OTLP/HTTP to this URL, e.g. http://127.0.0.1:4318 (default: off)"),
        ("ATELIER_WATCHDOG_INTERVAL_SECONDS", "how often the watchdog looks for stalled orders (default 30)"),
        ("ATELIER_BUDGET_<STATUS>", "time an order may stay in STATUS, e.g. ATELIER_BUDGET_SUBMITTED=5m (s, m, h, d)"),
        ("ATELIER_PROMISE_DAYS", "days from submit to delivery promised to customers (default 21)"),
        ("ATELIER_PORT", "port of the internal APIs (default 8080)"),
        ("ATELIER_PARTNER_PORT", "port of the partner API (default 8081; 0 picks one)"),
        ("ATELIER_PARTNER_MAX_IN_FLIGHT", "partner requests handled at once; more get 503 (default 64)"),
        ("ATELIER_PARTNER_MAX_BODY_BYTES", "largest partner request body, a model file (default 67108864, 64 MiB)"),
        ("ATELIER_WEBHOOK_HOSTS", "hosts webhooks may be sent to, comma-separated (default: any)"),
        ("ATELIER_WEBHOOK_ALLOW_HTTP", "1 to allow plain http:// webhook URLs (default 0: https only)"),
        ("ATELIER_WEBHOOK_ALLOW_PRIVATE", "1 to let webhooks reach loopback and private addresses: tests only (default 0)"),
        ("ATELIER_WEBHOOK_TIMEOUT_SECONDS", "longest wait for a partner's endpoint to answer (default 10)"),
        ("ATELIER_WEBHOOK_RETRY_HOURS", "how long a webhook delivery is retried before it is given up (default 24)"),
        ("ATELIER_WEBHOOK_BACKOFF_SECONDS", "first webhook retry delay, doubled per attempt (default 10)"),
        ("ATELIER_WEBHOOK_MAX_BACKOFF_SECONDS", "longest delay between two webhook attempts (default 3600)"),
        ("ATELIER_WEBHOOK_CONCURRENCY", "webhook deliveries one worker sends at once (default 16)"),
        ("ATELIER_MAX_MODEL_BYTES", "largest model file accepted (default 104857600, 100 MB)"),
        ("ATELIER_MAX_TRIANGLES", "most triangles in a model (default 5000000)"),
        ("ATELIER_MIN_EXTENT_MM", "smallest allowed largest side of a model, mm (default 1)"),
        ("ATELIER_MAX_EXTENT_MM", "largest allowed side of a model, mm (default 250)"),
        (
            "ATELIER_MAX_OPEN_ORDERS",
            "orders one customer may have open at once (default 50; partners: ATELIER_PARTNER_MAX_OPEN_ORDERS, 10000)"
        ),
        ("ATELIER_MAX_CUSTOMER_MODEL_BYTES", "model bytes one customer may have stored (default 2147483648; partners 10 times as much)"),
        ("ATELIER_JOB_MAX_ATTEMPTS", "attempts before a job is dead-lettered (default 8)"),
        ("ATELIER_JOB_LEASE_SECONDS", "seconds a worker holds a claimed job (default 60)"),
        ("ATELIER_JOB_BACKOFF_SECONDS", "first retry delay, doubled per attempt (default 1)"),
        ("ATELIER_WORKER_CONCURRENCY", "jobs one worker runs at once (default 4)"),
        ("ATELIER_DRILL_JOB_DELAY_MS", "failure drills only: pause between claiming and running a job (default 0)"),
        ("ATELIER_FAULT_ORDER_READ_ERRORS", "release drills only: the share of order reads that fail with a 500, 0 to 1 (default 0, off)"),
        ("ATELIER_CARRIER_SECRET", "shared secret of the carrier endpoint (default: generated once into ATELIER_DATA/carrier-secret)"),
        ("ATELIER_SESSION_HOURS", "lifetime of a sign-in (default 336)"),
        ("ATELIER_SESSION_IDLE_HOURS", "a sign-in not used for this long ends (default 24)"),
        (
            "ATELIER_SESSION_CACHE_SECONDS",
            "seconds an instance remembers a session it looked up; another instance's sign-out reaches it this late (default 1, 0 to 10)"
        ),
        ("ATELIER_BCRYPT_COST", "bcrypt cost for passwords (default 12)"),
        ("ATELIER_DEMO", "load demo data on first start: 1 or 0 (default 1 on SQLite listening on loopback, else 0)"),
        ("ATELIER_DEMO_PASSWORD", "password of the demo users (default atelier-demo)"),
        ("ATELIER_DEMO_CURRENCY", "currency of the demo price list: EUR (default) or RUB"),
        (
            "ATELIER_VERSION",
            "the version this instance reports instead of the built one: a canary of the same binary (1 to 64 of A-Z a-z 0-9 . - + _)"
        ),
        (
            "ATELIER_DRAIN_SECONDS",
            "after SIGTERM, seconds readiness answers 503 while requests are still served, before the listeners stop (default 0; 0 to 120)"
        ),
        (
            "ATELIER_SHUTDOWN_JOB_SECONDS",
            "after SIGTERM, seconds running jobs may take before they are handed back to the queue (default 10; 0 to 300)"
        ),
        ("ATELIER_FLAG_REFRESH_SECONDS", "how often an instance looks for changed feature flags (default 0.25, 0.05 to 10)"),
        ("ATELIER_LOG_LEVEL", "trace, debug, info, notice, warning, error, critical (default info)"),
        (
            "ATELIER_SMTP_URL",
            "smtp://user:password@host:587 (STARTTLS when offered; ?tls=required or ?tls=none) or smtps://host:465; unset: e-mails are written to ATELIER_DATA/mail as .eml files"
        ),
        ("ATELIER_SMTP_CA_FILE", "PEM certificates to trust for the SMTP server besides the system's"),
        ("ATELIER_SMTP_TIMEOUT_SECONDS", "longest wait for the SMTP server's connection and each answer (default 30)"),
        ("ATELIER_MAIL_FROM", "sender of the e-mails, an address (default atelier@atelier.localhost)"),
        ("ATELIER_PUBLIC_URL", "the web site's address for links in e-mails, e.g. https://shop.example (default http://HOST:PORT)"),
    ]

    /// Reads the environment. Every malformed value is reported together.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AtelierConfiguration
    {
        var config = AtelierConfiguration()
        var problems: [String] = []
        func string(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return value
        }
        func number<T: LosslessStringConvertible & Comparable>(_ name: String, _ range: ClosedRange<T>) -> T? {
            guard let text = string(name) else { return nil }
            guard let value = T(text), range.contains(value) else {
                problems.append("\(name)=\(text) is not a number between \(range.lowerBound) and \(range.upperBound)")
                return nil
            }
            return value
        }
        // An on/off setting: 1, 0, true or false; anything else is reported, never read as "off".
        func flag(_ name: String) -> Bool? {
            guard let text = string(name) else { return nil }
            switch text.lowercased() {
            case "1", "true": return true
            case "0", "false": return false
            default:
                problems.append("\(name)=\(text) must be 1 or 0")
                return nil
            }
        }
        if let value = string("ATELIER_DATA") { config.dataDirectory = value }
        if let value = string("ATELIER_MODEL_STORE") {
            if value.hasPrefix("s3://") || value.hasPrefix("/") || value.hasPrefix("file:///") {
                config.modelStore = value
            } else {
                problems.append("ATELIER_MODEL_STORE=\(value) must be an absolute folder path, file:///path or s3://bucket/prefix")
            }
        }
        if let value = string("ATELIER_HOST") { config.host = value }
        if let value: Int = number("ATELIER_PORT", 0...65535) { config.port = value }
        if let value: Int = number("ATELIER_MAX_MODEL_BYTES", 1...(1 << 31)) { config.meshLimits.maxBytes = value }
        if let value: Int = number("ATELIER_MAX_TRIANGLES", 1...50_000_000) { config.meshLimits.maxTriangles = value }
        if let value: Double = number("ATELIER_MIN_EXTENT_MM", 0...1000) { config.meshLimits.minExtentMM = value }
        if let value: Double = number("ATELIER_MAX_EXTENT_MM", 1...10_000) { config.meshLimits.maxExtentMM = value }
        if let value: Int = number("ATELIER_JOB_MAX_ATTEMPTS", 1...100) { config.jobMaxAttempts = value }
        if let value: Int = number("ATELIER_MAX_OPEN_ORDERS", 1...1_000_000) { config.holdingLimits.openOrders = value }
        if let value: Int = number("ATELIER_PARTNER_MAX_OPEN_ORDERS", 1...10_000_000) { config.holdingLimits.partnerOpenOrders = value }
        if let value: Int64 = number("ATELIER_MAX_CUSTOMER_MODEL_BYTES", 1...(1 << 50)) { config.holdingLimits.modelBytes = value }
        if let value: Double = number("ATELIER_JOB_LEASE_SECONDS", 0.1...86_400) { config.jobLeaseSeconds = value }
        if let value: Double = number("ATELIER_JOB_BACKOFF_SECONDS", 0.001...3600) { config.jobBaseBackoffSeconds = value }
        if let value: Int = number("ATELIER_WORKER_CONCURRENCY", 1...256) { config.workerConcurrency = value }
        if let value: Int = number("ATELIER_DRILL_JOB_DELAY_MS", 0...600_000) { config.drillJobDelayMS = value }
        if let value: Double = number("ATELIER_FAULT_ORDER_READ_ERRORS", 0...1) { config.faultOrderReadErrors = value }
        if let value = string("ATELIER_CARRIER_SECRET") {
            if value.count < 16 { problems.append("ATELIER_CARRIER_SECRET must have at least 16 characters") }
            config.carrierSecret = Secret(value)
        }
        if let value: Double = number("ATELIER_SESSION_HOURS", 0.01...10_000) { config.sessionHours = value }
        if let value: Double = number("ATELIER_SESSION_IDLE_HOURS", 0.01...10_000) { config.sessionIdleHours = value }
        if let value: Double = number("ATELIER_SESSION_CACHE_SECONDS", 0...10) { config.sessionCacheSeconds = value }
        if let value: Int = number("ATELIER_BCRYPT_COST", 4...16) { config.bcryptCost = value }
        if let value = flag("ATELIER_DEMO") { config.demoData = value }
        if let value = string("ATELIER_DATABASE_URL") {
            if !(value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")) {
                problems.append("ATELIER_DATABASE_URL must start with postgres:// (its value is not shown: it may hold a password)")
            } else {
                do { _ = try PostgresURL(value) } catch { problems.append("\(error)") }
            }
            config.databaseURL = Secret(value)
        }
        if let value: Int = number("ATELIER_DB_POOL_SIZE", 1...500) { config.databasePoolSize = value }
        if let value: Double = number("ATELIER_DB_TIMEOUT_SECONDS", 0.1...600) { config.databaseTimeoutSeconds = value }
        if let value: Int = number("ATELIER_MAX_IN_FLIGHT", 1...100_000) { config.maxInFlightRequests = value }
        if let value: Double = number("ATELIER_DB_LOCK_TIMEOUT_SECONDS", 0.01...600) { config.databaseLockTimeoutSeconds = value }
        if let value: Double = number("ATELIER_DB_IDLE_IN_TRANSACTION_SECONDS", 1...86_400) {
            config.databaseIdleInTransactionSeconds = value
        }
        if let value: Int = number("ATELIER_COMPUTE_THREADS", 0...256) { config.computeThreads = value }
        if let value: Int = number("ATELIER_ANALYSIS_MEMORY_MB", 16...65_536) { config.analysisMemoryMB = value }
        if let value = string("ATELIER_TRUSTED_PROXIES") {
            do { config.trustedProxies = try TrustedProxies(value) } catch {
                problems.append("ATELIER_TRUSTED_PROXIES: \(error)")
            }
        }
        if let value: Double = number("ATELIER_MODEL_TIME_BUDGET_SECONDS", 0.1...3600) {
            config.modelTimeBudgetSeconds = value
            config.meshLimits.timeBudget = .milliseconds(Int64(value * 1000))
        }
        if let value: Int = number("ATELIER_OPS_PORT", 0...65535) { config.opsPort = value }
        if let value: Int = number("ATELIER_PARTNER_PORT", 0...65535) { config.partnerPort = value }
        if let value: Int = number("ATELIER_PARTNER_MAX_IN_FLIGHT", 1...100_000) { config.partnerMaxInFlight = value }
        if let value: Int = number("ATELIER_PARTNER_MAX_BODY_BYTES", 1024...(1 << 31)) { config.partnerMaxBodyBytes = value }
        if let value = string("ATELIER_WEBHOOK_HOSTS") {
            config.webhookPolicy.allowedHosts = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        }
        if let value = flag("ATELIER_WEBHOOK_ALLOW_HTTP") { config.webhookPolicy.allowHTTP = value }
        if let value = flag("ATELIER_WEBHOOK_ALLOW_PRIVATE") { config.webhookPolicy.allowPrivateAddresses = value }
        if let value: Double = number("ATELIER_WEBHOOK_TIMEOUT_SECONDS", 0.1...300) { config.webhookPolicy.timeout = .seconds(value) }
        if let value: Double = number("ATELIER_WEBHOOK_RETRY_HOURS", 0.0001...720) {
            config.webhookPolicy.retryWindow = .seconds(value * 3600)
        }
        if let value: Double = number("ATELIER_WEBHOOK_BACKOFF_SECONDS", 0.001...3600) { config.webhookBaseBackoffSeconds = value }
        if let value: Double = number("ATELIER_WEBHOOK_MAX_BACKOFF_SECONDS", 0.001...86_400) { config.webhookMaxBackoffSeconds = value }
        if let value: Int = number("ATELIER_WEBHOOK_CONCURRENCY", 1...1024) { config.webhookConcurrency = value }
        if let value = string("ATELIER_OTLP_ENDPOINT") { config.otlpEndpoint = value }
        if let value: Double = number("ATELIER_WATCHDOG_INTERVAL_SECONDS", 0.1...86_400) { config.watchdogIntervalSeconds = value }
        if let value: Double = number("ATELIER_PROMISE_DAYS", 1...365) { config.stallPolicy.promise = value * 86_400 }
        for status in OrderStatus.allCases {
            let name = "ATELIER_BUDGET_\(status.rawValue)"
            guard let text = string(name) else { continue }
            guard let seconds = parseDuration(text) else {
                problems.append("\(name)=\(text) is not a duration like 90s, 5m, 24h or 7d")
                continue
            }
            config.stallPolicy.budgets[status] = seconds
        }
        if let value = string("ATELIER_ROLES") {
            do {
                config.roles = try ServerRole.parse(value.split(separator: ",").map(String.init))
            } catch {
                problems.append("ATELIER_ROLES: \(error)")
            }
        }
        if let value = string("ATELIER_DEMO_PASSWORD") { config.demoPassword = Secret(value) }
        if let value = string("ATELIER_DEMO_CURRENCY") {
            if DemoData.currencies.contains(value.uppercased()) {
                config.demoCurrency = value.uppercased()
            } else {
                problems.append("ATELIER_DEMO_CURRENCY: \(value) is not one of \(DemoData.currencies.joined(separator: ", "))")
            }
        }
        if let value = string("ATELIER_SMTP_URL") {
            switch SMTPSettings.parse(value) {
            case var .success(settings):
                settings.trustedCertificatesFile = string("ATELIER_SMTP_CA_FILE")
                if let seconds: Int = number("ATELIER_SMTP_TIMEOUT_SECONDS", 1...600) { settings.timeout = .seconds(seconds) }
                config.smtp = settings
            case let .failure(reason):
                problems.append("ATELIER_SMTP_URL \(reason) (its value is not shown: it may hold a password)")
            }
        }
        if let value = string("ATELIER_MAIL_FROM") {
            if let address = try? MailAddress(value, name: "Atelier") {
                config.mailFrom = address
            } else {
                problems.append("ATELIER_MAIL_FROM=\(value) is not an e-mail address")
            }
        }
        if let value = string("ATELIER_PUBLIC_URL") {
            if let url = URL(string: value), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil {
                config.publicURL = url
            } else {
                problems.append("ATELIER_PUBLIC_URL=\(value) is not an http:// or https:// address")
            }
        }
        if let value = string("ATELIER_VERSION") {
            if BuildInfo.isValidVersion(value) {
                config.versionName = value
            } else {
                problems.append("ATELIER_VERSION must be 1 to 64 letters, digits, dots, dashes, pluses or underscores")
            }
        }
        if let value: Double = number("ATELIER_FLAG_REFRESH_SECONDS", 0.05...10) { config.flagRefreshSeconds = value }
        if let value: Double = number("ATELIER_DRAIN_SECONDS", 0...120) { config.drainSeconds = value }
        if let value: Double = number("ATELIER_SHUTDOWN_JOB_SECONDS", 0...300) { config.shutdownJobSeconds = value }
        if let value = string("ATELIER_LOG_LEVEL") {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            if levels.contains(value.lowercased()) {
                config.logLevel = value.lowercased()
            } else {
                problems.append("ATELIER_LOG_LEVEL=\(value) is not one of \(levels.joined(separator: ", "))")
            }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return config
    }
}

/// What one customer may hold at once, so one account cannot fill the database.
public struct HoldingLimits: Sendable {
    public var openOrders = 50
    public var partnerOpenOrders = 10_000
    public var modelBytes: Int64 = 2 << 30
    /// Partners store this many times a customer's model bytes.
    public var partnerModelFactor: Int64 = 10
    public init() {}
}

/// `90`, `90s`, `5m`, `24h`, `7d` → seconds.
func parseDuration(_ text: String) -> TimeInterval? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
    if let unit = text.last, let factor = units[unit], let value = Double(text.dropLast()), value >= 0 { return value * factor }
    if let value = Double(text), value >= 0 { return value }
    return nil
}

/// The environment held values Atelier cannot use; lists every one of them.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var problems: [String]
    public var description: String {
        "Atelier cannot start with this configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// What one instance of Atelier runs. Every role serves `/health` on its port.
public enum ServerRole: String, Sendable, CaseIterable, Hashable {
    /// The customers' shop API (and sign-in).
    case shop
    /// The staff APIs: CRM, MES, admin, and the carrier endpoint (and sign-in).
    case staff
    /// The partner API on its own port, and the webhook worker.
    case partner
    /// The pricing worker.
    case pricing
    /// The stalled-order watchdog.
    case watchdog
    /// Everything above in one process.
    case all

    /// The roles named, `all` expanded. Unknown names are an error that lists the known ones.
    public static func parse(_ names: [String]) throws -> Set<ServerRole> {
        var roles: Set<ServerRole> = []
        for name in names.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
            guard let role = ServerRole(rawValue: name) else {
                throw ConfigurationError(problems: [
                    "unknown role '\(name)'; roles: \(allCases.map(\.rawValue).joined(separator: ", "))"
                ])
            }
            roles.insert(role)
        }
        return roles.isEmpty ? [.all] : roles
    }

    /// `all` expanded into the roles it stands for.
    public static func expand(_ roles: Set<ServerRole>) -> Set<ServerRole> {
        roles.contains(.all) ? [.shop, .staff, .partner, .pricing, .watchdog] : roles
    }
}
