import AtelierDomain
import Foundation

extension SQLAccess {
    static func job(from row: SQLRow) throws -> JobRecord {
        JobRecord(
            id: try row.int64("id"), queue: try row.string("queue"), kind: try row.string("kind"), payload: try row.string("payload"),
            state: try row.value(JobState.self, "state"), attempts: try row.int("attempts"),
            maxAttempts: try row.int("max_attempts"), runAt: try row.date("run_at"), leasedBy: try row.optionalString("leased_by"),
            lastError: try row.optionalString("last_error"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"),
            subject: try row.optionalString("subject"), traceContext: try row.optionalString("trace_context"),
            redrives: try row.optionalInt64("redrives").map { Int($0) } ?? 0)
    }

    func enqueue(_ job: NewJob) async throws -> Int64 {
        let rows = try await sql.queryWakingWorkers(
            """
            INSERT INTO jobs (queue, kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at, subject, trace_context)
            VALUES (?, ?, ?, 'ready', 0, ?, ?, ?, ?, ?, ?) RETURNING id, queue
            """,
            job.queue, job.kind, job.payload, job.maxAttempts, job.runAt, job.runAt, job.runAt, job.subject, job.traceContext)
        return try rows.first?.int64("id") ?? 0
    }

    func claimJobs(queues: [String], worker: String, limit: Int, now: Date, leaseUntil: Date) async throws -> [JobRecord] {
        // One statement: it needs no transaction around it, so a claim is one round trip.
        let placeholders = queues.map { _ in "?" }.joined(separator: ",")
        return try await sql.query(
            """
            UPDATE jobs SET state = 'running', attempts = attempts + 1, leased_by = ?, run_at = ?, updated_at = ?
            WHERE id IN (
              SELECT id FROM jobs WHERE queue IN (\(placeholders)) AND state IN ('ready', 'running') AND run_at <= ?
              ORDER BY run_at, id LIMIT ?\(sql.dialect.skipLocked)
            ) RETURNING *
            """,
            [.text(worker), .integer(leaseUntil.millis), .integer(now.millis)] + queues.map { .text($0) } + [
                .integer(now.millis), .integer(Int64(limit)),
            ]
        ).map(Self.job(from:)).sorted { $0.id < $1.id }
    }

    func completeJob(id: Int64, worker: String, at: Date) async throws {
        try await sql.execute(
            "UPDATE jobs SET state = 'done', leased_by = NULL, updated_at = ? WHERE id = ? AND state = 'running' AND leased_by = ?",
            at, id, worker)
    }

    func retryJob(id: Int64, worker: String, error: String, runAt: Date, at: Date) async throws {
        try await sql.execute(
            """
            UPDATE jobs SET state = 'ready', leased_by = NULL, last_error = ?, run_at = ?, updated_at = ?
            WHERE id = ? AND state = 'running' AND leased_by = ?
            """,
            error, runAt, at, id, worker)
    }

    func deadLetterJob(id: Int64, error: String, at: Date) async throws {
        try await sql.execute(
            "UPDATE jobs SET state = 'dead', leased_by = NULL, last_error = ?, updated_at = ? WHERE id = ?", error, at, id)
    }

    func redriveJob(id: Int64, at: Date) async throws -> Bool {
        let redriven = try await sql.queryWakingWorkers(
            "UPDATE jobs SET state = 'ready', attempts = 0, redrives = redrives + 1, run_at = ?, updated_at = ? WHERE id = ? AND state = 'dead' RETURNING id, queue",
            at, at, id)
        return !redriven.isEmpty
    }

    func deferJob(id: Int64, worker: String, runAt: Date, at: Date) async throws {
        try await sql.execute(
            """
            UPDATE jobs SET state = 'ready', leased_by = NULL, attempts = attempts - 1, run_at = ?, updated_at = ?
            WHERE id = ? AND state = 'running' AND leased_by = ?
            """,
            runAt, at, id, worker)
    }

    func latestJob(subject: String, kind: String) async throws -> JobRecord? {
        try await sql.first("SELECT * FROM jobs WHERE subject = ? AND kind = ? ORDER BY id DESC LIMIT 1", subject, kind).map(
            Self.job(from:))
    }

    func job(id: Int64) async throws -> JobRecord? {
        try await sql.first("SELECT * FROM jobs WHERE id = ?", id).map(Self.job(from:))
    }

    func jobs(state: JobState, page: PageRequest) async throws -> Page<JobRecord> {
        let after = page.cursor.flatMap { Int64($0.id) } ?? Int64.max
        let rows = try await sql.query(
            "SELECT * FROM jobs WHERE state = ? AND id < ? ORDER BY id DESC LIMIT ?", state.rawValue, after, page.limit + 1)
        return Page.cut(try rows.map(Self.job(from:)), limit: page.limit) { Cursor(millis: 0, id: String($0.id)) }
    }

    func jobCounts() async throws -> [JobCount] {
        try await sql.query(
            "SELECT queue, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM jobs GROUP BY queue, state ORDER BY queue, state"
        )
        .map { row in
            JobCount(
                queue: try row.string("queue"), state: try row.value(JobState.self, "state"), count: try row.int("n"),
                oldestCreatedAt: try row.date("oldest"))
        }
    }
}
