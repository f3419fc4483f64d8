import AtelierDomain
import AtelierHTTP
import AtelierServices
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle

/// What the operators' dashboards follow: the count of orders per status. Every status change
/// changes it (an order arriving, being taken, moving on), on any instance, since it is read from
/// the shared database. One read serves every open dashboard of this process, at most every
/// `interval`.
actor LiveFeed {
    struct Snapshot: Sendable, Equatable {
        var version: Int
        var counts: [OrderStatus: Int]
    }

    private let mes: MESService
    private let interval: Duration
    /// A draining instance ends its streams, so browsers reconnect to another (after the retry hint).
    private nonisolated let lifecycle: InstanceLifecycle
    private var snapshot = Snapshot(version: 0, counts: [:])
    private var readAt: ContinuousClock.Instant?
    private var reading: Task<[OrderStatus: Int], any Error>?

    init(mes: MESService, lifecycle: InstanceLifecycle, interval: Duration = .milliseconds(200)) {
        self.lifecycle = lifecycle
        self.mes = mes
        self.interval = interval
    }

    /// The latest counts, read again when they are older than the interval.
    func current() async throws -> Snapshot {
        if let readAt, ContinuousClock.now - readAt < interval { return snapshot }
        let task: Task<[OrderStatus: Int], any Error>
        if let reading {
            task = reading
        } else {
            task = Task { [mes] in try await mes.counts() }
            reading = task
        }
        let counts: [OrderStatus: Int]
        do {
            counts = try await task.value
        } catch {
            reading = nil
            throw error
        }
        if reading != nil {
            // The first caller back applies the result; the others joined the same read.
            reading = nil
            readAt = .now
            if counts != snapshot.counts { snapshot = Snapshot(version: snapshot.version + 1, counts: counts) }
        }
        return snapshot
    }

    /// A stream of server-sent events: `counts` at once and on every change, a comment every 15 s
    /// to keep proxies from closing it. It ends after 10 minutes (the browser reconnects by itself,
    /// after the `retry` hint of 1 s the stream starts with), when the client goes, or when the
    /// instance begins to drain (so the browser reconnects to another while this one still serves).
    nonisolated func events(tick: Duration = .milliseconds(200), lifetime: Duration = .seconds(600)) -> Response {
        let body = ResponseBody { [self] writer in
            let started = ContinuousClock.now
            var sent = -1
            var quietSince = ContinuousClock.now
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            while !Task.isCancelled, !Task.isShuttingDownGracefully, !lifecycle.isDraining, ContinuousClock.now - started < lifetime {
                if let snapshot = try? await current(), snapshot.version != sent {
                    sent = snapshot.version
                    let counts = OrderStatus.allCases.map { "\"\($0.rawValue)\":\(snapshot.counts[$0] ?? 0)" }.joined(separator: ",")
                    try await writer.write(ByteBuffer(string: "event: counts\ndata: {\(counts)}\n\n"))
                    quietSince = .now
                } else if ContinuousClock.now - quietSince > .seconds(15) {
                    try await writer.write(ByteBuffer(string: ": still here\n\n"))
                    quietSince = .now
                }
                try await Task.sleep(for: tick)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: body)
    }
}
