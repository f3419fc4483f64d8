import AtelierDomain
import AtelierJobs
import AtelierStorage
import Foundation
import Logging
import Metrics

/// Finds orders that overstayed their status: re-drives stalled machine steps, raises human ones
/// (the CRM's stalled board, the `atelier_orders_stalled` metric and its alert).
public struct WatchdogService: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    var policy: StallPolicy { context.configuration.stallPolicy }

    /// What one pass found and did.
    public struct Report: Sendable {
        public var stalled: [OrderStatus: Int]
        public var redriven: [String]
        public var pastPromise: Int
    }

    /// Orders past their status's budget, longest overdue first within each status, at most `limitPerStatus` each.
    public func stalledOrders(limitPerStatus: Int = 200) async throws -> [StalledOrder] {
        let now = context.time.now()
        var result: [StalledOrder] = []
        for status in policy.watchedStatuses {
            guard let budget = policy.budgets[status] else { continue }
            let orders = try await context.store.reader.stalledOrders(
                status: status, enteredBefore: now.addingTimeInterval(-budget), limit: limitPerStatus)
            result += orders.map { StalledOrder(order: $0, budget: budget, now: now) }
        }
        return result
    }

    /// One pass: re-drive stalled pricing, count stalls, publish the state of orders and queues as gauges.
    @discardableResult
    public func scan() async throws -> Report {
        let stalled = try await stalledOrders(limitPerStatus: 1000)
        var redriven: [String] = []
        for stall in stalled where stall.responsible == .machine {
            if try await redrivePricing(orderID: stall.order.id) { redriven.append(stall.order.id) }
        }
        let reader = context.store.reader
        let pastPromise = try await reader.countOrdersPastPromise(at: context.time.now())
        var counts: [OrderStatus: Int] = [:]
        for status in policy.watchedStatuses { counts[status] = 0 }
        for stall in stalled { counts[stall.order.status, default: 0] += 1 }
        for (status, count) in counts {
            Gauge(
                label: "atelier_orders_stalled",
                dimensions: [("status", status.rawValue), ("responsible", StallPolicy.responsible(for: status).rawValue)]
            )
            .record(count)
        }
        Gauge(label: "atelier_orders_past_promise").record(pastPromise)
        if !redriven.isEmpty { Counter(label: "atelier_orders_redriven_total").increment(by: redriven.count) }
        try await publishStateGauges()
        for stall in stalled where stall.responsible != .machine {
            context.logger.debug(
                "order stalled",
                metadata: [
                    "order.id": "\(stall.order.id)", "status": "\(stall.order.status.rawValue)",
                    "responsible": "\(stall.responsible.rawValue)", "overdue.seconds": "\(Int(stall.overdueBy))",
                ])
        }
        return Report(stalled: counts, redriven: redriven, pastPromise: pastPromise)
    }

    /// Makes sure a stalled `SUBMITTED` order has a live pricing job: a dead one is re-driven, a
    /// missing one enqueued. Returns whether it did something.
    public func redrivePricing(orderID: String) async throws -> Bool {
        let now = context.time.now()
        let maxAttempts = context.configuration.jobMaxAttempts
        let logger = context.logger
        return try await context.store.write { tx in
            guard let order = try await tx.order(id: orderID), order.status == .submitted else { return false }
            let job = try await tx.latestJob(subject: orderID, kind: PricingJob.kind)
            switch job?.state {
            case .ready, .running:
                return false  // waiting for its retry or its lease: it will come back by itself
            case .dead:
                _ = try await tx.redriveJob(id: job!.id, at: now)
            case .done, nil:
                try await tx.enqueue(PricingJob(orderID: orderID), at: now, maxAttempts: maxAttempts)
            }
            logger.warning(
                "stalled pricing re-driven", metadata: ["order.id": "\(orderID)", "job.state": "\(job?.state.rawValue ?? "none")"])
            return true
        }
    }

    /// Orders per status and the queue's depth and age, for dashboards and alerts.
    func publishStateGauges() async throws {
        let reader = context.store.reader
        for (status, count) in try await reader.statusCounts() {
            Gauge(label: "atelier_orders", dimensions: [("status", status.rawValue)]).record(count)
        }
        let now = context.time.now()
        var oldestReady: [String: Double] = [:]
        let jobCounts = try await reader.jobCounts()
        for count in jobCounts {
            Gauge(label: "atelier_queue_jobs", dimensions: [("queue", count.queue), ("state", count.state.rawValue)]).record(count.count)
            if count.state == .ready || count.state == .running {
                oldestReady[count.queue] = max(oldestReady[count.queue] ?? 0, now.timeIntervalSince(count.oldestCreatedAt))
            }
            if count.state == .dead {
                Gauge(label: "atelier_queue_dead_letters", dimensions: [("queue", count.queue)]).record(count.count)
            }
        }
        for queue in Set(jobCounts.map(\.queue)) {
            Gauge(label: "atelier_queue_oldest_age_seconds", dimensions: [("queue", queue)]).record(oldestReady[queue] ?? 0)
        }
    }
}
