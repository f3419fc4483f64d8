import AtelierDomain
import AtelierText
import Foundation
import Testing

@Suite("Partner orders and auto-approval")
struct AutoApprovalTests {
    static let gemShop = Principal(userID: "p1", role: .partner, name: "Gem Shop")

    static func pricedPartnerOrder(total: Int64) throws -> Order {
        var (order, _) = try Order.start(
            id: "o-9", customer: gemShop, materialCode: "gold-585", finishCodes: [], reference: "PO-9", traceContext: nil, at: t0)
        _ = try order.attachModel(hash: "abc", filename: "ring.stl", by: gemShop, at: t0)
        _ = try order.submit(by: gemShop, at: t0, promise: 86_400)
        _ = try order.recordPrice(total: Money(minorUnits: total, currency: "EUR"), by: .pricing, at: t0)
        return order
    }

    @Test("a partner's order is marked as such and keeps the partner's reference")
    func partnerOrder() throws {
        let order = try Self.pricedPartnerOrder(total: 100)
        #expect(order.channel == .partner)
        #expect(order.reference == "PO-9")
        #expect(order.customerID == "p1")
    }

    @Test("within the limit the policy approves at once; above it, or without a limit, the order waits for a seller")
    func limit() throws {
        let policy = AutoApprovalPolicy(limit: Money(minorUnits: 50_000, currency: "EUR"))
        var within = try Self.pricedPartnerOrder(total: 50_000)
        let entries = try within.autoApprove(total: Money(minorUnits: 50_000, currency: "EUR"), policy: policy, at: t0)
        #expect(within.status == .manufacturingApproved)
        #expect(entries.first?.actorID == "system:auto-approval")
        #expect(entries.first?.note?.contains("500.00 EUR") == true)

        var above = try Self.pricedPartnerOrder(total: 50_001)
        #expect(try above.autoApprove(total: Money(minorUnits: 50_001, currency: "EUR"), policy: policy, at: t0).isEmpty)
        #expect(above.status == .priceCalculated)

        var off = try Self.pricedPartnerOrder(total: 1)
        #expect(try off.autoApprove(total: Money(minorUnits: 1, currency: "EUR"), policy: .off, at: t0).isEmpty)

        var otherCurrency = try Self.pricedPartnerOrder(total: 1)
        #expect(try otherCurrency.autoApprove(total: Money(minorUnits: 1, currency: "USD"), policy: policy, at: t0).isEmpty)
    }

    @Test("a shop order is never approved by a policy, and the system cannot approve by hand")
    func shopOrders() throws {
        var shop = try order(in: .priceCalculated)
        let policy = AutoApprovalPolicy(limit: Money(minorUnits: 1_000_000, currency: "EUR"))
        #expect(try shop.autoApprove(total: Money(minorUnits: 100, currency: "EUR"), policy: policy, at: t0).isEmpty)
        #expect(shop.status == .priceCalculated)
        #expect(throws: DomainError.self) { _ = try shop.approve(by: .autoApproval, at: t0) }
    }

    @Test("a partner cannot act on another partner's order")
    func otherPartner() throws {
        var order = try Self.pricedPartnerOrder(total: 100)
        let other = Principal(userID: "p2", role: .partner, name: "Other")
        #expect(throws: DomainError.notYours(orderID: "o-9", reason: "it belongs to another customer.")) {
            _ = try order.cancel(reason: "not mine", by: other, at: t0)
        }
    }
}
