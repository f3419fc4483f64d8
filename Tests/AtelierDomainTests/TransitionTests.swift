import AtelierDomain
import AtelierText
import Foundation
import Testing

/// People of each role, acting on orders of `customer`.
enum People {
    static let customer = Principal(userID: "c1", role: .customer, name: "Clara")
    static let otherCustomer = Principal(userID: "c2", role: .customer, name: "Carl")
    static let seller = Principal(userID: "s1", role: .seller, name: "Sam")
    static let operatorOlga = Principal(userID: "o1", role: .operator, name: "Olga")
    static let operatorOtto = Principal(userID: "o2", role: .operator, name: "Otto")
    static let admin = Principal(userID: "a1", role: .admin, name: "Ada")
    /// A partner acting on its own order (the orders of these tests belong to user c1).
    static let partner = Principal(userID: "c1", role: .partner, name: "Gem Shop")

    static func acting(as role: Role) -> Principal {
        switch role {
        case .customer: customer
        case .seller: seller
        case .operator: operatorOlga
        case .admin: admin
        case .carrier: .carrier
        case .system: .pricing
        case .partner: partner
        }
    }
}

let t0 = Date(timeIntervalSince1970: 1_800_000_000)

/// An order of `People.customer` brought to `status` along the normal path (Olga took it).
func order(in status: OrderStatus) throws -> Order {
    var (order, _) = try Order.start(
        id: "o-1", customer: People.customer, materialCode: "gold-585", finishCodes: [], traceContext: nil, at: t0)
    if status == .initiated { return order }
    if status == .cancelled {
        _ = try order.cancel(reason: "changed my mind", by: People.customer, at: t0)
        return order
    }
    let path: [(inout Order) throws -> HistoryEntry] = [
        { try $0.attachModel(hash: "abc", filename: "ring.stl", by: People.customer, at: t0)[0] },
        { try $0.submit(by: People.customer, at: t0, promise: 86_400) },
        { try $0.recordPrice(total: Money(minorUnits: 10_000, currency: "EUR"), by: .pricing, at: t0) },
        { try $0.approve(by: People.seller, at: t0) },
        { try $0.take(by: People.operatorOlga, at: t0) },
        { try $0.complete(by: People.operatorOlga, at: t0) },
        { try $0.package(by: People.operatorOlga, at: t0) },
        { try $0.ship(trackingNumber: "TRK-1", by: People.operatorOlga, at: t0) },
        { try $0.close(by: .carrier, at: t0) },
    ]
    for step in path where order.status != status {
        _ = try step(&order)
    }
    return order
}

@Suite("Order transitions")
struct TransitionTests {
    static let allowed: [(OrderLifecycle.Move, Role)] = OrderLifecycle.moves.flatMap { move in
        move.roles.sorted(by: { $0.rawValue < $1.rawValue }).map { (move, $0) }
    }

    @Test("every allowed move works for each of its roles and writes one history row", arguments: allowed)
    func allowedMove(move: OrderLifecycle.Move, role: Role) throws {
        var order = try order(in: move.from)
        let actor = People.acting(as: role)
        let later = t0.addingTimeInterval(60)

        let entry = try order.transition(to: move.to, by: actor, at: later, note: "test")

        #expect(order.status == move.to)
        #expect(order.updatedAt == later)
        #expect(entry.from == move.from)
        #expect(entry.to == move.to)
        #expect(entry.actorID == actor.userID)
        #expect(entry.actorRole == role)
        #expect(entry.at == later)
    }

    static let forbidden: [(OrderStatus, OrderStatus, Role)] = OrderStatus.allCases.flatMap { from in
        OrderStatus.allCases.flatMap { to in
            Role.allCases.compactMap { role in
                OrderLifecycle.roles(from: from, to: to).contains(role) ? nil : (from, to, role)
            }
        }
    }

    @Test("every move outside the table is refused, naming the current status and the allowed moves")
    func forbiddenMoves() throws {
        #expect(Self.forbidden.count > 500)
        for (from, to, role) in Self.forbidden {
            var order = try order(in: from)
            let before = order
            #expect(
                throws: DomainError.illegalTransition(
                    orderID: order.id, current: from, requested: to, role: role,
                    allowed: OrderLifecycle.allowedMoves(from: from, for: role))
            ) {
                _ = try order.transition(to: to, by: People.acting(as: role), at: t0)
            }
            #expect(order == before, "a refused move must not change the order")
        }
    }

    @Test("the refusal reads well for a person")
    func refusalMessage() throws {
        var order = try order(in: .priceCalculated)
        let error = #expect(throws: DomainError.self) { _ = try order.take(by: People.operatorOlga, at: t0) }
        #expect(
            error?.description
                == "Order o-1 is PRICE_CALCULATED; a operator cannot move it to MANUFACTURING_STARTED. Allowed moves for a operator from PRICE_CALCULATED: none."
        )
        let sellerError = #expect(throws: DomainError.self) { _ = try order.complete(by: People.seller, at: t0) }
        #expect(
            sellerError?.description.contains("Allowed moves for a seller from PRICE_CALCULATED: MANUFACTURING_APPROVED, CANCELLED.")
                == true)
    }

    @Test("terminal statuses allow nothing")
    func terminal() {
        for status in [OrderStatus.closed, .cancelled] {
            #expect(OrderLifecycle.allowedMoves(from: status).isEmpty)
        }
    }

    @Test("a customer cancels only before manufacturing starts; staff until shipping")
    func cancellation() throws {
        for status in OrderStatus.allCases where !status.isTerminal {
            var asCustomer = try order(in: status)
            var asSeller = try order(in: status)
            let customerMay = status < .manufacturingStarted
            let staffMay = status < .shipped
            let customerCancelled = (try? asCustomer.cancel(reason: "no longer needed", by: People.customer, at: t0)) != nil
            let sellerCancelled = (try? asSeller.cancel(reason: "model cannot be printed", by: People.seller, at: t0)) != nil
            #expect(customerCancelled == customerMay, "\(status)")
            #expect(sellerCancelled == staffMay, "\(status)")
            if staffMay { #expect(asSeller.cancelReason == "model cannot be printed") }
        }
        var order = try order(in: .submitted)
        #expect(throws: DomainError.invalid("A reason is required to cancel an order.")) {
            _ = try order.cancel(reason: "  ", by: People.seller, at: t0)
        }
    }

    @Test("a customer cannot act on another customer's order")
    func otherCustomer() throws {
        var order = try order(in: .fileUploaded)
        #expect(throws: DomainError.notYours(orderID: "o-1", reason: "it belongs to another customer.")) {
            _ = try order.submit(by: People.otherCustomer, at: t0, promise: 86_400)
        }
    }

    @Test("the second operator to take an order is told who was faster")
    func takenTwice() throws {
        var order = try order(in: .manufacturingApproved)
        _ = try order.take(by: People.operatorOlga, at: t0)
        #expect(throws: DomainError.alreadyTaken(orderID: "o-1", by: "Olga")) {
            _ = try order.take(by: People.operatorOtto, at: t0)
        }
        #expect(order.assigneeID == "o1")
    }

    @Test("a cancelled order cannot be taken, and nobody is told it was taken")
    func takeCancelled() throws {
        var order = try order(in: .manufacturingStarted)
        _ = try order.cancel(reason: "customer withdrew", by: People.seller, at: t0)
        #expect(
            throws: DomainError.illegalTransition(
                orderID: "o-1", current: .cancelled, requested: .manufacturingStarted, role: .operator, allowed: [])
        ) {
            _ = try order.take(by: People.operatorOtto, at: t0)
        }
    }

    @Test("only the operator who took an order makes, packs and ships it")
    func onlyAssignee() throws {
        var order = try order(in: .manufacturingStarted)
        #expect(throws: DomainError.notYours(orderID: "o-1", reason: "it was taken by Olga, not by you.")) {
            _ = try order.complete(by: People.operatorOtto, at: t0)
        }
        _ = try order.complete(by: People.operatorOlga, at: t0)
        #expect(order.status == .manufacturingCompleted)
    }

    @Test("uploading the attached file again changes nothing; another file replaces it")
    func reupload() throws {
        var order = try order(in: .fileUploaded)
        #expect(try order.attachModel(hash: "abc", filename: "ring.stl", by: People.customer, at: t0).isEmpty)
        let replaced = try order.attachModel(hash: "def", filename: "ring2.stl", by: People.customer, at: t0)
        #expect(replaced.map(\.to) == [.fileUploaded])
        #expect(order.modelHash == "def")
    }

    @Test("shipping needs a tracking number; submitting needs a model")
    func requiredValues() throws {
        var packed = try order(in: .packaging)
        #expect(throws: DomainError.self) { _ = try packed.ship(trackingNumber: " ", by: People.operatorOlga, at: t0) }
        let fresh = try order(in: .initiated)
        // An order in FILE_UPLOADED without a model, as a damaged row would read back.
        var initiated = Order.restored(
            id: fresh.id, customerID: fresh.customerID, status: .fileUploaded, statusSince: t0,
            materialCode: fresh.materialCode, finishCodes: [], catalogItemID: nil, modelHash: nil, modelFilename: nil,
            assigneeID: nil, assigneeName: nil, trackingNumber: nil, cancelReason: nil, promisedBy: nil, traceContext: nil,
            channel: .shop, reference: nil, createdAt: t0, updatedAt: t0)
        #expect(throws: DomainError.invalid("Order o-1 has no model; attach one before submitting.")) {
            _ = try initiated.submit(by: People.customer, at: t0, promise: 86_400)
        }
    }
}
