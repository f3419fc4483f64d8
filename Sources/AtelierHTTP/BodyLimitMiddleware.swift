import AtelierText
import HTTPTypes
import Hummingbird
import NIOCore

/// Limits the size of every request body on the stream itself: a `Content-Length` past the limit
/// is refused before anything is read, and a body sent in chunks (no length) is cut off with 413
/// as soon as more than the limit has arrived, whoever reads it, so no route, generated or
/// hand-written, can be made to hold more than the limit in memory.
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The limit for a request, chosen from its headers (a JSON body is small; a model is not).
    let limit: @Sendable (Request) -> BodyLimit

    public init(limit: @escaping @Sendable (Request) -> BodyLimit) { self.limit = limit }

    public init(maxBytes: Int) { self.init { _ in BodyLimit(maxBytes: maxBytes) } }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let limit = limit(request)
        if let text = request.headers[.contentLength] {
            guard let length = Int(text), length >= 0 else { throw Problem.badRequest("The Content-Length header is not a number.") }
            guard length <= limit.maxBytes else { throw BodyTooLarge(limit: limit) }
        }
        var request = request
        request.body = RequestBody(asyncSequence: LimitedBody(base: request.body, limit: limit))
        return try await next(request, context)
    }
}

/// The largest body of a kind of request, and what a person is told past it.
public struct BodyLimit: Sendable {
    public var maxBytes: Int
    /// What is too large: "The request body", "The model file".
    public var what: Phrase

    public init(maxBytes: Int, what: Phrase = "The request body") {
        self.maxBytes = maxBytes
        self.what = what
    }
}

/// A request body larger than its limit: 413.
public struct BodyTooLarge: HTTPResponseError, CustomStringConvertible {
    public var limit: BodyLimit
    public var status: HTTPResponse.Status { .contentTooLarge }
    public var description: String { phrase.description }

    /// The limit in the units a person knows: `100 MB`, `64 KB`.
    public var phrase: Phrase {
        let bytes = limit.maxBytes
        if bytes >= 1 << 20 {
            return "\(limit.what) is larger than the limit of \(bytes >> 20) MB."
        }
        return "\(limit.what) is larger than the limit of \(max(bytes >> 10, 1)) KB."
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try Problem(status: .contentTooLarge, type: "too-large", detail: phrase).response(from: request, context: context)
    }
}

/// The bytes of `base`, failing with ``BodyTooLarge`` once more than `maxBytes` have passed.
struct LimitedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let limit: BodyLimit

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let limit: BodyLimit
        var seen = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let buffer = try await base.next() else { return nil }
            seen += buffer.readableBytes
            if seen > limit.maxBytes { throw BodyTooLarge(limit: limit) }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), limit: limit) }
}

/// How long a connection may send nothing (a half-sent request, an idle keep-alive) before it is
/// closed: slow clients cannot hold connections open for ever.
public let serverIdleTimeout = TimeAmount.seconds(15)
