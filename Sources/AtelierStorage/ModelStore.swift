import Foundation
import NIOCore

/// Where model files live, content-addressed: an object's name is the SHA-256 of its bytes (64
/// lowercase hex digits), so a model is stored once however many orders use it, and what is read
/// back can be checked against its name.
///
/// Adapters: ``FileModelStore`` (a folder; the embedded default) and the S3 store of
/// `AtelierObjectStore` (any S3-compatible service). Both pass the same conformance suite.
public protocol ModelStore: Sendable {
    /// Puts the finished file at `path`, whose SHA-256 is `hash`, into the store. Durable when it
    /// returns. A store that holds `hash` already keeps its bytes but takes the time of this put
    /// as the object's time, so a collection of unreferenced objects that waits its grace period
    /// never removes an object an upload is about to refer to. The file at `path` is left as it is.
    func put(hash: String, fromFile path: String) async throws

    /// The object's size in bytes, or nil when the store does not hold it.
    func size(hash: String) async throws -> Int64?

    /// The object's bytes (or those of `range`, inclusive), in chunks as they are read; nil when the
    /// store does not hold it. A range past the end is cut to the end.
    func read(hash: String, range: ClosedRange<Int64>?) async throws -> ModelChunks?

    /// Removes the object; removing one the store does not hold is not an error.
    func delete(hash: String) async throws

    /// Every object, in no set order.
    func objects() async throws -> [StoredModel]
}

/// An object of a model store, as its listing tells it.
public struct StoredModel: Sendable, Hashable {
    public var hash: String
    public var size: Int64
    /// When it was last put.
    public var modified: Date

    public init(hash: String, size: Int64, modified: Date) {
        self.hash = hash
        self.size = size
        self.modified = modified
    }
}

extension ModelStore {
    /// Every object's hash, in no set order.
    public func hashes() async throws -> [String] { try await objects().map(\.hash) }

    /// The whole object in memory: for small files and tests only (a model is read in chunks).
    public func bytes(hash: String) async throws -> [UInt8]? {
        guard let stream = try await read(hash: hash, range: nil) else { return nil }
        var bytes: [UInt8] = []
        for try await chunk in stream { bytes.append(contentsOf: chunk.readableBytesView) }
        return bytes
    }
}

/// An object's bytes, pulled chunk by chunk: the next chunk is read only when the one before was
/// taken, so a slow reader holds one chunk, never the file. One consumer iterates it, once.
public struct ModelChunks: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let pull: @Sendable () async throws -> ByteBuffer?

    /// `pull` gives the next chunk, or nil at the end; it is called by one consumer at a time.
    public init(pull: @escaping @Sendable () async throws -> ByteBuffer?) { self.pull = pull }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let pull: @Sendable () async throws -> ByteBuffer?
        public mutating func next() async throws -> ByteBuffer? { try await pull() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pull: pull) }
}

/// A model store's failure, in words for the log; a surface answers it 503 (`unavailable`) or as
/// a refusal of the settings (`misconfigured`).
public enum ModelStoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The store cannot be reached, or failed this time: try again later.
    case unavailable(String)
    /// The store refuses this instance: a wrong bucket, bad credentials, a folder it cannot write.
    case misconfigured(String)
    /// A name that is not a SHA-256 in hex.
    case invalidHash

    public var description: String {
        switch self {
        case let .unavailable(message): "The model store is unavailable: \(message)"
        case let .misconfigured(message): message
        case .invalidHash: "a model's name must be its SHA-256, 64 lowercase hex digits"
        }
    }

    /// Whether `hash` is a SHA-256 in lowercase hex (the only names a store takes: no path tricks).
    public static func check(_ hash: String) throws {
        guard hash.utf8.count == 64, hash.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw ModelStoreError.invalidHash
        }
    }
}
