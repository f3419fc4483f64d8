import AtelierTelemetry
import Foundation
import Synchronization

/// Token buckets, one per API key: each holds up to `burst` requests and refills at the partner's
/// rate. Kept in this instance's memory: behind a load balancer that spreads a key over N partner
/// instances, a key gets at most N times its rate (docs/partner-api.md).
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// What the bucket says about one request.
    struct Decision {
        var allowed: Bool
        var limit: Int
        var remaining: Int
        /// Seconds until the bucket is full again.
        var resetSeconds: Int
        /// Seconds until one request is allowed (when refused).
        var retryAfterSeconds: Int
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    func take(key: String, burst: Int, perMinute: Int, now: ContinuousClock.Instant = .now) -> Decision {
        let rate = Double(perMinute) / 60  // tokens per second
        let capacity = Double(burst)
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = max(0, (now - bucket.updated).seconds)
            bucket.tokens = min(capacity, bucket.tokens + elapsed * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[key] = bucket
            let reset = Int(((capacity - bucket.tokens) / rate).rounded(.up))
            let retry = allowed ? 0 : max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
            return Decision(allowed: allowed, limit: burst, remaining: Int(bucket.tokens), resetSeconds: reset, retryAfterSeconds: retry)
        }
    }
}
