import AtelierStorage

/// What a surface needs to know of a failure of the database, without knowing the database:
/// the kind of answer it calls for. The database's own words stay in the error, for the log.
public enum StoreFailure: Sendable, Equatable {
    /// A uniqueness rule was hit by a change made at the same moment.
    case conflict
    /// Another request holds what this one needs, or a statement ran past its limit: retry shortly.
    case busy
    /// The database cannot be reached, or asked for the work to be done again.
    case unavailable
    /// Anything else the database reported.
    case failed
    /// The model store cannot be reached, or refuses this instance: nothing was recorded; retry later.
    case modelsUnavailable

    /// The kind of `error`, or nil when it is not the database's.
    public init?(_ error: any Error) {
        if error is ModelStoreError {
            self = .modelsUnavailable
            return
        }
        guard let error = error as? StorageError else { return nil }
        switch error {
        case .conflict: self = .conflict
        case .busy: self = .busy
        case .unavailable, .retry, .refused: self = .unavailable
        case .failed: self = .failed
        }
    }
}

/// The database statements a piece of work sends (on PostgreSQL, its round trips), for a surface
/// to report per request without knowing the database.
public enum DatabaseRoundTrips {
    /// What `body` returns, and the statements it sent meanwhile.
    public static func counting<T>(_ body: () async throws -> T) async rethrows -> (T, Int) {
        let calls = DatabaseCalls()
        let result = try await DatabaseCalls.$current.withValue(calls) { try await body() }
        return (result, calls.value)
    }
}
