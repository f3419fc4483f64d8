import AtelierDomain
import AtelierHTTP
import AtelierJobs
import AtelierPartnerAPI
import AtelierServices
import AtelierStorage
import Hummingbird
import Logging

/// The one place Atelier is put together from its parts: `atelier serve` and every other command,
/// and the tests' harness, build the same program here from a store and the settings, so what the
/// tests run is what production runs.
public struct Composition: Sendable {
    public let configuration: AtelierConfiguration
    public let store: any Store
    public let useCases: UseCases
    public let logger: Logger

    /// Every use case over `store`, with model files in `models` (by default the folder the
    /// settings name, unchecked: `atelier serve` opens and checks it with ``ModelStores``). `compute` defaults to the settings' pool (the shared one, one
    /// thread per core, unless `ATELIER_COMPUTE_THREADS` is set); `webhookTransport` to real HTTP;
    /// `mailTransport` to the settings' SMTP server, or the mail folder.
    public init(
        store: any Store, configuration: AtelierConfiguration, logger: Logger, time: any TimeSource = SystemTime(),
        compute: ComputePool? = nil, models: (any ModelStore)? = nil, webhookTransport: any WebhookTransport = HTTPWebhookTransport(),
        mailTransport: (any MailTransport)? = nil
    ) {
        let compute =
            compute
            ?? (configuration.computeThreads == 0 ? ComputePool.shared : ComputePool(threads: configuration.computeThreads, maxQueued: 64))
        let context = UseCaseContext(
            store: store, time: time, configuration: configuration, logger: logger, compute: compute, models: models)
        self.configuration = configuration
        self.store = store
        self.logger = logger
        useCases = UseCases(context: context, webhookTransport: webhookTransport, mailTransport: mailTransport)
    }

    /// The pricing worker's settings: lease, backoff, jobs at once, and the drill delay.
    public var pricingJobs: JobRunnerConfiguration {
        var jobs = JobRunnerConfiguration()
        jobs.lease = .milliseconds(Int64(configuration.jobLeaseSeconds * 1000))
        jobs.baseBackoff = .milliseconds(Int64(configuration.jobBaseBackoffSeconds * 1000))
        jobs.concurrency = configuration.workerConcurrency
        jobs.drillDelay = .milliseconds(configuration.drillJobDelayMS)
        jobs.version = configuration.version
        jobs.shutdownGrace = .milliseconds(Int64(configuration.shutdownJobSeconds * 1000))
        return jobs
    }

    /// The webhook worker's settings: the pricing worker's, with the webhooks' own backoff and concurrency.
    public var webhookJobs: JobRunnerConfiguration {
        var jobs = pricingJobs
        jobs.baseBackoff = .milliseconds(Int64(configuration.webhookBaseBackoffSeconds * 1000))
        jobs.maxBackoff = .milliseconds(Int64(configuration.webhookMaxBackoffSeconds * 1000))
        jobs.concurrency = configuration.webhookConcurrency
        return jobs
    }

    /// The worker of the `pricing` role.
    public func pricingWorker() -> JobRunner {
        JobRunner(
            store: store, handlers: [useCases.pricing.handler], configuration: pricingJobs, time: useCases.context.time, logger: logger)
    }

    /// The worker that sends webhook deliveries (the `partner` role).
    public func webhookWorker() -> JobRunner {
        JobRunner(
            store: store, handlers: [useCases.webhooks.handler], configuration: webhookJobs, time: useCases.context.time, logger: logger)
    }

    /// The mail worker's settings: the pricing worker's, with retries that wait up to ten minutes
    /// (a mail server away for an hour loses nothing).
    public var mailJobs: JobRunnerConfiguration {
        var jobs = pricingJobs
        jobs.maxBackoff = .seconds(600)
        return jobs
    }

    /// The worker that sends the customers' e-mails (with the `pricing` role: the workers' role).
    public func mailWorker() -> JobRunner {
        JobRunner(store: store, handlers: [useCases.emails.handler], configuration: mailJobs, time: useCases.context.time, logger: logger)
    }

    /// What keeps this instance's feature flags current (every role runs it).
    public func flagWatcher() -> FlagWatcher {
        FlagWatcher(
            flags: useCases.context.flags, interval: .milliseconds(Int64(configuration.flagRefreshSeconds * 1000)), logger: logger)
    }

    /// What marks the instance as draining on SIGTERM and holds the listeners for the drain time.
    public func drainService() -> DrainService {
        DrainService(
            lifecycle: useCases.context.lifecycle, drain: .milliseconds(Int64(configuration.drainSeconds * 1000)), logger: logger)
    }

    /// Reads the feature flags once before serving; a database that does not answer leaves the
    /// declared defaults until the watcher reads them.
    public func loadFlags() async {
        do { try await useCases.context.flags.refresh() } catch {
            logger.warning("feature flags cannot be read yet; answering with the declared defaults")
        }
    }

    /// The shop and staff listener, with `pages` (the web site) behind the same middleware.
    public func application(
        carrierSecret: String, surfaces: Set<ServerRole>, host: String, port: Int,
        pages: (Router<AtelierRequestContext>) -> Void = { _ in }, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        buildApplication(
            useCases: useCases, carrierSecret: carrierSecret, surfaces: surfaces, maxInFlight: configuration.maxInFlightRequests,
            host: host, port: port, services: [], logger: logger, pages: pages, onServerRunning: onServerRunning)
    }

    /// The partner API's listener.
    public func partnerApplication(host: String, port: Int, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws
        -> some ApplicationProtocol
    {
        try buildPartnerApplication(useCases: useCases, host: host, port: port, logger: logger, onServerRunning: onServerRunning)
    }
}
