import AtelierDomain
import Foundation

/// How webhooks are retried and how a failing endpoint is left alone.
public struct WebhookPolicy: Sendable {
    /// A delivery is retried for at least this long before it is given up.
    public var retryWindow: Duration = .seconds(24 * 3600)
    /// Longest wait for an endpoint's answer.
    public var timeout: Duration = .seconds(10)
    /// Failures in a row that open an endpoint's circuit.
    public var breakerThreshold: Int = 5
    /// How long an open circuit sends nothing to the endpoint.
    public var breakerCooldown: Duration = .seconds(30)
    /// Hosts webhooks may go to (empty: any). Plain `http://` only when `allowHTTP`.
    public var allowedHosts: [String] = []
    public var allowHTTP: Bool = false
    /// Let webhooks reach loopback and private addresses: for tests and a cluster on one machine
    /// only (`ATELIER_WEBHOOK_ALLOW_PRIVATE=1`), never in production.
    public var allowPrivateAddresses: Bool = false
    /// Deliveries to one partner's endpoints in flight at once on one instance: a partner whose
    /// endpoints are slow cannot take every delivery slot from the others.
    public var perPartnerConcurrency: Int = 4
    /// Replays one partner may ask for per hour, per instance.
    public var replaysPerHour: Int = 120

    public init() {}

    /// The address to connect to for `host`: its addresses are looked up (off the async threads)
    /// and every one must be public, so a name that resolves to an internal address is refused
    /// at the moment of sending, on the very address the request then goes to.
    func destination(host: String, port: Int, on pool: ComputePool) async throws -> String {
        if let literal = OutboundAddress.IP(host) {
            if let reason = literal.refusal, !allowPrivateAddresses { throw OutboundRefusal.notPublic(host: host, reason: reason) }
            return literal.description
        }
        if OutboundAddress.internalName(host), !allowPrivateAddresses { throw OutboundRefusal.internalName(host) }
        let addresses = try await pool.run { try OutboundAddress.resolve(host, port: port) }
        if !allowPrivateAddresses {
            for address in addresses {
                if let reason = address.refusal { throw OutboundRefusal.notPublic(host: host, reason: "\(reason) (\(address))") }
            }
        }
        return addresses[0].description
    }
}
