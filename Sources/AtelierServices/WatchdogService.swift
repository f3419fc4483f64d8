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
        /// Orders whose promise moved (their customers were told).
        public var repromised: [String] = []
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
        var stalled = try await stalledOrders(limitPerStatus: 1000)
        var redriven: [String] = []
        for index in stalled.indices where stalled[index].responsible == .machine {
            switch try await redrivePricing(orderID: stalled[index].order.id) {
            case .redriven: redriven.append(stalled[index].order.id)
            case .waiting: break
            case .givenUp:
                // No machine will move it any more: a person must (the stalled board, the alert).
                stalled[index].responsible = .seller
            }
        }
        // A shop customer whose order is late in a step hears of it once per step, with the day it
        // now comes by (the promise moves only later, never earlier).
        var repromised: [String] = []
        for stall in stalled where stall.responsible != .machine && stall.order.channel == .shop {
            if try await movePromise(of: stall) { repromised.append(stall.order.id) }
        }
        if !repromised.isEmpty { Counter(label: "atelier_orders_repromised_total").increment(by: repromised.count) }
        let reader = context.store.reader
        let pastPromise = try await reader.countOrdersPastPromise(at: context.time.now())
        var counts: [OrderStatus: Int] = [:]
        for status in policy.watchedStatuses { counts[status] = 0 }
        var byResponsible: [String: [Responsible: Int]] = [:]
        for status in policy.watchedStatuses { byResponsible[status.rawValue] = [StallPolicy.responsible(for: status): 0] }
        for stall in stalled {
            counts[stall.order.status, default: 0] += 1
            byResponsible[stall.order.status.rawValue, default: [:]][stall.responsible, default: 0] += 1
        }
        // A SUBMITTED order whose pricing was given up counts for the seller; the machine's count
        // of that status is published as 0 then, so the two series always add up.
        for (status, perResponsible) in byResponsible {
            var perResponsible = perResponsible
            if status == OrderStatus.submitted.rawValue { perResponsible[.seller] = perResponsible[.seller] ?? 0 }
            for (responsible, count) in perResponsible {
                Gauge(label: "atelier_orders_stalled", dimensions: [("status", status), ("responsible", responsible.rawValue)]).record(
                    count)
            }
        }
        Gauge(label: "atelier_orders_past_promise").record(pastPromise)
        if !redriven.isEmpty { Counter(label: "atelier_orders_redriven_total").increment(by: redriven.count) }
        try await publishStateGauges()
        // Sessions past their end or idle too long are of no use to anyone: remove them.
        let now = context.time.now()
        let idleSince = now.addingTimeInterval(-context.configuration.sessionIdleHours * 3600)
        _ = try await context.store.write { tx in try await tx.deleteExpiredSessions(at: now, idleSince: idleSince) }
        for stall in stalled where stall.responsible != .machine {
            context.logger.debug(
                "order stalled",
                metadata: [
                    "order.id": "\(stall.order.id)", "status": "\(stall.order.status.rawValue)",
                    "responsible": "\(stall.responsible.rawValue)", "overdue.seconds": "\(Int(stall.overdueBy))",
                ])
        }
        return Report(stalled: counts, redriven: redriven, pastPromise: pastPromise, repromised: repromised)
    }

    /// Moves the promise of a late order and records the e-mail that tells its customer, in one
    /// transaction: one e-mail per order and late step (its key), so a second pass, or a second
    /// watchdog at the same moment, changes nothing. False when nothing moved.
    func movePromise(of stall: StalledOrder) async throws -> Bool {
        let now = context.time.now()
        let policy = self.policy
        return try await context.store.write { tx in
            guard var order = try await tx.order(id: stall.order.id), order.status == stall.order.status,
                order.movePromise(at: now, policy: policy) != nil
            else { return false }
            let key = OutgoingEmail.key(orderID: order.id, kind: .late) + ":" + order.status.rawValue
            guard let email = try await tx.insertEmail(key: key, kind: .late, orderID: order.id, userID: order.customerID, at: now)
            else { return false }
            try await tx.update(order: order, previousStatus: order.status)
            try await tx.enqueue(CustomerEmailJob(emailID: email, orderID: order.id), at: now, maxAttempts: CustomerEmailJob.maxAttempts)
            context.logger.info(
                "order late: promise moved",
                metadata: [
                    "order.id": "\(order.id)", "status": "\(order.status.rawValue)",
                    "promised": "\(order.promisedBy?.ISO8601Format() ?? "")",
                ])
            return true
        }
    }

    /// What the watchdog did for a stalled `SUBMITTED` order.
    public enum Redrive: Sendable, Equatable {
        /// Its pricing job was put back in the queue (or enqueued, when it had none).
        case redriven
        /// Its job is waiting for its retry or its lease, or the order moved on.
        case waiting
        /// Its job failed in a way no retry fixes, or was re-driven `maxRedrives` times: left dead
        /// for a person to decide (the reason is the job's error in the dead letters).
        case givenUp(reason: String)
    }

    /// Re-drives of one dead pricing job before the watchdog gives up on it.
    public static let maxRedrives = 3

    /// Makes sure a stalled `SUBMITTED` order has a live pricing job: a dead one is re-driven (at
    /// most ``maxRedrives`` times, and never one that failed permanently), a missing one enqueued.
    public func redrivePricing(orderID: String) async throws -> Redrive {
        let now = context.time.now()
        let maxAttempts = context.configuration.jobMaxAttempts
        let logger = context.logger
        return try await context.store.write { tx in
            guard let order = try await tx.order(id: orderID), order.status == .submitted else { return .waiting }
            let job = try await tx.latestJob(subject: orderID, kind: PricingJob.kind)
            switch job?.state {
            case .ready, .running:
                return .waiting  // waiting for its retry or its lease: it will come back by itself
            case .dead:
                guard let job else { return .waiting }
                let error = job.lastError ?? ""
                if error.hasPrefix(PermanentJobError.marker) || job.redrives >= Self.maxRedrives {
                    logger.warning(
                        "stalled pricing given up; a person must decide",
                        metadata: ["order.id": "\(orderID)", "job.id": "\(job.id)", "job.redrives": "\(job.redrives)", "error": "\(error)"])
                    return .givenUp(reason: error)
                }
                _ = try await tx.redriveJob(id: job.id, at: now)
            case .done, nil:
                try await tx.enqueue(PricingJob(orderID: orderID), at: now, maxAttempts: maxAttempts)
            }
            logger.warning(
                "stalled pricing re-driven", metadata: ["order.id": "\(orderID)", "job.state": "\(job?.state.rawValue ?? "none")"])
            return .redriven
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
