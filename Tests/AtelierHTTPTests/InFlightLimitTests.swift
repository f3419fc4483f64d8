import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import AtelierHTTP

/// Lets a test hold a request inside its handler.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>], arrived: Int)>((false, [], 0))

    func pass() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                state.arrived += 1
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    var arrived: Int { state.withLock { $0.arrived } }

    func open() {
        for waiter in state.withLock({ state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }) { waiter.resume() }
    }
}

@Suite("Backpressure")
struct InFlightLimitTests {
    @Test("past its limit of requests at once, an instance answers 503 with Retry-After at once, and recovers")
    func saturated() async throws {
        let gate = Gate()
        let router = Router(context: AtelierRequestContext.self)
        router.add(middleware: InFlightLimitMiddleware(limit: 2))
        router.get("slow") { _, _ -> String in
            await gate.pass()
            return "done"
        }
        try await Application(router: router).test(.router) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<2 { group.addTask { try await client.execute(uri: "/slow", method: .get) { $0.status } } }
                while gate.arrived < 2 { try await Task.sleep(for: .milliseconds(5)) }

                let started = ContinuousClock.now
                let refused = try await client.execute(uri: "/slow", method: .get) { $0 }
                #expect(refused.status == .serviceUnavailable)
                #expect(refused.headers[.retryAfter] == "1")
                // Answered while the two are still held: it did not wait for a place. The bound only
                // tells a refusal from a wait for a queue's timeout, so it is generous (a loaded CI
                // machine took 1.3 s once).
                #expect(ContinuousClock.now - started < .seconds(5))

                gate.open()
                for try await status in group { #expect(status == .ok) }
            }
            #expect(try await client.execute(uri: "/slow", method: .get) { $0.status } == .ok)
        }
    }
}
