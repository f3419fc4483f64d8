import AtelierDomain
import AtelierStorage
import AtelierText
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
    /// Sessions looked up in the last second (``SessionCache``).
    let sessions: SessionCache
    /// The feature flags as this instance last read them: every use case asks them here.
    public let flags: FeatureFlags
    /// Whether this instance is draining (a graceful shutdown has begun).
    public let lifecycle = InstanceLifecycle()
    /// Where model files are kept, by their hash (the database refers to them).
    public let models: any ModelStore
    /// Where uploads are written as they arrive, before they are analysed and stored.
    public let uploads: ModelUploads
    /// The memory work on models may hold at once (`ATELIER_ANALYSIS_MEMORY_MB`).
    public let analysisMemory: MemoryBudget

    public init(
        store: any Store, time: any TimeSource = SystemTime(), configuration: AtelierConfiguration, logger: Logger,
        compute: ComputePool = .shared, passwords: ComputePool = .passwords, models: (any ModelStore)? = nil,
        newID: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }
    ) {
        self.models = models ?? FileModelStore(uncheckedRoot: configuration.modelFolder)
        uploads = ModelUploads(folder: configuration.uploadsFolder)
        analysisMemory = MemoryBudget(capacity: configuration.analysisMemoryMB << 20)
        self.compute = compute
        self.passwords = passwords
        self.store = store
        self.time = time
        self.configuration = configuration
        self.logger = logger
        self.newID = newID
        sessions = SessionCache(lifetime: configuration.sessionCacheSeconds)
        flags = FeatureFlags(store: store)
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
