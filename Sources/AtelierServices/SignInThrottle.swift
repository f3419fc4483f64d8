import AtelierText
import Foundation
import Synchronization

/// Failed sign-ins, per account and per client address, with a growing wait: the first
/// `freeFailures` cost nothing, then each failure doubles the wait before the next try (1 s, 2 s,
/// 4 s … up to `maxDelay`). A success for an account clears its count; the address keeps its own.
///
/// Kept in this instance's memory, at most `capacity` keys (the oldest quiet ones go first): behind
/// a load balancer each instance counts on its own, so an attacker gets at most one series of
/// waits per instance, still growing exponentially (docs/security.md).
public final class SignInThrottle: Sendable {
    struct Entry {
        var failures: Int
        var notBefore: Date
        var lastFailure: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    public let freeFailures: Int
    public let maxDelay: TimeInterval
    let capacity: Int

    public init(freeFailures: Int = 5, maxDelay: TimeInterval = 900, capacity: Int = 100_000) {
        self.freeFailures = freeFailures
        self.maxDelay = maxDelay
        self.capacity = capacity
    }

    /// Begins an attempt: the seconds `keys` must still wait (and nothing is counted), or nil, and
    /// then the attempt counts as a failure until ``succeeded(_:)`` says otherwise. Counting it
    /// before the password is checked means that many attempts at once are throttled as surely as
    /// many attempts one after another.
    public func begin(_ keys: [String], now: Date) -> Int? {
        entries.withLock { entries in
            let waits = keys.compactMap { entries[$0].map { $0.notBefore.timeIntervalSince(now) } }
            if let longest = waits.max(), longest > 0 { return Int(longest.rounded(.up)) }
            Self.count(keys, in: &entries, now: now, freeFailures: freeFailures, maxDelay: maxDelay, capacity: capacity)
            return nil
        }
    }

    private static func count(
        _ keys: [String], in entries: inout [String: Entry], now: Date, freeFailures: Int, maxDelay: TimeInterval, capacity: Int
    ) {
        if entries.count >= capacity { evict(&entries, now: now, keep: capacity / 2) }
        for key in keys {
            var entry = entries[key] ?? Entry(failures: 0, notBefore: now, lastFailure: now)
            entry.failures += 1
            entry.lastFailure = now
            if entry.failures >= freeFailures {
                let exponent = Double(min(entry.failures - freeFailures, 30))
                entry.notBefore = now.addingTimeInterval(min(pow(2, exponent), maxDelay))
            }
            entries[key] = entry
        }
    }

    /// The attempt of ``begin(_:now:)`` was right: the account's count is cleared, and the
    /// client's other keys lose this attempt again.
    public func succeeded(account: String, others: [String]) {
        entries.withLock { entries in
            entries[account] = nil
            for key in others {
                guard var entry = entries[key] else { continue }
                entry.failures -= 1
                if entry.failures < freeFailures { entry.notBefore = entry.lastFailure }
                entries[key] = entry.failures <= 0 ? nil : entry
            }
        }
    }

    /// Drops the keys whose wait is over, oldest failure first, down to `keep`.
    private static func evict(_ entries: inout [String: Entry], now: Date, keep: Int) {
        let quiet = entries.filter { $0.value.notBefore <= now }.sorted { $0.value.lastFailure < $1.value.lastFailure }
        for (key, _) in quiet.prefix(max(0, entries.count - keep)) { entries[key] = nil }
        if entries.count > keep {
            // Everyone is waiting: keep those who wait longest.
            let waiting = entries.sorted { $0.value.notBefore < $1.value.notBefore }
            for (key, _) in waiting.prefix(entries.count - keep) { entries[key] = nil }
        }
    }
}

/// Too many failed sign-ins: wait `retryAfterSeconds`.
public struct SignInThrottled: Error, Sendable, CustomStringConvertible {
    public var retryAfterSeconds: Int
    public var phrase: Phrase { "Too many failed sign-ins; try again in \(retryAfterSeconds) s." }
    public var description: String { phrase.description }
}
