import AtelierDomain
import AtelierGeometry
import AtelierServices
import AtelierText
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// An RFC 9457 problem: the body of every error response (`application/problem+json`).
public struct Problem: Error, Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// For 409 on a status change: the order's status and the moves the caller may make.
    public var currentStatus: String?
    public var allowedMoves: [String]?
    /// For 409 on "take": who took the order.
    public var takenBy: String?
    /// For 429 and 503: when to try again (the `Retry-After` header, not in the body).
    public var retryAfterSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, currentStatus, allowedMoves, takenBy
    }

    /// A problem whose `detail` is `detail` in the language of the person being answered
    /// (``Addressee/current``, from the request's `Accept-Language`).
    public init(status: HTTPResponse.Status, type: String, detail: Phrase) {
        self.type = "https://atelier.example/problems/\(type)"
        self.title = status.reasonPhrase
        self.status = status.code
        self.detail = detail.localized
    }
}

extension Problem {
    /// A 400: the request cannot be read.
    public static func badRequest(_ detail: Phrase) -> Problem { Problem(status: .badRequest, type: "bad-request", detail: detail) }

    public var httpStatus: HTTPResponse.Status { HTTPResponse.Status(code: status) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try JSONEncoder.atelier.encode(self)
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if status == 503 || status == 429 { headers[.retryAfter] = String(retryAfterSeconds ?? 1) }
        return Response(status: httpStatus, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension Problem {
    /// Maps every error to a problem, in one place. Unknown errors become a 500 without details.
    public static func from(_ error: any Error) -> (Problem, unexpected: Bool) {
        if let failure = StoreFailure(error) { return problem(for: failure) }
        switch error {
        case let problem as Problem:
            return (problem, false)
        case let error as DomainError:
            switch error {
            case let .illegalTransition(_, current, _, _, allowed):
                var problem = Problem(status: .conflict, type: "illegal-transition", detail: error.phrase)
                problem.currentStatus = current.rawValue
                problem.allowedMoves = allowed.map(\.rawValue)
                return (problem, false)
            case let .alreadyTaken(_, by):
                var problem = Problem(status: .conflict, type: "already-taken", detail: error.phrase)
                problem.takenBy = by
                return (problem, false)
            case .notYours:
                return (Problem(status: .forbidden, type: "not-yours", detail: error.phrase), false)
            case .invalid:
                return (Problem(status: .unprocessableContent, type: "invalid", detail: error.phrase), false)
            case .notFound:
                return (Problem(status: .notFound, type: "not-found", detail: error.phrase), false)
            }
        case let error as MeshError:
            return (Problem(status: .unprocessableContent, type: "invalid-model", detail: error.phrase), false)
        case let error as DesignError:
            return (Problem(status: .unprocessableContent, type: "invalid-design", detail: error.phrase), false)
        case let error as AuthenticationError:
            switch error {
            case .wrongCredentials, .notSignedIn:
                return (Problem(status: .unauthorized, type: "unauthorized", detail: error.phrase), false)
            case .forbidden:
                return (Problem(status: .forbidden, type: "forbidden", detail: error.phrase), false)
            }
        case let error as PriceListMissing:
            var problem = Problem(status: .serviceUnavailable, type: "no-price-list", detail: error.phrase)
            problem.retryAfterSeconds = 60
            return (problem, false)
        case let error as AccountLinkError:
            return (Problem(status: .gone, type: "link-unusable", detail: error.phrase), false)
        case let error as RateLimited:
            var problem = Problem(status: .tooManyRequests, type: "rate-limited", detail: error.detail)
            problem.retryAfterSeconds = error.retryAfterSeconds
            return (problem, false)
        case let error as SignInThrottled:
            var problem = Problem(status: .tooManyRequests, type: "sign-in-throttled", detail: error.phrase)
            problem.retryAfterSeconds = error.retryAfterSeconds
            return (problem, false)
        case let error as ComputeBusy:
            var problem = Problem(status: error.ownWork ? .tooManyRequests : .serviceUnavailable, type: "busy", detail: error.phrase)
            problem.retryAfterSeconds = 2
            return (problem, false)
        case let error as DecodingError:
            return (
                Problem(
                    status: .badRequest, type: "bad-request",
                    detail: "The request body is not valid JSON for this endpoint: \(describe(error))"), false
            )
        case let error as HTTPError:
            let detail = error.body.map { Phrase(verbatim: $0) } ?? Phrase(verbatim: error.status.reasonPhrase)
            return (Problem(status: error.status, type: "http-\(error.status.code)", detail: detail), error.status.code >= 500)
        case let error as BodyTooLarge:
            return (Problem(status: .contentTooLarge, type: "too-large", detail: error.phrase), false)
        case let error as any HTTPResponseError where error.status == .contentTooLarge:
            return (
                Problem(status: .contentTooLarge, type: "too-large", detail: "The request body is larger than this endpoint accepts."),
                false
            )
        case let error as any HTTPResponseError:
            return (
                Problem(status: error.status, type: "http-\(error.status.code)", detail: Phrase(verbatim: error.status.reasonPhrase)),
                error.status.code >= 500
            )
        default:
            return (
                Problem(status: .internalServerError, type: "internal", detail: "Something went wrong on our side; it has been logged."),
                true
            )
        }
    }

    /// A failure of the database, in our own words: its message (constraint names, server text)
    /// never reaches a client.
    private static func problem(for failure: StoreFailure) -> (Problem, unexpected: Bool) {
        switch failure {
        case .conflict:
            // The database's own words (constraint names) never reach a client.
            return (
                Problem(
                    status: .conflict, type: "conflict",
                    detail: "This conflicts with a change made at the same moment; reload and try again."), false
            )
        case .busy:
            return (
                Problem(
                    status: .serviceUnavailable, type: "busy",
                    detail: "The order is being changed by another request; try again shortly."),
                false
            )
        case .unavailable:
            return (
                Problem(status: .serviceUnavailable, type: "unavailable", detail: "The database is unavailable; try again shortly."),
                true
            )
        case .failed:
            return (
                Problem(
                    status: .internalServerError, type: "internal", detail: "Something went wrong on our side; it has been logged."),
                true
            )
        case .modelsUnavailable:
            var problem = Problem(
                status: .serviceUnavailable, type: "models-unavailable",
                detail: "Model files cannot be stored or read right now; nothing was recorded. Try again shortly.")
            problem.retryAfterSeconds = 5
            return (problem, true)
        }
    }

    private static func describe(_ error: DecodingError) -> Phrase {
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "–" : path
        }
        switch error {
        case let .keyNotFound(key, context): return "the field '\(key.stringValue)' is missing (at '\(path(context))')."
        case let .typeMismatch(_, context): return "wrong type at '\(path(context))': \(context.debugDescription)"
        case let .valueNotFound(_, context): return "a value is missing at '\(path(context))'."
        case let .dataCorrupted(context): return "\(context.debugDescription) (at '\(path(context))')"
        @unknown default: return "\(String(describing: error))"
        }
    }
}

/// Turns every error of a route into problem+json; logs what became a 500 as an error.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = AtelierRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try Self.response(for: error, request: request, context: context)
        }
    }

    /// The problem+json answer to `error`; what becomes a 500 is logged as an error.
    public static func response(for error: any Error, request: Request, context: Context) throws -> Response {
        let (problem, unexpected) = Problem.from(error)
        if unexpected {
            context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
        }
        return try problem.response(from: request, context: context)
    }
}
