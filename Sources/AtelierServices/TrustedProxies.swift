import Foundation

/// The proxies whose `X-Forwarded-For` Atelier believes (`ATELIER_TRUSTED_PROXIES`): networks in
/// CIDR form. A request from one of them is the client's that the header names last, past any
/// other trusted proxy; a request from anywhere else is its peer's, whatever it says. By default
/// only loopback (nginx on the same machine); behind a Kubernetes ingress, the pods' network.
public struct TrustedProxies: Sendable, Equatable {
    struct Network: Sendable, Equatable {
        /// The address in its 16-byte form (IPv4 mapped), and how many of its bits count.
        var bytes: [UInt8]
        var bits: Int

        func contains(_ address: OutboundAddress.IP) -> Bool {
            for index in 0..<(bits / 8) where address.bytes[index] != bytes[index] { return false }
            let rest = bits % 8
            guard rest > 0 else { return true }
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - rest))
            return address.bytes[bits / 8] & mask == bytes[bits / 8] & mask
        }
    }

    let networks: [Network]

    /// Loopback only: 127.0.0.0/8 and ::1.
    public static let loopback = TrustedProxies(networks: [
        Network(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 0], bits: 96 + 8),
        Network(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], bits: 128),
    ])

    init(networks: [Network]) { self.networks = networks }

    /// Reads a comma-separated list of networks (`10.0.0.0/8`, `fd00::/8`) or addresses (a whole
    /// address is its own network); at most 64. A mistake names the entry.
    public init(_ text: String) throws(ProxyListError) {
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard entries.count <= 64 else { throw ProxyListError(entry: "", reason: "at most 64 networks") }
        networks = try entries.map { entry throws(ProxyListError) in
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let address = OutboundAddress.IP(parts[0]) else {
                throw ProxyListError(entry: entry, reason: "not an IPv4 or IPv6 address")
            }
            let width = address.isV4 ? 32 : 128
            var bits = width
            if parts.count == 2 {
                guard let given = Int(parts[1]), (0...width).contains(given) else {
                    throw ProxyListError(entry: entry, reason: "the prefix length must be 0 to \(width)")
                }
                bits = given
            }
            return Network(bytes: address.bytes, bits: address.isV4 ? bits + 96 : bits)
        }
    }

    public func contains(_ text: String) -> Bool {
        guard let address = OutboundAddress.IP(text) else { return false }
        return networks.contains { $0.contains(address) }
    }

    /// The client of a request from `peer` that carried `forwarded` (`X-Forwarded-For`): the peer
    /// unless it is a trusted proxy; then the last address of the header that is not one (each
    /// proxy appends the address it saw). A header that is too long, or an entry that is not an
    /// address, leaves the peer: a client cannot choose whom it is taken for.
    public func client(peer: String?, forwarded: String?) -> String? {
        guard let peer, contains(peer), let forwarded, forwarded.utf8.count <= 1024 else { return peer }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !hops.isEmpty, hops.count <= 32 else { return peer }
        for hop in hops.reversed() {
            guard OutboundAddress.IP(hop) != nil else { return peer }
            if !contains(hop) { return hop }
        }
        return hops.first
    }
}

/// A mistake in `ATELIER_TRUSTED_PROXIES`.
public struct ProxyListError: Error, Sendable, CustomStringConvertible {
    public var entry: String
    public var reason: String
    public var description: String { entry.isEmpty ? reason : "\(entry): \(reason)" }
}
