import AsyncHTTPClient
import AtelierServices
import Foundation
import NIOCore
import NIOHTTP1

/// Sends webhooks with AsyncHTTPClient; redirects are not followed (an endpoint cannot send
/// Atelier's requests elsewhere).
public struct HTTPWebhookTransport: WebhookTransport {
    /// One client for the life of the process: it keeps connections to partners' endpoints open.
    static let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    let client: HTTPClient

    public init() { self.client = Self.client }

    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let response = try await client.execute(request, timeout: .nanoseconds(nanoseconds))
        // Read (and drop) at most 64 KiB of the answer, so the connection can be reused.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return Int(response.status.code)
    }
}
