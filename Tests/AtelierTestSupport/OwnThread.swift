import Foundation

/// Runs blocking work (a socket read that waits for a server, say) on a thread of its own and
/// awaits its result.
///
/// Never block a thread of Swift's cooperative pool in a test: it has one thread per core, so two
/// blocked tests on a two-core machine stop every other test in the process, and the servers they
/// wait for, until the blocking ends. PostgreSQL then ends the transactions left idle meanwhile.
package func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}
