import AtelierDomain
import AtelierServices
import AtelierText
import Foundation
import HTTPTypes
import Hummingbird
import NIOFoundationEssentialsCompat

// What a request carries besides its route: paging, a status filter, a JSON body, the headers Atelier reads.

extension PageRequest {
    /// The page a client asked for with `cursor` (from a `nextCursor`) and `limit` (default 50), or a
    /// 400 that says what is wrong.
    public static func parsed(cursor token: String?, limit text: String?, maxLimit: Int) throws -> PageRequest {
        var cursor: Cursor?
        if let token, !token.isEmpty {
            guard token.unicodeScalars.count <= 200, let parsed = Cursor(token: token) else {
                throw Problem(
                    status: .badRequest, type: "bad-cursor", detail: "The cursor '\(token.prefix(200))' is not one this API gave out.")
            }
            cursor = parsed
        }
        var limit = 50
        if let text {
            guard let value = Int(text), (1...maxLimit).contains(value) else {
                throw Problem(
                    status: .badRequest, type: "bad-limit",
                    detail: "limit must be a whole number from 1 to \(maxLimit), not '\(text.prefix(20))'.")
            }
            limit = value
        }
        return PageRequest(cursor: cursor, limit: limit)
    }
}

extension Request {
    /// `cursor` and `limit` query parameters.
    func pageRequest() throws -> PageRequest {
        let query = uri.queryParameters
        return try PageRequest.parsed(cursor: query["cursor"].map(String.init), limit: query["limit"].map(String.init), maxLimit: 200)
    }

    /// A status named in the query, checked against the ten statuses and `CANCELLED`.
    public func status(_ name: String) throws -> OrderStatus? {
        guard let text = uri.queryParameters[Substring(name)], !text.isEmpty else { return nil }
        guard let status = OrderStatus(rawValue: String(text).uppercased()) else {
            let known = OrderStatus.allCases.map(\.rawValue).joined(separator: ", ")
            throw Problem(status: .badRequest, type: "bad-status", detail: "'\(text)' is not a status. Statuses: \(known).")
        }
        return status
    }

    /// Decodes a JSON body, or returns `empty` when there is no body.
    func decode<T: Decodable>(_ type: T.Type, context: some RequestContext, orEmpty empty: T) async throws -> T {
        var request = self
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        if buffer.readableBytes == 0 { return empty }
        return try JSONDecoder.atelier.decode(T.self, from: buffer)
    }

    var idempotencyKey: String? { headers[.idempotencyKey] }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
    static let idempotentReplayed = Self("Idempotent-Replayed")!
    static let filename = Self("X-Filename")!
    static let carrierSecret = Self("X-Carrier-Secret")!
}
