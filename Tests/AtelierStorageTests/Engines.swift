import AtelierDomain
import AtelierStorage
import Foundation
import Synchronization

/// The storage engines every conformance test runs on.
enum Engine: String, CaseIterable, CustomStringConvertible {
    case sqlite
    var description: String { rawValue }

    /// A fresh, migrated, empty database.
    func makeStore() async throws -> any Store {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let store = try SQLiteStore(path: folder.appendingPathComponent("test.sqlite").path)
            try await store.migrate()
            return store
        }
    }
}

/// A clock the test moves by hand.
final class TestClock: TimeSource, Sendable {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }
    func now() -> Date { current.withLock { $0 } }
    func advance(seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

let customer = Principal(userID: "u-customer", role: .customer, name: "Clara")

func insertCustomer(_ store: any Store) async throws {
    try await store.write { tx in
        try await tx.insert(
            user: UserAccount(
                id: customer.userID, email: "clara@example.com", name: "Clara Customer", role: .customer,
                passwordHash: "x", createdAt: Date(timeIntervalSince1970: 1_800_000_000)))
    }
}

/// Inserts `count` orders one millisecond apart, ids `o-0000`…
@discardableResult
func insertOrders(_ store: any Store, count: Int, status: OrderStatus = .initiated) async throws -> [Order] {
    try await store.write { tx in
        var orders: [Order] = []
        for i in 0..<count {
            var order = Order(
                id: String(format: "o-%04d", i), customerID: customer.userID, materialCode: "gold-585", finishCodes: ["polish"],
                createdAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(i) / 1000))
            order.status = status
            try await tx.insert(order: order)
            orders.append(order)
        }
        return orders
    }
}
