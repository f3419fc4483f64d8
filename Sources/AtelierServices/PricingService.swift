import AtelierDomain
import AtelierJobs
import AtelierStorage
import Foundation
import Logging
import Metrics
import Tracing

/// The job that prices a submitted order.
public struct PricingJob: JobPayload, Hashable {
    public static let kind = "pricing.quote-order"
    public static let queue = "pricing"
    public var orderID: String
    public var subject: String? { orderID }

    public init(orderID: String) { self.orderID = orderID }
}

/// Prices submitted orders: the worker of the `pricing` role.
public struct PricingService: Sendable {
    let context: UseCaseContext

    public init(context: UseCaseContext) { self.context = context }

    /// The handler the job runner calls.
    public var handler: any JobHandler {
        // The walls are measured first, outside any transaction (a second for a large model); the
        // quote with that report, the order's move and the job's end then commit together.
        TypedJobHandler(
            PricingJob.self, prepare: { payload in await measure(orderID: payload.orderID) },
            inTransaction: { payload, measured, tx in try await price(orderID: payload.orderID, measured: measured, in: tx) })
    }

    /// Measures the walls of the order's model, then quotes the order and moves it to
    /// `PRICE_CALCULATED` in one transaction. Idempotent: an order that is no longer `SUBMITTED`
    /// is left as it is.
    @discardableResult
    public func price(orderID: String) async throws -> Quote? {
        let measured = await measure(orderID: orderID)
        return try await context.store.write { tx in try await price(orderID: orderID, measured: measured, in: tx) }
    }

    /// What the casting check found for one model in one material.
    struct Measured: Sendable {
        var modelHash: String
        var materialCode: String
        /// Nil when the rules have no rule for the material.
        var report: CastingReport?
    }

    /// The casting check of a submitted order's model: its thickness measured against the newest
    /// casting rules on the compute pool, within the model's time budget. Nil when there is nothing to
    /// measure, or it could not be measured (the reason is logged; the order then waits for a seller).
    func measure(orderID: String) async -> Measured? {
        do {
            guard let order = try await context.store.reader.order(id: orderID), order.status == .submitted,
                let hash = order.modelHash, let model = try await context.store.reader.model(hash: hash)
            else { return nil }
            let (material, filename) = (order.materialCode, model.filename)
            let rules = try await context.store.reader.castingRules()
            let report = try await withSpan("pricing.casting-check") { span in
                span.attributes["order.id"] = orderID
                return try await context.withStoredTriangles(hash: hash, filename: filename) { soup, deadline in
                    try CastingCheck.check(soup, materialCode: material, rules: rules, deadline: deadline).1
                }
            }
            return Measured(modelHash: hash, materialCode: material, report: report)
        } catch {
            context.logger.warning(
                "the walls of an order's model could not be measured", metadata: ["order.id": "\(orderID)", "error": "\(error)"])
            return nil
        }
    }

    /// ``price(orderID:)`` in the transaction `tx`, with the casting check `measured` made before it.
    @discardableResult
    func price(orderID: String, measured: Measured?, in tx: any StoreTransaction) async throws -> Quote? {
        try await withSpan("pricing.quote") { span in
            span.attributes["order.id"] = orderID
            let started = ContinuousClock.now
            let (quote, triangles) = try await quoteAndRecord(orderID: orderID, measured: measured, in: tx, span: span)
            if let triangles {
                span.attributes["model.triangles"] = triangles
                Metrics.Timer(
                    label: "atelier_pricing_duration_seconds", dimensions: [("size", sizeClass(triangles: triangles))],
                    preferredDisplayUnit: .seconds
                ).record(duration: ContinuousClock.now - started)
            }
            return quote
        }
    }

    /// In `tx`: the quote, the order's new status and its history.
    /// The rules version is the `pricing-rules-v2` flag's answer for whoever ordered, asked once
    /// here: the quote records it, and a stored quote is never made again by another version.
    private func quoteAndRecord(
        orderID: String, measured: Measured?, in tx: any StoreTransaction, span: any Span
    ) async throws -> (Quote?, Int?) {
        let now = context.time.now()
        guard var order = try await tx.order(id: orderID) else {
            throw PermanentJobError("order \(orderID) does not exist")
        }
        guard order.status == .submitted else { return (nil, nil) }
        guard let hash = order.modelHash, let model = try await tx.model(hash: hash) else {
            throw PermanentJobError("order \(orderID) has no stored model")
        }
        let priceList = try await tx.priceList()
        let owner = FlagContext.owner(of: order)
        let rules = PricingRules(v2: context.flags.details(.pricingRulesV2, owner, defaultValue: false, on: span).value)
        span.attributes["pricing.rules"] = rules.rawValue
        let key = Self.cacheKey(
            modelHash: hash, material: order.materialCode, finishes: order.finishCodes, priceListVersion: priceList.version, rules: rules)
        var quote: Quote
        if let cached = try await tx.cachedQuote(key: key) {
            quote = cached
        } else {
            do {
                quote = try QuoteCalculator.quote(
                    metrics: model.metrics, materialCode: order.materialCode, finishCodes: order.finishCodes, priceList: priceList,
                    rules: rules)
            } catch let error as DomainError {
                // The model or the price list cannot be priced (no volume, a material no
                // longer offered, an amount out of range): retrying changes nothing.
                throw PermanentJobError("order \(orderID) cannot be priced: \(error.description)")
            }
            try await tx.cache(quote: quote, key: key, at: now)
        }
        // The casting check, if it was made for this model in this material, is stored with the quote.
        let check = measured.flatMap { $0.modelHash == hash && $0.materialCode == order.materialCode ? $0 : nil }
        quote.casting = check?.report
        span.attributes["casting.castable"] = check?.report.map { $0.castable ? "yes" : "no" } ?? "unknown"
        // A partner's policy may approve the order at once, in the same transaction. Never one
        // that breaks a casting rule, or whose walls could not be measured: a seller decides.
        // The `partner-auto-approval` kill switch sends every partner's order to a seller.
        let castable = check.map { $0.report?.castable ?? true } ?? false
        let policy =
            order.channel == .partner && castable && context.flags.details(.partnerAutoApproval, owner, defaultValue: true, on: span).value
            ? try await tx.partner(id: order.customerID)?.autoApproval ?? .off : .off
        try await tx.change(&order, by: .pricing, pricingAttempts: context.configuration.jobMaxAttempts) { order in
            [try order.recordPrice(total: quote.total, by: .pricing, at: now)]
                + (try order.autoApprove(total: quote.total, policy: policy, at: now))
        }
        try await tx.insert(quote: quote, orderID: orderID, at: now)
        return (quote, model.metrics.triangles)
    }

    /// Identical (model, material, finishes, price-list version, rules) give identical quotes. The
    /// first rules' keys are as they were before there were two, so their cached quotes still serve.
    static func cacheKey(modelHash: String, material: String, finishes: [String], priceListVersion: Int, rules: PricingRules) -> String {
        let suffix = rules == .v1 ? "" : "|rules-\(rules.rawValue)"
        return sha256Hex(Data("\(modelHash)|\(material)|\(finishes.joined(separator: ","))|\(priceListVersion)\(suffix)".utf8))
    }
}
