import AtelierDomain
import AtelierJobs
import AtelierStorage
import AtelierTelemetry
import AtelierText
import Foundation
import Logging
import Metrics

/// A delivery attempt failed; the job runner retries it with backoff.
struct WebhookAttemptFailed: Error, CustomStringConvertible {
    var description: String
}

/// The partner's webhook endpoints and deliveries, and the worker that sends them.
public struct WebhookService: Sendable {
    let context: UseCaseContext
    let transport: any WebhookTransport
    let policy: WebhookPolicy
    let breakers: EndpointBreakers
    let partnerSlots = PartnerSlots()
    let replays = ReplayLimiter()

    public init(context: UseCaseContext, transport: any WebhookTransport, policy: WebhookPolicy) {
        self.context = context
        self.transport = transport
        self.policy = policy
        self.breakers = EndpointBreakers(threshold: policy.breakerThreshold, cooldown: policy.breakerCooldown)
    }

    /// The handler the webhook worker runs.
    public var handler: any JobHandler {
        TypedJobHandler(WebhookDeliveryJob.self) { payload in try await deliver(deliveryID: payload.deliveryID) }
    }

    // MARK: Endpoints

    /// Registers an endpoint; the returned secret signs its deliveries and is shown only here.
    public func register(url: String, description: String?, partner: Principal) async throws -> (WebhookEndpointHealth, secret: String) {
        let url = try await validatedURL(url)
        let description = description?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let description, description.unicodeScalars.count > 200 {
            throw DomainError.invalid("A description has at most 200 characters.")
        }
        let endpoint = WebhookEndpoint(
            id: context.newID(), partnerID: partner.userID, url: url, secret: "whsec_" + randomToken(bytes: 32),
            description: description?.isEmpty == true ? nil : description, createdAt: context.time.now())
        try await context.store.write { tx in
            let active = try await tx.webhookEndpoints(partnerID: partner.userID, activeOnly: true)
            guard active.count < 10 else { throw DomainError.invalid("A partner has at most 10 active webhook endpoints.") }
            try await tx.insert(webhookEndpoint: endpoint)
        }
        return (WebhookEndpointHealth(endpoint: endpoint, partnerName: partner.name, pending: 0, failed: 0), endpoint.secret)
    }

    public func endpoints(partner: Principal) async throws -> [WebhookEndpointHealth] {
        try await context.store.reader.webhookHealth(partnerID: partner.userID)
    }

    /// Every partner's endpoints with their delivery health (the CRM's board), failing ones first.
    public func health() async throws -> [WebhookEndpointHealth] {
        try await context.store.reader.webhookHealth(partnerID: nil).sorted { ($0.failed + $0.pending) > ($1.failed + $1.pending) }
    }

    public func disable(endpointID: String, partner: Principal) async throws -> WebhookEndpointHealth {
        let now = context.time.now()
        try await context.store.write { tx in
            guard let endpoint = try await tx.webhookEndpoint(id: endpointID), endpoint.partnerID == partner.userID else {
                throw DomainError.notFound("You have no webhook endpoint \(endpointID).")
            }
            _ = try await tx.disableWebhookEndpoint(id: endpointID, at: now)
        }
        guard let health = try await endpoints(partner: partner).first(where: { $0.endpoint.id == endpointID }) else {
            throw DomainError.notFound("You have no webhook endpoint \(endpointID).")
        }
        return health
    }

    func validatedURL(_ text: String) async throws -> String {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard text.count <= 2000, let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(),
            !host.isEmpty
        else { throw DomainError.invalid("'\(text.prefix(100))' is not an absolute URL.") }
        guard scheme == "https" || (scheme == "http" && policy.allowHTTP) else {
            throw DomainError.invalid(
                policy.allowHTTP ? "A webhook URL starts with https:// or http://." : "A webhook URL must use https://.")
        }
        guard url.user == nil, url.password == nil else { throw DomainError.invalid("A webhook URL cannot carry a user or a password.") }
        guard policy.allowedHosts.isEmpty || policy.allowedHosts.contains(host) else {
            throw DomainError.invalid("Webhooks may go only to \(policy.allowedHosts.joined(separator: ", ")), not to \(host).")
        }
        // The address now (it is checked again at every delivery: DNS can change in between). A
        // name that does not resolve yet is let through here; no request goes to it until it does.
        do {
            _ = try await policy.destination(host: host, port: url.port ?? (scheme == "https" ? 443 : 80), on: context.compute)
        } catch let refusal as OutboundRefusal {
            if case .unresolved = refusal {} else { throw DomainError.invalid(refusal.phrase) }
        }
        return text
    }

    // MARK: Deliveries

    public func deliveries(partner: Principal, state: DeliveryState?, orderID: String?, page: PageRequest) async throws -> Page<
        WebhookDelivery
    > {
        try await context.store.reader.webhookDeliveries(partnerID: partner.userID, state: state, orderID: orderID, page: page)
    }

    /// Sends a delivery's event again, as a new delivery to the same endpoint, at once.
    public func replay(deliveryID: Int64, partner: Principal) async throws -> WebhookDelivery {
        guard replays.allow(partner.userID, perHour: policy.replaysPerHour) else {
            throw RateLimited(detail: "At most \(policy.replaysPerHour) replays an hour; try again later.", retryAfterSeconds: 60)
        }
        let now = context.time.now()
        return try await context.store.write { tx in
            guard let original = try await tx.webhookDelivery(id: deliveryID), original.partnerID == partner.userID,
                let event = try await tx.webhookEvent(id: original.eventID)
            else { throw DomainError.notFound("You have no webhook delivery \(deliveryID).") }
            guard let endpoint = try await tx.webhookEndpoint(id: original.endpointID), endpoint.active else {
                throw StorageError.conflict("The endpoint of delivery \(deliveryID) is disabled; register it again to receive events.")
            }
            let id = try await WebhookEvents.enqueueDelivery(of: event, to: endpoint.id, replayOf: original.id, in: tx, at: now)
            guard let delivery = try await tx.webhookDelivery(id: id) else { throw StorageError.failed("delivery \(id) vanished") }
            return delivery
        }
    }

    /// Sends one delivery, in the order of its stream. Throws to retry (the runner backs off).
    func deliver(deliveryID: Int64) async throws {
        let reader = context.store.reader
        let now = context.time.now()
        guard let delivery = try await reader.webhookDelivery(id: deliveryID) else {
            throw PermanentJobError("webhook delivery \(deliveryID) does not exist")
        }
        guard delivery.state == .pending else { return }
        guard let endpoint = try await reader.webhookEndpoint(id: delivery.endpointID), endpoint.active,
            let event = try await reader.webhookEvent(id: delivery.eventID)
        else {
            try await record(.givenUp(statusCode: nil, error: "the endpoint was disabled"), delivery)
            return
        }
        // The events of one order go out in order: wait while an earlier one is still pending.
        if delivery.replayOf == nil, let earlier = try await reader.pendingPredecessor(of: delivery) {
            var until = now.addingTimeInterval(0.2)
            if let jobID = earlier.jobID, let earlierJob = try await reader.job(id: jobID), earlierJob.state == .ready {
                until = max(until, earlierJob.runAt.addingTimeInterval(0.2))
            }
            throw JobDeferral(until: until, reason: "delivery \(earlier.id) of an earlier event of order \(delivery.orderID) is pending")
        }
        let partnerLabel = [("partner", delivery.partnerID)]
        let expired = now.timeIntervalSince(delivery.createdAt) >= policy.retryWindow.seconds
        if let until = breakers.openUntil(endpoint.id) {
            let message =
                "not sent: the endpoint failed \(policy.breakerThreshold) times in a row; its circuit is open for \(Int((until - .now).seconds.rounded(.up))) s"
            Counter(label: "atelier_webhook_deliveries_total", dimensions: partnerLabel + [("outcome", "circuit_open")]).increment()
            return try await fail(delivery, statusCode: nil, error: message, givingUp: expired)
        }
        let body = try Self.body(of: event)
        let timestamp = Int(now.timeIntervalSince1970)
        let headers = [
            ("Content-Type", "application/json"), ("User-Agent", "Atelier-Webhooks/1"),
            ("Atelier-Signature", Self.signature(secret: endpoint.secret, timestamp: timestamp, body: body)),
            ("Atelier-Event-Id", String(event.id)), ("Atelier-Delivery-Id", String(delivery.id)),
        ]
        guard partnerSlots.acquire(delivery.partnerID, limit: policy.perPartnerConcurrency) else {
            throw JobDeferral(
                until: now.addingTimeInterval(1),
                reason: "\(policy.perPartnerConcurrency) deliveries to partner \(delivery.partnerID) are in flight")
        }
        defer { partnerSlots.release(delivery.partnerID) }
        let started = ContinuousClock.now
        var statusCode: Int?
        var failure: String?
        do {
            let address = try await destination(of: endpoint.url)
            let status = try await transport.post(
                url: endpoint.url, address: address, headers: headers, body: body, timeout: policy.timeout)
            statusCode = status
            if !(200..<300).contains(status) { failure = "the endpoint answered \(status)" }
        } catch let refusal as OutboundRefusal {
            failure = "not sent: \(refusal)"
        } catch {
            // Partners see a coarse category, never the transport's own words.
            failure = Self.category(of: error)
            context.logger.debug("webhook delivery failed", metadata: ["delivery.id": "\(delivery.id)", "error": "\(error)"])
        }
        Metrics.Timer(label: "atelier_webhook_delivery_duration_seconds", dimensions: partnerLabel, preferredDisplayUnit: .seconds)
            .record(duration: ContinuousClock.now - started)
        guard let failure else {
            breakers.succeeded(endpoint.id)
            Counter(label: "atelier_webhook_deliveries_total", dimensions: partnerLabel + [("outcome", "delivered")]).increment()
            try await record(.delivered(statusCode: statusCode ?? 200), delivery)
            return
        }
        breakers.failed(endpoint.id)
        Counter(label: "atelier_webhook_deliveries_total", dimensions: partnerLabel + [("outcome", "failed")]).increment()
        try await fail(delivery, statusCode: statusCode, error: failure, givingUp: expired)
    }

    /// The checked address for the host of `url`.
    private func destination(of url: String) async throws -> String {
        guard let components = URL(string: url), let host = components.host else { throw OutboundRefusal.unresolved(url) }
        let port = components.port ?? (components.scheme?.lowercased() == "http" ? 80 : 443)
        return try await policy.destination(host: host, port: port, on: context.compute)
    }

    /// What a partner is told about a delivery that got no answer.
    public static func category(of error: any Error) -> String {
        let text = String(describing: error).lowercased()
        if text.contains("timeout") || text.contains("timed out") || text.contains("deadline") { return "no answer: timed out" }
        if text.contains("tls") || text.contains("ssl") || text.contains("certificate") || text.contains("handshake") {
            return "no answer: the TLS handshake failed"
        }
        return "no answer: could not connect"
    }

    /// Records a failed attempt and throws to be retried; once the retry window is over, records the
    /// delivery as given up and returns. The job ends normally then: a partner's dead endpoint is not
    /// one of Atelier's dead letters (the delivery shows as failed to the partner and in the CRM, and
    /// the webhook alert watches the rate).
    private func fail(_ delivery: WebhookDelivery, statusCode: Int?, error: String, givingUp: Bool) async throws {
        if givingUp {
            Counter(label: "atelier_webhook_deliveries_total", dimensions: [("partner", delivery.partnerID), ("outcome", "given_up")])
                .increment()
            try await record(.givenUp(statusCode: statusCode, error: error), delivery)
            context.logger.warning(
                "webhook delivery given up",
                metadata: ["delivery.id": "\(delivery.id)", "order.id": "\(delivery.orderID)", "partner.id": "\(delivery.partnerID)"])
            return
        }
        try await record(.failed(statusCode: statusCode, error: error), delivery)
        throw WebhookAttemptFailed(description: "webhook delivery \(delivery.id): \(error)")
    }

    private func record(_ attempt: DeliveryAttempt, _ delivery: WebhookDelivery) async throws {
        let now = context.time.now()
        try await context.store.write { tx in try await tx.record(attempt, deliveryID: delivery.id, at: now) }
    }
}
