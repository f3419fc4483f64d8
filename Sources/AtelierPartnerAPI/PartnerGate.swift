import AtelierDomain
import AtelierHTTP
import AtelierServices
import AtelierText
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OpenAPIRuntime

/// The partner and key of the request being served; the API's operations read it.
struct PartnerRequest: Sendable {
    var partner: Partner
    var keyID: String

    @TaskLocal static var current: PartnerRequest?
}

/// Lets a partner in: checks the API key, applies the key's rate limit (429 with `Retry-After`,
/// `RateLimit-*` headers on every answer), and refuses an oversized body before reading it.
/// The partner id, never the key, goes into the request's log line.
struct PartnerGateMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext
    let partners: PartnerService
    let limiter: RateLimiter
    let maxBodyBytes: Int
    let contract: Contract
    /// Paths served without a key: the contract, its docs page and health.
    static let publicPaths: Set<String> = ["/openapi.yaml", "/docs", "/", "/health/live", "/health/ready"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.publicPaths.contains(request.uri.path) { return try await next(request, context) }
        if let methods = contract.methods(for: request.uri.path), !methods.contains(request.method.rawValue) {
            var response = try Problem(
                status: .methodNotAllowed, type: "method-not-allowed",
                detail: "\(request.uri.path) answers \(methods.sorted().joined(separator: ", ")), not \(request.method.rawValue)."
            ).response(from: request, context: context)
            response.headers[.allow] = methods.sorted().joined(separator: ", ")
            return response
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            let (partner, keyID) = try await partners.authenticate(key: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
        else {
            throw Problem(
                status: .unauthorized, type: "unauthorized",
                detail: "Send a partner API key as 'Authorization: Bearer <key>'; this one is missing, unknown or revoked.")
        }
        var context = context
        context.principal = partner.principal
        context.logger[metadataKey: "actor"] = "partner:\(partner.id)"
        context.logger[metadataKey: "partner.id"] = "\(partner.id)"
        let decision = limiter.take(key: keyID, burst: partner.burst, perMinute: partner.requestsPerMinute)
        var rateHeaders: HTTPFields = [:]
        rateHeaders[HTTPField.Name("RateLimit-Limit")!] = String(decision.limit)
        rateHeaders[HTTPField.Name("RateLimit-Remaining")!] = String(decision.remaining)
        rateHeaders[HTTPField.Name("RateLimit-Reset")!] = String(decision.resetSeconds)
        guard decision.allowed else {
            context.logger.info("rate limited", metadata: ["retry.after.seconds": "\(decision.retryAfterSeconds)"])
            var response = try Problem(
                status: .tooManyRequests, type: "rate-limited",
                detail:
                    "This key may make \(partner.requestsPerMinute) requests a minute in bursts of \(partner.burst); retry in \(decision.retryAfterSeconds) s."
            ).response(from: request, context: context)
            response.headers.append(contentsOf: rateHeaders)
            response.headers[.retryAfter] = String(decision.retryAfterSeconds)
            return response
        }
        // Every answer past this point, errors too, says where the key stands.
        var response: Response
        do {
            if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
                throw Problem(
                    status: .contentTooLarge, type: "too-large", detail: "The body has \(length) bytes; the limit is \(maxBodyBytes) bytes."
                )
            }
            response = try await PartnerRequest.$current.withValue(PartnerRequest(partner: partner, keyID: keyID)) {
                try await next(request, context)
            }
        } catch {
            response = try ProblemMiddleware.response(for: error, request: request, context: context)
        }
        response.headers.append(contentsOf: rateHeaders)
        return response
    }
}

/// Turns the generated server's errors into problems: a request it could not read is a 400 with
/// the reason; an error of an operation is mapped like any other (``Problem/from(_:)``).
struct PartnerErrorMiddleware: RouterMiddleware {
    typealias Context = AtelierRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            // The generated server percent-encodes header values; a Location is a path and stays readable.
            if let location = response.headers[.location], let decoded = location.removingPercentEncoding {
                response.headers[.location] = decoded
            }
            return response
        } catch let error as ServerError {
            if error.operationInput == nil, Problem.from(error.underlyingError).unexpected {
                // The request did not match the contract (a parameter, a header or the body).
                let status = (400..<500).contains(error.httpStatus.code) ? error.httpStatus : .badRequest
                throw Problem(
                    status: status, type: status == .badRequest ? "bad-request" : "http-\(status.code)",
                    detail: "The request does not match the API: \(error.causeDescription).")
            }
            throw error.underlyingError
        }
    }
}
