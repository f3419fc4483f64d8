import AtelierText
import Foundation
import Synchronization

/// Deliveries in flight per partner on this instance.
final class PartnerSlots: Sendable {
    private let inFlight = Mutex<[String: Int]>([:])

    func acquire(_ partner: String, limit: Int) -> Bool {
        inFlight.withLock { counts in
            guard counts[partner, default: 0] < limit else { return false }
            counts[partner, default: 0] += 1
            return true
        }
    }

    func release(_ partner: String) {
        inFlight.withLock { counts in
            counts[partner, default: 1] -= 1
            if counts[partner] == 0 { counts[partner] = nil }
        }
    }
}

/// Replays per partner in the current hour, on this instance.
final class ReplayLimiter: Sendable {
    private let state = Mutex<(hour: Int, counts: [String: Int])>((0, [:]))

    func allow(_ partner: String, perHour limit: Int, now: Date = Date()) -> Bool {
        let hour = Int(now.timeIntervalSince1970 / 3600)
        return state.withLock { state in
            if state.hour != hour { state = (hour, [:]) }
            guard state.counts[partner, default: 0] < limit else { return false }
            state.counts[partner, default: 0] += 1
            return true
        }
    }
}

/// Too many requests of one kind: 429 with Retry-After.
public struct RateLimited: Error, Sendable, CustomStringConvertible {
    public var detail: Phrase
    public var retryAfterSeconds: Int
    public var description: String { detail.description }
}

/// One circuit breaker per endpoint: after `threshold` failures in a row the endpoint gets no
/// requests for `cooldown`; then one request tries it again.
final class EndpointBreakers: Sendable {
    struct State {
        var failures = 0
        var openUntil: ContinuousClock.Instant?
    }
    private let states = Mutex<[String: State]>([:])
    let threshold: Int
    let cooldown: Duration

    init(threshold: Int, cooldown: Duration) {
        self.threshold = threshold
        self.cooldown = cooldown
    }

    /// When the circuit of `endpoint` is open, the instant it closes again.
    func openUntil(_ endpoint: String) -> ContinuousClock.Instant? {
        states.withLock { states in
            guard let until = states[endpoint]?.openUntil else { return nil }
            if until <= .now {
                states[endpoint]?.openUntil = nil  // half-open: let one attempt through
                return nil
            }
            return until
        }
    }

    func succeeded(_ endpoint: String) { states.withLock { $0[endpoint] = nil } }

    func failed(_ endpoint: String) {
        states.withLock { states in
            var state = states[endpoint] ?? State()
            state.failures += 1
            if state.failures >= threshold { state.openUntil = .now + cooldown }
            states[endpoint] = state
        }
    }
}
