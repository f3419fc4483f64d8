import Foundation

/// Sends a signed POST somewhere: the port the delivery worker uses (AsyncHTTPClient in production).
public protocol WebhookTransport: Sendable {
    /// Posts `body` with `headers` to `url`, connecting to `address` (the host's address that was
    /// checked, never one looked up again); returns the status code, or throws when no answer came
    /// in `timeout`.
    func post(url: String, address: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int
}
