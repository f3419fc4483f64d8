import AtelierText
import Hummingbird
import NIOCore

/// The one reader of a model file sent as a request body, for every upload route (the shop's API,
/// the shop's pages and the partner API): the same limit, checked against `Content-Length` before
/// anything is read and again on every chunk as it arrives, and the same 413 past it.
public struct ModelBodyReader: Sendable {
    /// The largest model file, in bytes.
    public let maxBytes: Int

    public init(maxBytes: Int) { self.maxBytes = maxBytes }

    /// The problem of a file past the limit.
    public var tooLarge: Problem {
        Problem(status: .contentTooLarge, type: "model-too-large", detail: "The model file is larger than the limit of \(maxBytes) bytes.")
    }

    /// The body of `request`, whole.
    public func read(_ request: Request) async throws -> [UInt8] {
        var collected = try start(declaredLength: request.headers[.contentLength].flatMap(Int.init))
        do {
            for try await buffer in request.body { try collected.append(buffer.readableBytesView) }
        } catch is BodyTooLarge {
            throw tooLarge
        }
        return collected.bytes
    }

    /// A body that arrives in chunks of bytes (the partner API's generated handlers get these).
    public func read<Chunks: AsyncSequence>(chunks: Chunks, declaredLength: Int?) async throws -> [UInt8]
    where Chunks.Element: Collection<UInt8> {
        var collected = try start(declaredLength: declaredLength)
        do {
            for try await chunk in chunks { try collected.append(chunk) }
        } catch is BodyTooLarge {
            throw tooLarge
        }
        return collected.bytes
    }

    private func start(declaredLength: Int?) throws -> Collected {
        if let declaredLength, declaredLength > maxBytes { throw tooLarge }
        var collected = Collected(reader: self)
        // The declared length is trusted only up to the limit, and only to size the first allocation.
        collected.bytes.reserveCapacity(min(max(declaredLength ?? 0, 0), maxBytes))
        return collected
    }

    private struct Collected {
        let reader: ModelBodyReader
        var bytes: [UInt8] = []

        mutating func append(_ chunk: some Collection<UInt8>) throws {
            guard chunk.count <= reader.maxBytes - bytes.count else { throw reader.tooLarge }
            bytes.append(contentsOf: chunk)
        }
    }
}
