import AtelierDomain
import Foundation
import GRDB

extension SQLiteAccess {
    static func job(from row: Row) -> JobRecord {
        JobRecord(
            id: row["id"], queue: row["queue"], kind: row["kind"], payload: row["payload"],
            state: JobState(rawValue: row["state"]) ?? .ready, attempts: row["attempts"], maxAttempts: row["max_attempts"],
            runAt: Date(millis: row["run_at"]), leasedBy: row["leased_by"], lastError: row["last_error"],
            createdAt: Date(millis: row["created_at"]), updatedAt: Date(millis: row["updated_at"]))
    }

    func enqueue(_ job: NewJob) async throws -> Int64 {
        let id = try await run { db in
            try db.execute(
                sql: """
                    INSERT INTO jobs (queue, kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at)
                    VALUES (?, ?, ?, 'ready', 0, ?, ?, ?, ?)
                    """,
                arguments: [job.queue, job.kind, job.payload, job.maxAttempts, job.runAt.millis, Date().millis, Date().millis])
            return db.lastInsertedRowID
        }
        enqueued.store(true, ordering: .relaxed)
        return id
    }

    func claimJobs(queues: [String], worker: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [JobRecord] {
        let placeholders = queues.map { _ in "?" }.joined(separator: ",")
        return try await run { db in
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM jobs WHERE queue IN (\(placeholders)) AND state IN ('ready', 'running') AND run_at <= ?
                    ORDER BY run_at, id LIMIT ?
                    """,
                arguments: StatementArguments(queues) + [now.millis, limit])
            var claimed: [JobRecord] = []
            for id in ids {
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'running', attempts = attempts + 1, leased_by = ?, run_at = ?, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [worker, leaseUntil.millis, now.millis, id])
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]) {
                    claimed.append(Self.job(from: row))
                }
            }
            return claimed
        }
    }

    func completeJob(id: Int64, worker: String, at: Date) async throws {
        try await run { db in
            try db.execute(
                sql:
                    "UPDATE jobs SET state = 'done', leased_by = NULL, updated_at = ? WHERE id = ? AND state = 'running' AND leased_by = ?",
                arguments: [at.millis, id, worker])
        }
    }

    func retryJob(id: Int64, worker: String, error: String, runAt: Date, at: Date) async throws {
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'ready', leased_by = NULL, last_error = ?, run_at = ?, updated_at = ?
                    WHERE id = ? AND state = 'running' AND leased_by = ?
                    """,
                arguments: [error, runAt.millis, at.millis, id, worker])
        }
    }

    func deadLetterJob(id: Int64, error: String, at: Date) async throws {
        try await run { db in
            try db.execute(
                sql: "UPDATE jobs SET state = 'dead', leased_by = NULL, last_error = ?, updated_at = ? WHERE id = ?",
                arguments: [error, at.millis, id])
        }
    }

    func redriveJob(id: Int64, at: Date) async throws -> Bool {
        let changed = try await run { db in
            try db.execute(
                sql: "UPDATE jobs SET state = 'ready', attempts = 0, run_at = ?, updated_at = ? WHERE id = ? AND state = 'dead'",
                arguments: [at.millis, at.millis, id])
            return db.changesCount
        }
        if changed > 0 { enqueued.store(true, ordering: .relaxed) }
        return changed > 0
    }

    func job(id: Int64) async throws -> JobRecord? {
        try await run { db in try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]).map(Self.job(from:)) }
    }

    func jobs(state: JobState, page: PageRequest) async throws -> Page<JobRecord> {
        let limit = page.limit
        let after = page.cursor.flatMap { Int64($0.id) } ?? Int64.max
        return try await run { db in
            let jobs = try Row.fetchAll(
                db, sql: "SELECT * FROM jobs WHERE state = ? AND id < ? ORDER BY id DESC LIMIT ?",
                arguments: [state.rawValue, after, limit + 1]
            ).map(Self.job(from:))
            return Page.cut(jobs, limit: limit) { Cursor(millis: 0, id: String($0.id)) }
        }
    }

    func jobCounts() async throws -> [JobCount] {
        try await run { db in
            try Row.fetchAll(
                db,
                sql: "SELECT queue, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM jobs GROUP BY queue, state ORDER BY queue, state"
            ).map { row in
                JobCount(
                    queue: row["queue"], state: JobState(rawValue: row["state"]) ?? .ready, count: row["n"],
                    oldestCreatedAt: Date(millis: row["oldest"]))
            }
        }
    }
}
