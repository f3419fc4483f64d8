import Foundation
import Synchronization

/// Fans "jobs were enqueued on these queues" out to the workers of this process that take jobs
/// from one of them: a worker is not woken (and does not claim in vain) for another queue's job.
final class JobSignals: Sendable {
    private struct Subscriber {
        var queues: Set<String>
        var continuation: AsyncStream<Void>.Continuation
    }
    private let subscribers = Mutex<[UUID: Subscriber]>([:])

    func subscribe(queues: Set<String>) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        subscribers.withLock { $0[id] = Subscriber(queues: queues, continuation: continuation) }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    /// Wakes the subscribers of `queues`; `nil` wakes every subscriber (after a gap in which
    /// signals may have been missed).
    func signal(queues: Set<String>?) {
        let woken = subscribers.withLock { subscribers in
            subscribers.values.filter { subscriber in queues.map { !$0.isDisjoint(with: subscriber.queues) } ?? true }
                .map(\.continuation)
        }
        for continuation in woken { continuation.yield() }
    }
}

/// The queues one transaction enqueued jobs on.
final class EnqueuedQueues: Sendable {
    private let queues = Mutex<Set<String>>([])
    func insert(_ queue: String) { _ = queues.withLock { $0.insert(queue) } }
    var all: Set<String> { queues.withLock { $0 } }
}
