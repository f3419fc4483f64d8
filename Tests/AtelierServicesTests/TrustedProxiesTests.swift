import AtelierServices
import Testing

@Suite("Trusted proxies: who the client is")
struct TrustedProxiesTests {
    @Test("from a trusted proxy the client is the last untrusted address it forwarded; from anyone else, the peer")
    func client() throws {
        let proxies = try TrustedProxies("10.0.0.0/8, 127.0.0.1, fd00::/8")
        // The ingress (10.1.2.3) forwards for a load balancer (10.9.9.9) that saw the person.
        #expect(proxies.client(peer: "10.1.2.3", forwarded: "203.0.113.7, 10.9.9.9") == "203.0.113.7")
        // A person who writes the header themselves is taken for the address the proxy saw.
        #expect(proxies.client(peer: "10.1.2.3", forwarded: "1.2.3.4, 198.51.100.2") == "198.51.100.2")
        #expect(proxies.client(peer: "198.51.100.2", forwarded: "1.2.3.4") == "198.51.100.2", "not a proxy: its header is ignored")
        #expect(proxies.client(peer: "fd12::1", forwarded: "2001:db8::5") == "2001:db8::5")
        #expect(proxies.client(peer: "10.1.2.3", forwarded: nil) == "10.1.2.3")
        #expect(proxies.client(peer: "10.1.2.3", forwarded: "10.0.0.1, 10.0.0.2") == "10.0.0.1", "only proxies: the first")
        // Garbage, or a header past its bounds, leaves the peer.
        #expect(proxies.client(peer: "10.1.2.3", forwarded: "not-an-address") == "10.1.2.3")
        #expect(proxies.client(peer: "10.1.2.3", forwarded: String(repeating: "1.1.1.1,", count: 200)) == "10.1.2.3")
        #expect(TrustedProxies.loopback.client(peer: "10.1.2.3", forwarded: "203.0.113.7") == "10.1.2.3", "loopback only by default")
        #expect(TrustedProxies.loopback.client(peer: "127.0.0.1", forwarded: "203.0.113.7") == "203.0.113.7")
    }

    @Test("a network's bits are its prefix, in IPv4 and IPv6")
    func networks() throws {
        let proxies = try TrustedProxies("192.168.4.0/22,2001:db8:1::/48")
        #expect(proxies.contains("192.168.7.255") && !proxies.contains("192.168.8.0"))
        #expect(proxies.contains("2001:db8:1:ffff::1") && !proxies.contains("2001:db8:2::1"))
        #expect(!proxies.contains("::ffff:10.0.0.1") || proxies.contains("10.0.0.1"))
        #expect(try TrustedProxies("0.0.0.0/0").contains("8.8.8.8"))
    }

    @Test("a mistake in ATELIER_TRUSTED_PROXIES stops the start, naming the entry")
    func mistakes() {
        for (value, words) in [
            ("10.0.0.0/33", "10.0.0.0/33: the prefix length must be 0 to 32"), ("proxy.local", "proxy.local: not an IPv4"),
        ] {
            do {
                _ = try AtelierConfiguration.fromEnvironment(["ATELIER_TRUSTED_PROXIES": value])
                Issue.record("\(value) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.problems.contains { $0.contains(words) }, "\(error.problems)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }
}
