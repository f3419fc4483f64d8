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
