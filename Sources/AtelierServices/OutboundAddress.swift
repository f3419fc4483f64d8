import AtelierText

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where Atelier may send a request it makes on a partner's behalf (webhooks): only to public
/// addresses on the internet, never into the network it runs in.
///
/// Refused: loopback, unspecified, private (RFC 1918), shared (CGNAT), link-local (the cloud
/// metadata service at 169.254.169.254 among them), multicast, broadcast, reserved and
/// documentation ranges; in IPv6 also unique local (fc00::/7), site-local, IPv4-mapped and
/// IPv4-compatible addresses, NAT64 and 6to4 (which carry an IPv4 address inside), and Teredo.
public enum OutboundAddress {
    /// An address as its 16 bytes (IPv4 in the IPv4-mapped form `::ffff:a.b.c.d`).
    public struct IP: Sendable, Hashable, CustomStringConvertible {
        public let bytes: [UInt8]
        public let isV4: Bool

        /// The address written in `text` in a standard numeric form (dotted IPv4 or IPv6, with or
        /// without brackets); nil for a host name or a legacy form such as `2130706433`.
        public init?(_ text: String) {
            var text = text
            if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
            var v4 = in_addr()
            var v6 = in6_addr()
            if inet_pton(AF_INET, text, &v4) == 1 {
                self.init(v4: withUnsafeBytes(of: v4.s_addr) { Array($0) })
            } else if inet_pton(AF_INET6, text, &v6) == 1 {
                self.init(v6: withUnsafeBytes(of: v6) { Array($0) })
            } else {
                return nil
            }
        }

        init(v4 bytes: [UInt8]) {
            self.bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + bytes
            self.isV4 = true
        }

        init(v6 bytes: [UInt8]) {
            self.bytes = bytes
            self.isV4 = false
        }

        public var description: String {
            if isV4 { return bytes[12...].map(String.init).joined(separator: ".") }
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        /// Why a request must not go to this address, or nil when it is a public one.
        public var refusal: String? {
            if isV4 { return Self.refusal(v4: Array(bytes[12...])) }
            let b = bytes
            func prefix(_ p: [UInt8], bits: Int) -> Bool {
                for i in 0..<(bits / 8) where b[i] != p[i] { return false }
                let rest = bits % 8
                if rest > 0 {
                    let mask = UInt8(0xFF << (8 - rest) & 0xFF)
                    if b[bits / 8] & mask != p[bits / 8] & mask { return false }
                }
                return true
            }
            if b.allSatisfy({ $0 == 0 }) { return "the unspecified address" }
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return "a loopback address" }
            if prefix([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF], bits: 96) { return "an IPv4-mapped address" }
            if prefix([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], bits: 96) { return "an IPv4-compatible address" }
            if prefix([0x00, 0x64, 0xFF, 0x9B], bits: 32) { return "a NAT64 address" }
            if prefix([0x20, 0x02], bits: 16) { return "a 6to4 address" }
            if prefix([0x20, 0x01, 0x00, 0x00], bits: 32) { return "a Teredo address" }
            if prefix([0x20, 0x01, 0x0D, 0xB8], bits: 32) { return "a documentation address" }
            if prefix([0x01, 0x00, 0, 0, 0, 0, 0, 0], bits: 64) { return "a discard-only address" }
            if prefix([0xFC], bits: 7) { return "a unique local (private) address" }
            if prefix([0xFE, 0x80], bits: 10) { return "a link-local address" }
            if prefix([0xFE, 0xC0], bits: 10) { return "a site-local address" }
            if b[0] == 0xFF { return "a multicast address" }
            // Only global unicast (2000::/3) is on the internet.
            if b[0] & 0xE0 != 0x20 { return "a reserved address" }
            return nil
        }

        static func refusal(v4 a: [UInt8]) -> String? {
            switch (a[0], a[1], a[2]) {
            case (0, _, _): return "the unspecified (this-network) range 0.0.0.0/8"
            case (10, _, _): return "a private address (10.0.0.0/8)"
            case (100, 64...127, _): return "a shared (carrier-grade NAT) address (100.64.0.0/10)"
            case (127, _, _): return "a loopback address (127.0.0.0/8)"
            case (169, 254, _): return "a link-local address (169.254.0.0/16, the cloud metadata service among them)"
            case (172, 16...31, _): return "a private address (172.16.0.0/12)"
            case (192, 0, 0): return "an IETF protocol address (192.0.0.0/24)"
            case (192, 0, 2), (198, 51, 100), (203, 0, 113): return "a documentation address"
            case (192, 88, 99): return "a 6to4 relay address"
            case (192, 168, _): return "a private address (192.168.0.0/16)"
            case (198, 18...19, _): return "a benchmarking address (198.18.0.0/15)"
            case (224...239, _, _): return "a multicast address"
            case (240...255, _, _): return "a reserved or broadcast address"
            default: return nil
            }
        }
    }

    /// Host names that always name something inside the network, whatever a resolver says.
    public static func internalName(_ host: String) -> Bool {
        let name = host.lowercased().trimmingSuffix(".")
        if !name.contains(".") { return true }  // single labels resolve through the local search domains
        let internalSuffixes = [".localhost", ".local", ".localdomain", ".internal", ".intranet", ".lan", ".home.arpa", ".arpa"]
        return name == "localhost" || internalSuffixes.contains { name.hasSuffix($0) }
    }

    /// The addresses `host` resolves to (a blocking lookup: run it off the async threads).
    /// Legacy numeric forms (`2130706433`, `0x7f.1`) resolve to the address they stand for.
    public static func resolve(_ host: String, port: Int) throws -> [IP] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        var name = host
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        let status = getaddrinfo(name, String(port), &hints, &list)
        guard status == 0, let first = list else { throw OutboundRefusal.unresolved(host) }
        defer { freeaddrinfo(first) }
        var addresses: [IP] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = current.pointee.ai_addr {
                if current.pointee.ai_family == AF_INET {
                    let v4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                    addresses.append(IP(v4: withUnsafeBytes(of: v4.s_addr) { Array($0) }))
                } else if current.pointee.ai_family == AF_INET6 {
                    let v6 = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(IP(v6: withUnsafeBytes(of: v6) { Array($0) }))
                }
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw OutboundRefusal.unresolved(host) }
        return addresses
    }
}

/// Why a request to a partner's endpoint was not sent; what the partner sees is the description.
public enum OutboundRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case internalName(String)
    case notPublic(host: String, reason: String)
    case unresolved(String)

    public var description: String { phrase.description }

    public var phrase: Phrase {
        switch self {
        case let .internalName(host): "\(host) names a host inside a private network; webhooks go only to public addresses."
        case let .notPublic(host, reason): "\(host) is \(reason); webhooks go only to public addresses."
        case let .unresolved(host): "\(host) could not be resolved to an address."
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
