import AtelierDomain
import Foundation
import Synchronization

/// Who a session token belongs to, remembered for a second: every authenticated request looked its
/// session up in the database, a query as costly as the rest of an order read. An entry lives at
/// most ``lifetime`` (by the use cases' clock); whatever ends or changes sessions on this instance
/// (sign-out, sign-out everywhere, a password change, a disabled account, a new role) drops the
/// entries it touches at once. Another instance's change reaches this one within ``lifetime``: a
/// signed-out token can serve there for at most a second more (docs/security.md).
final class SessionCache: Sendable {
    struct Entry {
        var principal: Principal
        var lastSeen: Date
        var cachedAt: Date
    }

    let lifetime: TimeInterval
    let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(lifetime: TimeInterval = 1, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The entry of `tokenHash` when it is younger than ``lifetime`` at `now`.
    func get(_ tokenHash: String, at now: Date) -> Entry? {
        entries.withLock { entries in
            guard let entry = entries[tokenHash] else { return nil }
            guard now.timeIntervalSince(entry.cachedAt) < lifetime, entry.cachedAt <= now else {
                entries[tokenHash] = nil
                return nil
            }
            return entry
        }
    }

    func put(_ tokenHash: String, _ entry: Entry) {
        guard lifetime > 0 else { return }
        entries.withLock { entries in
            // Bounded: past the capacity the whole map starts again (entries live a second anyway).
            if entries.count >= capacity, entries[tokenHash] == nil { entries.removeAll(keepingCapacity: true) }
            entries[tokenHash] = entry
        }
    }

    func forget(tokenHash: String) {
        _ = entries.withLock { $0.removeValue(forKey: tokenHash) }
    }

    func forget(userID: String) {
        entries.withLock { entries in entries = entries.filter { $0.value.principal.userID != userID } }
    }
}
