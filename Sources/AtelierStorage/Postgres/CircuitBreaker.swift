import Synchronization

/// Fails database calls at once while the database is known to be away, instead of letting each
/// one wait for its timeout. Tripped by a call that timed out or could not connect, and by the
/// notification connection dropping; it closes again after a short pause (the next call tries)
/// or as soon as the notification connection is back.
final class CircuitBreaker: Sendable {
    private let openUntil = Mutex<ContinuousClock.Instant?>(nil)
    let pause: Duration

    init(pause: Duration = .seconds(1)) { self.pause = pause }

    var isOpen: Bool {
        openUntil.withLock { until in until.map { ContinuousClock.now < $0 } ?? false }
    }

    func trip() { openUntil.withLock { $0 = ContinuousClock.now + pause } }

    func reset() { openUntil.withLock { $0 = nil } }
}
