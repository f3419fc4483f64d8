import AsyncHTTPClient
import AtelierServices
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends webhooks with AsyncHTTPClient; redirects are not followed (an endpoint cannot send
/// Atelier's requests elsewhere).
///
/// Every request connects to the address the webhook service checked, never to one looked up
/// again (a host's DNS could answer a public address to the check and a private one to the
/// connection): one client per host and address, whose DNS override pins the address, with TLS
/// still verifying the host's name. Clients are kept (they keep connections open) up to a number,
/// then the oldest is shut down.
public final class HTTPWebhookTransport: WebhookTransport {
    private let clients = Mutex<(byTarget: [String: HTTPClient], order: [String])>(([:], []))
    private let maxClients: Int

    public init(maxClients: Int = 128) { self.maxClients = maxClients }

    deinit {
        let all = clients.withLock { $0.byTarget.values }
        for client in all { client.shutdown { _ in } }
    }

    private func client(host: String, address: String) -> HTTPClient {
        let key = "\(host)|\(address)"
        let (client, retired): (HTTPClient, HTTPClient?) = clients.withLock { state in
            if let existing = state.byTarget[key] { return (existing, nil) }
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            configuration.dnsOverride = [host: address]
            let created = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            state.byTarget[key] = created
            state.order.append(key)
            var retired: HTTPClient?
            if state.order.count > maxClients {
                let oldest = state.order.removeFirst()
                retired = state.byTarget.removeValue(forKey: oldest)
            }
            return (created, retired)
        }
        if let retired { retired.shutdown { _ in } }
        return client
    }

    public func post(url: String, address: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int {
        let host = URL(string: url)?.host ?? ""
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let response = try await client(host: host, address: address).execute(request, timeout: .nanoseconds(nanoseconds))
        // Read (and drop) at most 64 KiB of the answer, so the connection can be reused.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}
