import AtelierServices
import AtelierText
import Hummingbird
import NIOCore

/// The one reader of a model file sent as a request body, for every upload route (the shop's API,
/// the shop's pages and the partner API): the same limit, checked against `Content-Length` before
/// anything is read and again on every chunk as it arrives, and the same 413 past it. The body is
/// written to an upload file as it arrives (hashed on the way), never held whole in memory.
public struct ModelBodyReader: Sendable {
    /// The largest model file, in bytes.
    public let maxBytes: Int
    /// Where the bodies are written.
    public let uploads: ModelUploads

    public init(maxBytes: Int, uploads: ModelUploads) {
        self.maxBytes = maxBytes
        self.uploads = uploads
    }

    /// The problem of a file past the limit.
    public var tooLarge: Problem {
        Problem(status: .contentTooLarge, type: "model-too-large", detail: "The model file is larger than the limit of \(maxBytes) bytes.")
    }

    /// The body of `request`, received whole into an upload file.
    public func read(_ request: Request) async throws -> SpooledModel {
        try await read(chunks: request.body.map { $0.readableBytesView }, declaredLength: request.headers[.contentLength].flatMap(Int.init))
    }

    /// A body that arrives in chunks of bytes (the partner API's generated handlers get these).
    public func read<Chunks: AsyncSequence>(chunks: Chunks, declaredLength: Int?) async throws -> SpooledModel
    where Chunks.Element: Collection<UInt8> {
        if let declaredLength, declaredLength > maxBytes { throw tooLarge }
        let spool = try await uploads.begin()
        do {
            for try await chunk in chunks {
                guard chunk.count <= maxBytes - spool.received else { throw tooLarge }
                try await spool.append(chunk)
            }
            return try await spool.finish()
        } catch is BodyTooLarge {
            spool.discard()
            throw tooLarge
        } catch {
            spool.discard()
            throw error
        }
    }
}
