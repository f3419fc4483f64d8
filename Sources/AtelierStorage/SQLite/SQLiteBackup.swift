import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Copies of the embedded database: made while it serves, put back while it does not.
///
/// A backup is SQLite's online backup of one read snapshot (every page in one step, so writes
/// committed during the copy are not in it and nothing half-committed is), written to a temporary
/// file, checked (`PRAGMA integrity_check`), made self-contained (no `-wal` beside it) and only then
/// renamed to its name: a backup that exists is whole. A restore checks the copy the same way, copies
/// it beside the database, moves the current database aside (kept, never deleted) and renames the
/// copy into place; it refuses while any Atelier process has the database open (``SQLiteStore``
/// holds a shared lock on `PATH.lock` for its whole life).
public enum SQLiteBackup {
    /// What a backup holds.
    public struct Summary: Sendable, Equatable {
        public var orders: Int
        public var bytes: Int
        /// The newest migration in it.
        public var schemaVersion: String
    }

    /// Copies the database at `databasePath` to `destination`, which must not exist yet.
    public static func backup(databasePath: String, to destination: String) throws -> Summary {
        let files = FileManager.default
        guard files.fileExists(atPath: databasePath) else {
            throw StorageError.refused("There is no database at \(databasePath) to back up (check ATELIER_DATA).")
        }
        guard !files.fileExists(atPath: destination) else {
            throw StorageError.refused("\(destination) already exists; a backup never overwrites a file. Choose another name.")
        }
        let folder = (destination as NSString).deletingLastPathComponent
        let partial =
            (folder.isEmpty ? "." : folder) + "/.\((destination as NSString).lastPathComponent).partial-\(UUID().uuidString.prefix(8))"
        guard files.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StorageError.refused("Cannot write into \(folder.isEmpty ? "." : folder): the folder is missing or not writable.")
        }
        do {
            let source = try DatabasePool(path: databasePath, configuration: readOnly())
            let copy = try DatabaseQueue(path: partial)
            try source.backup(to: copy)
            try source.close()
            // One file, in rollback-journal mode: it can be copied, moved and archived alone.
            try copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
            let summary = try check(copy, named: destination)
            try copy.close()
            try sync(partial)
            guard rename(partial, destination) == 0 else {
                throw StorageError.refused("Cannot name the backup \(destination): \(String(cString: strerror(errno)))")
            }
            try sync(folder.isEmpty ? "." : folder)
            return Summary(orders: summary.orders, bytes: size(of: destination), schemaVersion: summary.schemaVersion)
        } catch {
            for suffix in ["", "-journal", "-wal", "-shm"] { try? files.removeItem(atPath: partial + suffix) }
            throw described(error, doing: "back up the database")
        }
    }

    /// Puts the backup `file` in place of the database at `databasePath`. The database it replaces
    /// (with its `-wal` file) is moved to `PATH.before-restore-<time>`; the returned path says where.
    public static func restore(from file: String, to databasePath: String) throws -> (
        summary: Summary, previous: String?
    ) {
        let files = FileManager.default
        guard files.fileExists(atPath: file) else { throw StorageError.refused("There is no backup at \(file).") }
        let summary: Summary
        do {
            let backup = try DatabaseQueue(path: file, configuration: readOnly())
            summary = try check(backup, named: file)
            try backup.close()
        } catch {
            throw described(error, doing: "read the backup \(file)")
        }
        guard summary.schemaVersion.isEmpty || Schema.migrations.contains(where: { $0.version == summary.schemaVersion }) else {
            throw StorageError.refused(
                "The backup \(file) was made by a newer Atelier (its schema is at \(summary.schemaVersion)); restore it with that version.")
        }
        let lock = try DatabaseLock(databasePath: databasePath)
        guard lock.tryExclusive() else {
            throw StorageError.refused(
                "The database \(databasePath) is in use by a running Atelier (serve or another command); stop it before restoring.")
        }
        defer { lock.release() }
        let restoring = databasePath + ".restoring"
        try? files.removeItem(atPath: restoring)
        do {
            try files.copyItem(atPath: file, toPath: restoring)
            try files.setAttributes([.posixPermissions: 0o600], ofItemAtPath: restoring)
            try sync(restoring)
        } catch {
            try? files.removeItem(atPath: restoring)
            throw StorageError.refused("Cannot copy the backup beside the database: \(error.localizedDescription). Nothing was changed.")
        }
        var previous: String?
        if files.fileExists(atPath: databasePath) {
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            let aside = "\(databasePath).before-restore-\(stamp)"
            for suffix in ["", "-wal", "-shm"] where files.fileExists(atPath: databasePath + suffix) {
                guard rename(databasePath + suffix, aside + suffix) == 0 else {
                    let reason = String(cString: strerror(errno))
                    // Put back what was already moved: the database stays as it was.
                    for moved in ["", "-wal", "-shm"] where files.fileExists(atPath: aside + moved) {
                        _ = rename(aside + moved, databasePath + moved)
                    }
                    try? files.removeItem(atPath: restoring)
                    throw StorageError.refused("Cannot move the current database aside: \(reason). Nothing was changed.")
                }
            }
            previous = aside
        }
        guard rename(restoring, databasePath) == 0 else {
            throw StorageError.refused(
                "Cannot put the backup in place: \(String(cString: strerror(errno))). The previous database is at \(previous ?? "(none)").")
        }
        try sync((databasePath as NSString).deletingLastPathComponent)
        return (summary, previous)
    }

    private static func readOnly() -> Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        return configuration
    }

    /// The copy is whole and is an Atelier database.
    private static func check(_ database: DatabaseQueue, named name: String) throws -> Summary {
        try database.read { db in
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard integrity == ["ok"] else {
                throw StorageError.refused("\(name) is damaged: \(integrity.prefix(3).joined(separator: "; "))")
            }
            guard try db.tableExists("orders"), try db.tableExists("grdb_migrations") else {
                throw StorageError.refused("\(name) is not an Atelier database.")
            }
            let orders = try Int.fetchOne(db, sql: "SELECT count(*) FROM orders") ?? 0
            let version = try String.fetchOne(db, sql: "SELECT max(identifier) FROM grdb_migrations") ?? ""
            return Summary(orders: orders, bytes: 0, schemaVersion: version)
        }
    }

    private static func described(_ error: any Error, doing what: String) -> any Error {
        if error is StorageError { return error }
        if let error = error as? DatabaseError {
            return StorageError.refused("Cannot \(what): \(error.message ?? "SQLite error \(error.resultCode)").")
        }
        return StorageError.refused("Cannot \(what): \(error.localizedDescription).")
    }

    private static func size(of path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Flushes a file or a folder (a rename is durable once its folder is).
    private static func sync(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw StorageError.refused("Cannot open \(path) to flush it: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw StorageError.refused("Cannot flush \(path): \(String(cString: strerror(errno)))") }
    }
}

/// `PATH.lock`: every process that has the database open holds it shared; a restore needs it alone.
final class DatabaseLock: Sendable {
    private let descriptor: Int32

    init(databasePath: String) throws {
        descriptor = open(databasePath + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StorageError.unavailable("cannot open the database's lock file: \(String(cString: strerror(errno)))")
        }
    }

    /// Shared: several instances may serve one database at once.
    func shared() -> Bool { flock(descriptor, LOCK_SH | LOCK_NB) == 0 }

    /// Alone, or false at once.
    func tryExclusive() -> Bool { flock(descriptor, LOCK_EX | LOCK_NB) == 0 }

    func release() { _ = flock(descriptor, LOCK_UN) }

    deinit { close(descriptor) }
}
