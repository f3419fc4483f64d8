import AtelierDomain
import Crypto
import Foundation

/// What a delivery sends: the event's body and its signature, which a partner checks with its secret.
extension WebhookService {
    /// The JSON a partner receives for `event`, its sequence number included.
    static func body(of event: WebhookEvent) throws -> [UInt8] {
        var data = try JSONDecoder.atelier.decode(OrderEventBody.Data.self, from: Data(event.data.utf8))
        data.sequence = event.id
        let body = OrderEventBody(id: "evt_\(event.id)", type: event.type, createdAt: event.createdAt, data: data)
        return Array(try OrderEventBody.encoder.encode(body))
    }

    /// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
    public static func signature(secret: String, timestamp: Int, body: [UInt8]) -> String {
        var message = Array("\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(timestamp),v1=" + hex(mac)
    }
}
