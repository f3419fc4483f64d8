import AtelierDomain
import AtelierStorage
import AtelierTelemetry
import Foundation
import NIOCore
import NIOPosix

/// The operator's work on the model store: moving the models a release before the store kept in
/// the database (`atelier models migrate`), checking every object against its hash
/// (`atelier models verify`), and removing what no order or catalog piece refers to
/// (`atelier models gc`). Each is safe while Atelier serves.
public struct ModelMaintenance: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    public struct MigrationReport: Sendable, Equatable {
        /// Models put into the store whose database copy was then removed.
        public var moved = 0
        /// Database copies whose bytes do not match their hash: kept where they are, named.
        public var corrupt: [String] = []
    }

    /// Moves every model still in the database into the store, one at a time: its bytes checked
    /// against its hash, put into the store (durably), then the database copy removed, in that
    /// order, so a stop at any moment leaves each model readable from one place or the other, and
    /// a second run goes on where the first stopped. `progress` is told of each model moved.
    public func migrate(progress: @Sendable (String, Int) -> Void = { _, _ in }) async throws -> MigrationReport {
        var report = MigrationReport()
        var after: String?
        while true {
            let batch = try await context.store.reader.modelsKeptInDatabase(after: after, limit: 50)
            guard let last = batch.last else { break }
            for hash in batch {
                guard let bytes = try await context.store.reader.modelBytes(hash: hash) else { continue }  // moved meanwhile
                guard sha256Hex(bytes) == hash else {
                    report.corrupt.append(hash)
                    continue
                }
                let upload = try await context.uploads.spool(bytes)
                defer { upload.remove() }
                try await context.models.put(hash: hash, fromFile: upload.path)
                guard try await context.models.size(hash: hash) == Int64(bytes.count) else {
                    throw ModelStoreError.unavailable("the store does not hold the model \(hash) just put")
                }
                try await context.store.write { tx in try await tx.removeDatabaseCopy(modelHash: hash) }
                report.moved += 1
                progress(hash, bytes.count)
            }
            after = last
        }
        return report
    }

    public struct VerificationReport: Sendable, Equatable {
        /// Objects read back whole and re-hashed.
        public var checked = 0
        public var checkedBytes: Int64 = 0
        /// Models an order or a catalog piece refers to that neither the store nor the database holds.
        public var missing: [String] = []
        /// Objects whose bytes do not hash to their name.
        public var corrupt: [String] = []
        /// Models referred to whose bytes are still in the database (`migrate` moves them).
        public var inDatabase = 0
        /// Objects nothing refers to (what `gc` removes once they are old enough).
        public var unreferenced = 0

        public var healthy: Bool { missing.isEmpty && corrupt.isEmpty }
    }

    /// Reads every object of the store back, re-hashes it, and checks that every model referred to
    /// is held.
    public func verify() async throws -> VerificationReport {
        var report = VerificationReport()
        let objects = try await context.models.objects()
        let referenced = try await context.store.reader.referencedModelHashes()
        let held = Set(objects.map(\.hash))
        for hash in referenced.sorted() where !held.contains(hash) {
            if try await context.store.reader.modelBytes(hash: hash) != nil {
                report.inDatabase += 1
            } else {
                report.missing.append(hash)
            }
        }
        for object in objects {
            if !referenced.contains(object.hash) { report.unreferenced += 1 }
            guard let chunks = try await context.models.read(hash: object.hash, range: nil) else {
                if referenced.contains(object.hash) { report.missing.append(object.hash) }
                continue  // removed meanwhile
            }
            // Hashed a piece of 1 MiB at a time on the blocking-work threads: not the customers'
            // analysis threads, and not the async ones.
            let hasher = RunningHash()
            var size: Int64 = 0
            var piece = ByteBuffer()
            for try await var chunk in chunks {
                size += Int64(chunk.readableBytes)
                piece.writeBuffer(&chunk)
                if piece.readableBytes >= ModelUploads.pieceSize {
                    try await NIOThreadPool.singleton.runIfActive { [piece] in hasher.update(piece.readableBytesView) }
                    piece.clear()
                }
            }
            try await NIOThreadPool.singleton.runIfActive { [piece] in hasher.update(piece.readableBytesView) }
            report.checked += 1
            report.checkedBytes += size
            if hasher.hex() != object.hash { report.corrupt.append(object.hash) }
        }
        return report
    }

    public struct CollectionReport: Sendable, Equatable {
        /// Objects removed (or, on a dry run, that would be).
        public var removed: [String] = []
        public var removedBytes: Int64 = 0
        /// Objects nothing refers to that are younger than the grace period: kept.
        public var young = 0
    }

    /// Removes the objects no order or catalog piece refers to and that were last put more than
    /// `grace` ago: an upload puts its model before its order refers to it, and a put makes an
    /// object young again, so an upload in progress never loses its model. `dryRun` only reports.
    public func collect(grace: Duration, dryRun: Bool) async throws -> CollectionReport {
        var report = CollectionReport()
        // The listing first, the references after it: an object put after the listing is not in
        // it, and an order that refers to a listed object by then is seen.
        let objects = try await context.models.objects()
        let referenced = try await context.store.reader.referencedModelHashes()
        let cutoff = context.time.now().addingTimeInterval(-grace.seconds)
        for object in objects where !referenced.contains(object.hash) {
            guard object.modified < cutoff else {
                report.young += 1
                continue
            }
            if !dryRun { try await context.models.delete(hash: object.hash) }
            report.removed.append(object.hash)
            report.removedBytes += object.size
        }
        return report
    }
}
