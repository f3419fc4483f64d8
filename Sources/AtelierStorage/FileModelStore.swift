import Foundation
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Models as files in a folder: `ROOT/ab/cd/abcd…` (two levels of 256 folders keep each folder
/// small). A file is copied to a temporary name in its final folder, flushed, and renamed into place,
/// and the folder flushed after: a crash leaves a temporary file at worst, never a half file under a
/// real name (temporary names start with `.` and are removed by ``removeTemporaryFiles()``).
public struct FileModelStore: ModelStore {
    public let root: String
    /// The size of each chunk ``read(hash:range:)`` yields.
    public static let chunkSize = 256 * 1024

    /// Uses (and creates, for its owner only) the folder `root`.
    public init(root: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ModelStoreError.misconfigured("Cannot create the model folder \(root): \(error.localizedDescription)")
        }
        guard access(root, W_OK) == 0 else { throw ModelStoreError.misconfigured("The model folder \(root) is not writable") }
        self.root = root
    }

    /// Uses the folder `root` as it is: its folders are made by the first put (benchmarks and tests
    /// that build a context without a start; `atelier serve` checks its folder with ``init(root:)``).
    public init(uncheckedRoot root: String) { self.root = root }

    func path(_ hash: String) -> String {
        let utf8 = Array(hash.utf8)
        let first = String(decoding: utf8[0..<2], as: UTF8.self), second = String(decoding: utf8[2..<4], as: UTF8.self)
        return "\(root)/\(first)/\(second)/\(hash)"
    }

    public func put(hash: String, fromFile source: String) async throws {
        try ModelStoreError.check(hash)
        let target = path(hash)
        let folder = (target as NSString).deletingLastPathComponent
        try await Self.offThread {
            // Held already: the same bytes (the name is their hash), now as young as this put.
            if utimes(target, nil) == 0 { return }
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ModelStoreError.unavailable("cannot create \(folder): \(error.localizedDescription)")
            }
            let temporary = "\(folder)/.\(hash).\(Self.writer).\(UUID().uuidString.prefix(8)).partial"
            do {
                try Self.copy(source, to: temporary)
                guard rename(temporary, target) == 0 else { throw Self.failure("cannot rename into \(target)") }
                try Self.sync(folder)
            } catch {
                unlink(temporary)
                throw error
            }
        }
    }

    public func size(hash: String) async throws -> Int64? {
        try ModelStoreError.check(hash)
        var status = stat()
        guard stat(path(hash), &status) == 0 else {
            if errno == ENOENT { return nil }
            throw Self.failure("cannot read \(path(hash))")
        }
        return Int64(status.st_size)
    }

    public func read(hash: String, range: ClosedRange<Int64>?) async throws -> ModelChunks? {
        try ModelStoreError.check(hash)
        return try Self.chunks(ofFile: path(hash), range: range)?.chunks
    }

    /// The file at `path` (or its `range`, inclusive, cut to its end) in chunks of `chunkSize`, each
    /// read off the cooperative threads when it is asked for; nil when there is no such file.
    public static func chunks(
        ofFile path: String, range: ClosedRange<Int64>? = nil, chunkSize: Int = FileModelStore.chunkSize
    ) throws -> (size: Int64, chunks: ModelChunks)? {
        guard let file = try OpenFile(path) else { return nil }
        let start = min(range?.lowerBound ?? 0, file.size), end = min((range?.upperBound ?? file.size - 1) + 1, file.size)
        let cursor = Mutex(start)
        return (
            file.size,
            ModelChunks {
                let offset = cursor.withLock { $0 }
                guard offset < end else { return nil }
                let wanted = Int(min(Int64(chunkSize), end - offset))
                let chunk = try await Self.offThread { try file.read(at: offset, count: wanted) }
                cursor.withLock { $0 = offset + Int64(chunk.readableBytes) }
                return chunk
            }
        )
    }

    public func delete(hash: String) async throws {
        try ModelStoreError.check(hash)
        guard unlink(path(hash)) == 0 || errno == ENOENT else { throw Self.failure("cannot delete \(path(hash))") }
    }

    public func objects() async throws -> [StoredModel] {
        try await Self.offThread {
            var found: [StoredModel] = []
            guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
            for case let relative as String in walker {
                let name = (relative as NSString).lastPathComponent
                guard (try? ModelStoreError.check(name)) != nil else { continue }
                var status = stat()
                guard stat("\(root)/\(relative)", &status) == 0 else { continue }  // removed meanwhile
                found.append(
                    StoredModel(
                        hash: name, size: Int64(status.st_size),
                        modified: Date(timeIntervalSince1970: Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9)))
            }
            return found
        }
    }

    /// Who writes a temporary file: this machine and process (`host-pid`), in its name.
    public static let writer: String = {
        var name = [CChar](repeating: 0, count: 256)
        let host = gethostname(&name, name.count - 1) == 0 ? String(cString: name) : "unknown"
        let safe = String(host.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) && $0.isASCII }.prefix(40))
        return "\(safe.isEmpty ? "unknown" : safe)-\(getpid())"
    }()

    /// How old a temporary file of a writer that cannot be asked (another machine's) must be to
    /// count as left behind: far longer than any copy takes.
    public static let abandonedAfter: TimeInterval = 3600

    /// Removes what a crash mid-copy left behind; returns how many. Instances may share the folder
    /// and start while others copy: a temporary file is removed only when its writer is a process
    /// of this machine that is gone, or when it is older than ``abandonedAfter``.
    public func removeTemporaryFiles(now: Date = Date()) async throws -> Int {
        try await Self.offThread {
            var removed = 0
            guard let walker = FileManager.default.enumerator(atPath: root) else { return 0 }
            for case let relative as String in walker where (relative as NSString).lastPathComponent.hasSuffix(".partial") {
                let path = "\(root)/\(relative)"
                guard Self.abandoned((relative as NSString).lastPathComponent, path: path, now: now) else { continue }
                if unlink(path) == 0 { removed += 1 }
            }
            return removed
        }
    }

    /// Whether the temporary file `name` (`.HASH.HOST-PID.RANDOM.partial`) was left behind.
    static func abandoned(_ name: String, path: String, now: Date) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        let modified = Date(timeIntervalSince1970: Double(status.st_mtim.tv_sec))
        if now.timeIntervalSince(modified) > abandonedAfter { return true }
        let parts = name.split(separator: ".")
        guard parts.count == 4, let dash = parts[1].lastIndex(of: "-"), let pid = Int32(parts[1][parts[1].index(after: dash)...]),
            pid > 0
        else { return false }
        let mine = writer.prefix(upTo: writer.lastIndex(of: "-")!)
        // This machine's writer is gone when no process has its pid (kill with no signal asks).
        return parts[1][..<dash] == mine && pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
    }

    /// A file open for reading, closed when the last reader lets go of it.
    final class OpenFile: Sendable {
        let descriptor: Int32
        let size: Int64

        /// Nil when there is no such file.
        init?(_ path: String) throws {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                if errno == ENOENT { return nil }
                throw FileModelStore.failure("cannot open \(path)")
            }
            var status = stat()
            fstat(descriptor, &status)
            size = Int64(status.st_size)
        }

        func read(at offset: Int64, count: Int) throws -> ByteBuffer {
            var buffer = ByteBuffer()
            buffer.reserveCapacity(count)
            let got = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
                max(0, pread(descriptor, bytes.baseAddress, count, off_t(offset)))
            }
            guard got > 0 else { throw FileModelStore.failure("cannot read a model at \(offset)") }
            return buffer
        }

        deinit { close(descriptor) }
    }

    /// Copies `source` to the new file `target` in 1 MiB pieces and flushes it.
    static func copy(_ source: String, to target: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure("cannot open \(source)") }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw failure("cannot create \(target)") }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            guard count >= 0 else { throw failure("cannot read \(source)") }
            if count == 0 { break }
            var written = 0
            while written < count {
                let step = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
                guard step > 0 else { throw failure("cannot write \(target)") }
                written += step
            }
        }
        guard fsync(output) == 0 else { throw failure("cannot flush \(target)") }
    }

    static func sync(_ folder: String) throws {
        let descriptor = open(folder, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open \(folder)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot flush \(folder)") }
    }

    static func failure(_ what: String) -> ModelStoreError {
        .unavailable("\(what): \(String(cString: strerror(errno)))")
    }

    /// File work runs on NIO's blocking-work threads, never on the cooperative pool.
    static func offThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
