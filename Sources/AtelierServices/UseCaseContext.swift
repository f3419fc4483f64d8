import AtelierDomain
import AtelierStorage
import Crypto
import Foundation
import Logging

/// What every use case needs: the store, the clock, the settings and a logger.
public struct UseCaseContext: Sendable {
    public var store: any Store
    public var time: any TimeSource
    public var configuration: AtelierConfiguration
    public var logger: Logger
    /// Makes new identifiers (orders, users).
    public var newID: @Sendable () -> String
    /// Threads for CPU-heavy work on models: analysis, previews, thumbnails.
    public var compute: ComputePool
    /// Threads for bcrypt, apart from the models', so a flood of sign-ins cannot hold up uploads
    /// and a flood of uploads cannot hold up sign-ins.
    public var passwords: ComputePool

    public init(
        store: any Store, time: any TimeSource = SystemTime(), configuration: AtelierConfiguration, logger: Logger,
        compute: ComputePool = .shared, passwords: ComputePool = .passwords,
        newID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }
    ) {
        self.compute = compute
        self.passwords = passwords
        self.store = store
        self.time = time
        self.configuration = configuration
        self.logger = logger
        self.newID = newID
    }
}

extension UseCaseContext {
    /// Refuses a new order, or a model of `addingModelBytes` bytes, past what one customer may hold.
    func checkHoldings(of customer: Principal, newOrder: Bool, addingModelBytes: Int = 0) async throws {
        let limits = configuration.holdingLimits
        let partner = customer.role == .partner
        let (open, bytes) = try await store.reader.holdings(customerID: customer.userID)
        let maxOpen = partner ? limits.partnerOpenOrders : limits.openOrders
        if newOrder, open >= maxOpen {
            throw DomainError.invalid(
                "You have \(open) open orders, the most one account may have at once; wait until some are delivered or cancel some.")
        }
        let maxBytes = partner ? limits.modelBytes * limits.partnerModelFactor : limits.modelBytes
        if addingModelBytes > 0, bytes + Int64(addingModelBytes) > maxBytes {
            throw DomainError.invalid(
                "Your models take \(bytes) bytes; this one (\(addingModelBytes) bytes) would pass the \(maxBytes) bytes one account may store."
            )
        }
    }
}

/// SHA-256 as lowercase hex.
public func sha256Hex<D: DataProtocol>(_ data: D) -> String {
    hex(SHA256.hash(data: data))
}

/// Bytes as lowercase hex (runs on every authenticated request: no formatting machinery).
public func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var characters: [UInt8] = []
    characters.reserveCapacity(64)
    for byte in bytes {
        characters.append(digits[Int(byte >> 4)])
        characters.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: characters, as: UTF8.self)
}

/// A random token of `bytes` bytes, URL-safe base64.
public func randomToken(bytes: Int = 32) -> String {
    var generator = SystemRandomNumberGenerator()
    let raw = (0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return Data(raw).base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// Compares two secrets in time independent of where they differ.
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<x.count { difference |= x[i] ^ y[i] }
    return difference == 0
}
