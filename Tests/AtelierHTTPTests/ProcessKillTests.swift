import AsyncHTTPClient
import AtelierDomain
import AtelierGeometry
import AtelierStorage
import AtelierTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// A real `atelier serve` process, started from the built executable.
final class AtelierProcess: Sendable {
    let process: Process
    let port: Int
    /// Everything the process wrote to standard output and standard error.
    let output: OutputBuffer

    /// Starts `atelier ARGUMENTS` on `dataDirectory` with test settings and `environment` on top;
    /// its standard output and error are collected.
    static func launch(
        _ arguments: [String], dataDirectory: String, environment extra: [String: String]
    ) throws -> (Process, OutputBuffer) {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("atelier")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw HarnessError(
                "the atelier executable is not built next to the tests (\(binary.lastPathComponent)); run `swift build` first")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["ATELIER_DATA"] = dataDirectory
        environment["ATELIER_PORT"] = "0"
        environment["ATELIER_OPS_PORT"] = "0"
        environment["ATELIER_PARTNER_PORT"] = "0"
        environment["ATELIER_BCRYPT_COST"] = "4"
        environment["ATELIER_LOG_LEVEL"] = "warning"
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let text = OutputBuffer()
        output.fileHandleForReading.readabilityHandler = { handle in
            text.append(String(decoding: handle.availableData, as: UTF8.self))
        }
        try process.run()
        return (process, text)
    }

    /// Starts `atelier serve` with `environment` and waits until it listens.
    static func start(dataDirectory: String, environment extra: [String: String]) async throws -> AtelierProcess {
        let (process, text) = try launch(["serve"], dataDirectory: dataDirectory, environment: extra)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let printed = text.text
            if let range = printed.range(of: #"running on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                let port = Int(printed[range].split(separator: ":").last!.prefix { $0.isNumber })!
                return AtelierProcess(process: process, port: port, output: text)
            }
            guard process.isRunning else { throw HarnessError("atelier serve exited with \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw HarnessError("atelier serve did not start within 30 s")
    }

    private init(process: Process, port: Int, output: OutputBuffer) {
        self.process = process
        self.port = port
        self.output = output
    }

    var logs: String { output.text }

    /// SIGKILL: no chance to clean up.
    func kill() async {
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = await Self.exit(of: process)
    }

    /// SIGTERM and wait: the graceful path.
    func stop() async -> Int32 {
        process.terminate()
        return await Self.exit(of: process)
    }

    /// SIGTERM without waiting, for a `defer`: the process shuts down on its own.
    func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// Waits for `process` to end and returns its status, without holding a thread meanwhile
    /// (`waitUntilExit()` blocks one of the few threads every test shares). A process still running
    /// after `seconds` is a failure of the test: it is killed, and its status is then SIGKILL's.
    static func exit(of process: Process, seconds: Double = 90) async -> Int32 {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            Issue.record("\(process.arguments ?? []) did not end within \(Int(seconds)) s; killed")
            Foundation.kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
        return process.terminationStatus
    }

    /// The partner API's port, as the process printed it.
    func partnerPort() async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let printed = logs
            if let range = printed.range(of: #"partner API  http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                return Int(printed[range].split(separator: ":").last!.prefix { $0.isNumber })!
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HarnessError("atelier serve printed no partner API port")
    }

    /// One request to the process (AsyncHTTPClient: FoundationNetworking's URLSession can deadlock
    /// when a task awaiting it is cancelled, and these tests cancel their load at the end).
    func call(
        _ method: String, _ path: String, token: String? = nil, json: [String: any Sendable]? = nil, body: [UInt8]? = nil,
        headers: [String: String] = [:], port: Int? = nil
    ) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port ?? self.port)\(path)")
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let json {
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let data = Data(try await response.body.collect(upTo: 64 << 20).readableBytesView)
        return (Int(response.status.code), (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }
}

/// Text a process wrote, collected as it comes.
final class OutputBuffer: Sendable {
    private let value = Mutex("")
    func append(_ text: String) { value.withLock { $0 += text } }
    var text: String { value.withLock { $0 } }
}

@Suite("Processes", .serialized)
struct ProcessKillTests {
    @Test("`atelier partner create` on a new data folder sets up what it needs, as serve's first start would")
    func firstRunCommand() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-first-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let (process, output) = try AtelierProcess.launch(
            ["partner", "create", "--name", "First Shop", "--email", "orders@first.test", "--auto-approve-up-to", "250"],
            dataDirectory: data, environment: [:])
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0, "\(output.text)")
        #expect(output.text.contains("atk_"), "the key is printed: \(output.text)")
        #expect(!output.text.contains("unavailable"))
    }

    @Test("`atelier casting-rules` changes one alloy's rule as a new version, refuses a wrong one, and `atelier quote` checks against it")
    func castingRulesCommand() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-rules-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        func run(_ arguments: [String]) async throws -> (Int32, String) {
            let (process, output) = try AtelierProcess.launch(arguments, dataDirectory: data, environment: [:])
            let deadline = ContinuousClock.now + .seconds(60)
            while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            return (process.terminationStatus, output.text)
        }
        let (set, said) = try await run(["casting-rules", "set", "gold-585", "--wall", "1.1", "--detail", "0.6", "--polishing", "0.1"])
        #expect(set == 0, "\(said)")
        #expect(said.contains("Casting rules version 2: gold-585 needs walls of 1.3 mm"), "\(said)")
        let (unknown, refusal) = try await run(["casting-rules", "set", "tin-999", "--wall", "1", "--detail", "0.6", "--polishing", "0.1"])
        #expect(unknown != 0)
        #expect(refusal.contains("There is no material 'tin-999' in the price list"), "\(refusal)")
        let (wrong, range) = try await run(["casting-rules", "set", "gold-585", "--wall", "0.5", "--detail", "0.8", "--polishing", "0.1"])
        #expect(wrong != 0 && range.contains("out of range"), "\(range)")
        let (shown, json) = try await run(["casting-rules", "show"])
        #expect(shown == 0)
        let rules = try JSONDecoder().decode(CastingRules.self, from: Data(json.utf8))
        #expect(rules.version == 2 && rules.rule(for: "gold-585")?.minimumWallMM == 1.1)

        let ring = data + "/band.stl"
        try Data(
            MeshWriter.binarySTL(
                MeshGenerator.lathe([[8.5, -1.5], [9.7, -1.5], [9.7, 1.5], [8.5, 1.5]], segments: 96, closed: true).soup)
        ).write(to: URL(fileURLWithPath: ring))
        let (quoted, quote) = try await run(["quote", ring, "--material", "gold-585", "--json"])
        #expect(quoted == 0, "\(quote)")
        let casting = try #require(try JSONSerialization.jsonObject(with: Data(quote.utf8)) as? [String: Any])["casting"] as? [String: Any]
        #expect(casting?["rulesVersion"] as? Int == 2, "the data folder's rules, not the standard ones")
        #expect(casting?["castable"] as? Bool == false, "a 1.2 mm band where gold now needs 1.3 mm")
    }

    @Test("killing the worker process mid-job: after restart the job is claimed again after its lease and done once")
    func killMidJob() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-kill-\(UUID().uuidString)").path
        let first = try await AtelierProcess.start(
            dataDirectory: data, environment: ["ATELIER_JOB_LEASE_SECONDS": "2", "ATELIER_DRILL_JOB_DELAY_MS": "600000"])
        let id = try await submittedOrder(on: first)

        let store = try SQLiteStore(path: data + "/atelier.sqlite")
        let running = try await waitFor(seconds: 20) {
            try await store.reader.jobs(state: .running, page: PageRequest()).items.first
        }
        #expect(running.attempts == 1)
        await first.kill()
        #expect(try await store.reader.order(id: id)?.status == .submitted, "the killed worker priced nothing")

        let second = try await AtelierProcess.start(dataDirectory: data, environment: ["ATELIER_JOB_LEASE_SECONDS": "2"])
        let priced = try await waitFor(seconds: 30) {
            try await store.reader.order(id: id).flatMap { $0.status == .priceCalculated ? $0 : nil }
        }
        try await Task.sleep(for: .milliseconds(500))

        #expect(priced.status == .priceCalculated)
        #expect(try await store.reader.quote(orderID: id) != nil)
        #expect(try await store.reader.history(orderID: id).filter { $0.to == .priceCalculated }.count == 1)
        let job = try #require(try await store.reader.job(id: running.id))
        #expect(job.state == .done)
        #expect(job.attempts == 2)
        #expect(try await store.reader.jobs(state: .dead, page: PageRequest()).items.isEmpty)
        #expect(await second.stop() == 0, "SIGTERM drains and exits cleanly")
    }

    @Test("SIGTERM: readiness says draining while requests are still served, then the held job goes back to the queue at once")
    func drainOnTerm() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("atelier-drain-\(UUID().uuidString)").path
        let first = try await AtelierProcess.start(
            dataDirectory: data,
            environment: ["ATELIER_DRAIN_SECONDS": "2", "ATELIER_JOB_LEASE_SECONDS": "300", "ATELIER_DRILL_JOB_DELAY_MS": "600000"])
        let id = try await submittedOrder(on: first)
        let store = try SQLiteStore(path: data + "/atelier.sqlite")
        let held = try await waitFor(seconds: 20) { try await store.reader.jobs(state: .running, page: PageRequest()).items.first }
        #expect(try await first.call("GET", "/health/ready").0 == 200)

        let terminated = ContinuousClock.now
        first.terminate()
        let draining = try await waitFor(seconds: 5) {
            let (status, body) = try await first.call("GET", "/health/ready")
            return status == 503 && body["status"] as? String == "draining" ? body : nil
        }
        #expect(draining["version"] != nil)
        #expect(try await first.call("GET", "/api/shop/catalog").0 == 200, "still serving while draining")
        #expect(await AtelierProcess.exit(of: first.process) == 0)
        let took = ContinuousClock.now - terminated
        #expect(took >= .seconds(2) && took < .seconds(15), "drained for the drain time, then stopped: \(took)")

        let job = try #require(try await store.reader.job(id: held.id))
        #expect(job.state == .ready && job.attempts == 0, "handed back, not left to its five-minute lease")
        let second = try await AtelierProcess.start(dataDirectory: data, environment: [:])
        defer { second.terminate() }
        let priced = try await waitFor(seconds: 20) {
            try await store.reader.order(id: id).flatMap { $0.status == .priceCalculated ? $0 : nil }
        }
        #expect(priced.status == .priceCalculated)
        #expect(await second.stop() == 0)
    }

    /// Signs the demo customer in on `process`, orders the demo band and submits it: its pricing job is queued.
    func submittedOrder(on process: AtelierProcess) async throws -> String {
        let (status, session) = try await process.call(
            "POST", "/api/auth/sign-in", json: ["email": "customer@atelier.test", "password": "atelier-demo"])
        #expect(status == 200)
        let token = try #require(session["token"] as? String)
        let (_, created) = try await process.call(
            "POST", "/api/shop/orders", token: token, json: ["material": "gold-585", "catalogItem": "classic-band"])
        let id = try #require(created["id"] as? String)
        #expect(try await process.call("POST", "/api/shop/orders/\(id)/submit", token: token, json: Deliveries.submitBody).0 == 200)
        return id
    }
}

/// What `probe` gives once it gives something, asked every 20 ms for at most `seconds`.
func waitFor<T>(seconds: Double, _ probe: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw HarnessError("condition not met within \(seconds) s")
}
