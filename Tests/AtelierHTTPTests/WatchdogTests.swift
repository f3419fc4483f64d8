import AtelierApp
import AtelierDomain
import AtelierHTTP
import AtelierJobs
import AtelierServices
import AtelierStorage
import AtelierTelemetry
import AtelierTestSupport
import AtelierText
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

/// One metrics registry for the whole test process (swift-metrics is bootstrapped once).
let testMetrics = Telemetry.bootstrapMetrics()

@Suite("Watchdog and metrics")
struct WatchdogTests {
    /// A customer's order in `SUBMITTED`, and the customer's token.
    func submittedOrder(_ api: API) async throws -> (String, String) {
        let customer = try await api.signIn("customer@atelier.test")
        return (try await api.submittedCatalogOrder(token: customer), customer)
    }

    @Test("an order late in a step moves its promise once, and its customer is told the new day once")
    func lateOrder() async throws {
        let clock = HandClock()
        let harness = try await Harness.make(time: clock)
        try await harness.test { api in
            let id = try await approvedOrder(api, harness)
            let before = try #require(try await harness.store.reader.order(id: id)?.promisedBy)
            #expect(try await harness.useCases.watchdog.scan().repromised.isEmpty, "on time: nothing moves")

            // Approved two days ago and no operator has taken it (the step's budget is a day).
            clock.advance(seconds: 2 * 86_400)
            #expect(try await harness.useCases.watchdog.scan().repromised == [id])
            let after = try #require(try await harness.store.reader.order(id: id)?.promisedBy)
            let remaining = StallPolicy().remaining(from: .manufacturingApproved)
            #expect(after > before && abs(after.timeIntervalSince(clock.now().addingTimeInterval(remaining))) < 5)
            // A second pass (or a second watchdog) moves nothing and writes nothing.
            #expect(try await harness.useCases.watchdog.scan().repromised.isEmpty)
            #expect(try await harness.store.reader.order(id: id)?.promisedBy == after)

            try await harness.composition.mailWorker().runDueJobs()
            let late = try harness.mailed(to: "customer@atelier.test").filter { $0.contains("is taking longer") }
            #expect(late.count == 1)
            #expect(late.first?.contains(Addressee(language: .english).day(after)) == true)
            #expect(try await harness.store.reader.emails(orderID: id).filter { $0.kind == .late }.count == 1)
        }
    }

    @Test("a job that failed permanently is never re-driven, and one re-driven 3 times is left to a person")
    func redriveCap() async throws {
        let harness = try await Harness.make { $0.stallPolicy.budgets[.submitted] = 0 }
        try await harness.test { api in
            let (permanent, _) = try await submittedOrder(api)
            let job = try #require(try await harness.store.reader.latestJob(subject: permanent, kind: PricingJob.kind))
            try await harness.store.write { tx in
                try await tx.deadLetterJob(id: job.id, error: PermanentJobError.marker + "cannot be priced: no volume", at: Date())
            }
            #expect(
                try await harness.useCases.watchdog.redrivePricing(orderID: permanent)
                    == .givenUp(reason: "permanent: cannot be priced: no volume"))

            let (flaky, _) = try await submittedOrder(api)
            let flakyJob = try #require(try await harness.store.reader.latestJob(subject: flaky, kind: PricingJob.kind))
            for round in 0..<4 {
                try await harness.store.write { tx in try await tx.deadLetterJob(id: flakyJob.id, error: "workers were down", at: Date()) }
                let outcome = try await harness.useCases.watchdog.redrivePricing(orderID: flaky)
                #expect(
                    outcome == (round < WatchdogService.maxRedrives ? .redriven : .givenUp(reason: "workers were down")), "round \(round)")
            }
            let report = try await harness.useCases.watchdog.scan()
            #expect(report.redriven.isEmpty)
        }
    }

    @Test("a pricing job that died is re-driven by the watchdog, and the order gets its price")
    func redrivesDeadPricing() async throws {
        let harness = try await Harness.make { $0.stallPolicy.budgets[.submitted] = 0 }
        try await harness.test { api in
            let (id, _) = try await submittedOrder(api)
            // The pricing job dies (as after a long outage of the workers).
            let job = try #require(try await harness.store.reader.latestJob(subject: id, kind: PricingJob.kind))
            try await harness.store.write { tx in try await tx.deadLetterJob(id: job.id, error: "workers were down", at: Date()) }

            let report = try await harness.useCases.watchdog.scan()

            #expect(report.redriven == [id])
            #expect(report.stalled[.submitted] == 1)
            #expect(try await harness.pricingWorker.runDueJobs() == 1)
            #expect(try await harness.store.reader.order(id: id)?.status == .priceCalculated)
            #expect(try await harness.useCases.watchdog.scan().redriven.isEmpty, "a priced order is not stalled")
        }
    }

    @Test("a pricing job still waiting for its retry is left alone; a missing one is enqueued")
    func redriveOnlyWhatNeedsIt() async throws {
        let harness = try await Harness.make { $0.stallPolicy.budgets[.submitted] = 0 }
        try await harness.test { api in
            let (id, _) = try await submittedOrder(api)
            #expect(try await harness.useCases.watchdog.redrivePricing(orderID: id) == .waiting, "its job is ready")
            let job = try #require(try await harness.store.reader.latestJob(subject: id, kind: PricingJob.kind))
            try await harness.store.write { tx in
                _ = try await tx.claimJobs(queues: ["pricing"], worker: "w", limit: 1, now: Date(), leaseUntil: Date())
                try await tx.completeJob(id: job.id, worker: "w", at: Date())
            }
            #expect(try await harness.useCases.watchdog.redrivePricing(orderID: id) == .redriven, "done without pricing: enqueue again")
            #expect(try await harness.pricingWorker.runDueJobs() == 1)
            #expect(try await harness.store.reader.order(id: id)?.status == .priceCalculated)
        }
    }

    @Test("orders waiting for people are on the stalled board with who must act; customers see the promised date")
    func stalledBoard() async throws {
        let harness = try await Harness.make {
            $0.stallPolicy.budgets[.priceCalculated] = 0
            $0.stallPolicy.promise = 21 * 86_400
        }
        try await harness.test { api in
            let (id, customer) = try await submittedOrder(api)
            try await harness.pricingWorker.runDueJobs()
            let seller = try await api.signIn("seller@atelier.test")

            let board = try await api.call(.get, "/api/crm/stalled", token: seller)

            #expect(board.status == .ok)
            let view = try board.decode(StalledBoardView.self)
            let stalled = try #require(view.orders.first)
            #expect(stalled.order.id == id)
            #expect(stalled.responsible == "seller")
            #expect(stalled.overdueSeconds >= 0)
            #expect(view.counts["PRICE_CALCULATED"] == 1)
            #expect(try await api.call(.get, "/api/crm/stalled", token: customer).status == .forbidden)

            let order = try await api.call(.get, "/api/shop/orders/\(id)", token: customer).decode(OrderDetailsView.self).order
            let promised = try #require(order.promisedBy)
            let submitted = try #require(try await harness.store.reader.history(orderID: id).first { $0.to == .submitted }?.at)
            #expect(abs(promised.timeIntervalSince(submitted) - 21 * 86_400) < 1)

            #expect(try await api.call(.post, "/api/crm/orders/\(id)/approve", token: seller).status == .ok)
            let after = try await api.call(.get, "/api/crm/stalled", token: seller)
            #expect(try after.decode(StalledBoardView.self).orders.isEmpty)
        }
    }

    @Test("a shop order is promised the configured number of days, not the default")
    func configuredPromise() async throws {
        let harness = try await Harness.make { $0.stallPolicy.promise = 9 * 86_400 }
        try await harness.test { api in
            let (id, customer) = try await submittedOrder(api)
            let order = try await api.call(.get, "/api/shop/orders/\(id)", token: customer).decode(OrderDetailsView.self).order
            let promised = try #require(order.promisedBy)
            let submitted = try #require(try await harness.store.reader.history(orderID: id).first { $0.to == .submitted }?.at)
            #expect(abs(promised.timeIntervalSince(submitted) - 9 * 86_400) < 1, "promised \(promised), submitted \(submitted)")
        }
    }

    @Test("metrics are served on the ops listener only, with requests, orders, queue and stalls")
    func metrics() async throws {
        _ = testMetrics  // bootstrap before anything is recorded
        let harness = try await Harness.make { $0.stallPolicy.budgets[.submitted] = 0 }
        try await harness.test { api in
            _ = try await submittedOrder(api)
            try await harness.useCases.watchdog.scan()
            #expect(try await api.call(.get, "/metrics").status == .notFound, "no metrics on the API listener")
        }
        let ops = buildOpsApplication(
            health: harness.useCases.health, metricsText: { testMetrics.emitToBuffer() }, host: "127.0.0.1", port: 0,
            logger: Logger(label: "test"))
        try await ops.test(.router) { client in
            let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(
                text.contains(
                    #"atelier_http_requests_total{surface="shop",route="/api/shop/orders",method="POST",version="0.0.0-dev",status="201"}"#)
            )
            #expect(text.contains("atelier_http_request_duration_seconds_bucket"))
            #expect(text.contains(#"atelier_orders{status="SUBMITTED"}"#))
            #expect(text.contains(#"atelier_orders_stalled{status="SUBMITTED",responsible="machine"}"#))
            #expect(text.contains(#"atelier_queue_jobs{queue="pricing",state="ready"}"#))
            #expect(text.contains("atelier_queue_oldest_age_seconds"))
            #expect(text.contains(#"atelier_order_status_duration_seconds_bucket{status="FILE_UPLOADED""#))
            #expect(text.contains("atelier_model_analysis_duration_seconds") || text.contains("atelier_orders_past_promise"))
        }
    }
}
