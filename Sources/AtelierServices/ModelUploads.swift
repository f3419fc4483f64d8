import AtelierStorage
import Crypto
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where uploaded model files are written as they arrive, before they are analysed and put into
/// the model store: a private folder of this instance (`ATELIER_DATA/uploads`), emptied at start.
/// One upload holds at most ``pieceSize`` bytes in memory, whatever the file's size.
public struct ModelUploads: Sendable {
    public let folder: String
    /// Bytes gathered before they are hashed and written, on NIO's blocking-work threads.
    public static let pieceSize = 1 << 20

    public init(folder: String) { self.folder = folder }

    /// Creates the folder (for its owner only) and removes what an earlier process left in it.
    public func prepare() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".upload") {
            unlink("\(folder)/\(name)")
        }
    }

    /// A new, empty upload file.
    public func begin() async throws -> ModelSpool {
        let path = "\(folder)/\(UUID().uuidString.lowercased()).upload"
        let descriptor = try await NIOThreadPool.singleton.runIfActive {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        }
        guard descriptor >= 0 else { throw ModelStoreError.unavailable("cannot create an upload file in \(folder)") }
        return ModelSpool(path: path, descriptor: descriptor)
    }

    /// A model made in memory (the constructor's, the demo's), as an upload.
    public func spool(_ bytes: [UInt8]) async throws -> SpooledModel {
        let spool = try await begin()
        do {
            try await spool.append(bytes)
            return try await spool.finish()
        } catch {
            spool.discard()
            throw error
        }
    }
}

/// One model file being received: bytes are gathered into pieces, and each piece is hashed and
/// written off the cooperative threads. Used by one task; ``finish()`` or ``discard()`` ends it.
public final class ModelSpool: @unchecked Sendable {
    let path: String
    private var descriptor: Int32
    private let hasher = RunningHash()
    private var piece: [UInt8] = []
    private(set) var size = 0

    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
        piece.reserveCapacity(ModelUploads.pieceSize)
    }

    /// Bytes received so far.
    public var received: Int { size }

    public func append(_ bytes: some Collection<UInt8>) async throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            let room = ModelUploads.pieceSize - piece.count
            piece.append(contentsOf: rest.prefix(room))
            size += min(room, rest.count)
            rest = rest.dropFirst(room)
            if piece.count == ModelUploads.pieceSize { try await flush() }
        }
    }

    /// Writes the last piece: the upload, whole, with its hash. The file is not flushed to disk:
    /// it lives only until the model store has its own, durable copy (a crash loses the upload
    /// either way, and the next start removes the file).
    public func finish() async throws -> SpooledModel {
        try await flush()
        close(descriptor)
        descriptor = -1
        let hash = hasher.hex()
        return SpooledModel(path: path, hash: hash, size: size)
    }

    /// Abandons the upload: its file is removed.
    public func discard() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(path)
    }

    private func flush() async throws {
        guard !piece.isEmpty else { return }
        let (descriptor, piece, hasher) = (self.descriptor, self.piece, self.hasher)
        let written = try await NIOThreadPool.singleton.runIfActive {
            hasher.update(piece)
            return piece.withUnsafeBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let step = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
                    if step <= 0 { return false }
                    done += step
                }
                return true
            }
        }
        guard written else { throw ModelStoreError.unavailable("cannot write an upload file (is the disk full?)") }
        self.piece.removeAll(keepingCapacity: true)
    }

    deinit { if descriptor >= 0 { close(descriptor) } }
}

/// A model file received whole, on disk under a temporary name, with its SHA-256: what is analysed
/// and then put into the model store. Whoever holds it removes it (``remove()``) when done.
public struct SpooledModel: Sendable, Hashable {
    public let path: String
    public let hash: String
    public let size: Int

    public func remove() { unlink(path) }

    /// Runs `body` on the file's bytes, mapped into memory (read by the kernel as they are
    /// touched, never copied into the heap); the mapping ends when `body` returns.
    func withMappedBytes<T>(_ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
        guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ModelStoreError.unavailable("the upload's file is gone") }
        defer { close(descriptor) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw ModelStoreError.unavailable("cannot map an upload file")
        }
        defer { munmap(address, size) }
        madvise(address, size, MADV_SEQUENTIAL)
        return try body(UnsafeRawBufferPointer(start: address, count: size))
    }
}

/// A SHA-256 fed piece by piece, from one task at a time (each piece on whichever thread does
/// that task's blocking work, one after the other: never two at once).
final class RunningHash: @unchecked Sendable {
    private var hasher = SHA256()

    func update(_ bytes: some DataProtocol) { hasher.update(data: bytes) }

    /// The digest, in lowercase hex (once: the hash is finished).
    func hex() -> String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
