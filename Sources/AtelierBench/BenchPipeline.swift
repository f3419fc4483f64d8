import ArgumentParser
import AtelierDomain
import AtelierJobs
import AtelierServices
import AtelierStorage
import AtelierTelemetry
import Foundation
import Logging

/// `atelier bench pipeline`: orders per second from `SUBMITTED` to `PRICE_CALCULATED` with 1, 2 and 4
/// pricing instances (real `atelier serve --role pricing` processes) on PostgreSQL, then the latency
/// from submit to priced at half the best rate, and the instances' resident memory.
struct BenchPipeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Time the pricing pipeline on PostgreSQL with 1, 2 and 4 pricing instances; then latency at half load.")

    @Option(help: "PostgreSQL URL of a database the benchmark may fill.")
    var databaseURL: String

    @Option(help: "Orders per throughput run.")
    var orders: Int = 5000

    @Option(help: "Pricing instances to try, comma-separated.")
    var instances: String = "1,2,4"

    @Option(help: "Jobs each instance runs at once (ATELIER_WORKER_CONCURRENCY).")
    var concurrency: Int = 32

    @Option(help: "Seconds of steady submits for the latency run.")
    var latencySeconds: Double = 10

    func run() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let store = try PostgresStore(url: databaseURL, maxConnections: 8, timeout: .seconds(120), logger: logger)
        let storeTask = Task { await store.run() }
        await Task.yield()  // let the pool start before the first lease
        defer { storeTask.cancel() }
        try await store.migrate()
        let context = UseCaseContext(store: store, configuration: AtelierConfiguration(), logger: logger)
        try await DemoData(context: context).load()
        guard let customer = try await store.reader.user(email: DemoData.users[0].email)?.principal else {
            throw BenchFailure("the demo customer is missing")
        }
        let pieces = try await store.reader.catalog()
        let materials = DemoData.priceList.materials.map(\.code)
        let counts = instances.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        print(
            "PostgreSQL pipeline: \(orders) submitted orders per run, small catalog models; each instance runs \(concurrency) jobs at once")
        print("instances   orders/s   seconds   RSS per instance (MB)")
        var best = (instances: 1, rate: 0.0)
        for count in counts {
            let workers = try await (0..<count).asyncMap { _ in
                try await PricingInstance.start(databaseURL: databaseURL, concurrency: concurrency)
            }
            let before = try await store.reader.statusCounts()[.priceCalculated] ?? 0
            // One transaction: at its commit every instance is woken and the clock starts.
            try await submitted(count: orders, customer: customer, pieces: pieces, materials: materials, store: store, state: .submitted)
            let started = ContinuousClock.now
            var peakRSS = 0
            while try await (store.reader.statusCounts()[.priceCalculated] ?? 0) - before < orders {
                peakRSS = max(peakRSS, workers.map(\.residentMB).max() ?? 0)
                try await Task.sleep(for: .milliseconds(20))
            }
            let seconds = (ContinuousClock.now - started).seconds
            let rate = Double(orders) / seconds
            if rate > best.rate { best = (count, rate) }
            print(String(format: "%9d  %9.0f  %8.2f   %d", count, rate, seconds, peakRSS))
            for worker in workers { worker.stop() }
        }

        // Latency: steady submits at half the best rate, through the real submit use case.
        let rate = best.rate / 2
        let total = Int(rate * latencySeconds)
        let ids = try await submitted(
            count: total, customer: customer, pieces: pieces, materials: materials, store: store, state: .fileUploaded)
        let workers = try await (0..<best.instances).asyncMap { _ in
            try await PricingInstance.start(databaseURL: databaseURL, concurrency: concurrency)
        }
        let shop = ShopService(context: context)
        let delivery = try DeliveryDetails(
            recipient: "Bench Customer", phone: "+7 912 345-67-89", country: "RU", postalCode: "101000", city: "Moscow",
            street: "Tverskaya 1, flat 1")
        let submitters = 4
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<submitters {
                group.addTask {
                    for (index, id) in ids.enumerated() where index % submitters == lane {
                        let due = started + .seconds(Double(index) / rate)
                        if due > .now { try await Task.sleep(until: due) }
                        _ = try await shop.submit(orderID: id, delivery: delivery, by: customer, idempotencyKey: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        let deadline = ContinuousClock.now + .seconds(60)
        var latencies: [Double] = []
        var peakRSS = workers.map(\.residentMB).max() ?? 0
        for id in ids {
            while ContinuousClock.now < deadline {
                let history = try await store.reader.history(orderID: id)
                if let submitted = history.first(where: { $0.to == .submitted }),
                    let priced = history.first(where: { $0.to == .priceCalculated })
                {
                    latencies.append(priced.at.timeIntervalSince(submitted.at) * 1000)
                    break
                }
                peakRSS = max(peakRSS, workers.map(\.residentMB).max() ?? 0)
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        for worker in workers { worker.stop() }
        latencies.sort()
        guard latencies.count == ids.count else {
            throw BenchFailure("only \(latencies.count) of \(ids.count) orders were priced in time")
        }
        let p50 = percentile(latencies, 0.5), p99 = percentile(latencies, 0.99)
        print(
            String(
                format:
                    "latency submit → priced at %.0f orders/s (half of %.0f) with %d instance(s), %d orders: p50 %.1f ms, p99 %.1f ms; RSS %d MB",
                rate, best.rate, best.instances, ids.count, p50, p99, peakRSS))
    }

    /// Adds `count` orders of the demo customer in `state` (`SUBMITTED` with their pricing jobs, or
    /// `FILE_UPLOADED`), built by the domain as the shop would, in one transaction.
    @discardableResult
    func submitted(
        count: Int, customer: Principal, pieces: [CatalogItem], materials: [String], store: any Store, state: OrderStatus
    ) async throws -> [String] {
        let now = Date()
        var built: [(Order, [HistoryEntry])] = []
        for index in 0..<count {
            let piece = pieces[index % pieces.count]
            var (order, created) = try Order.start(
                id: UUID().uuidString.lowercased(), customer: customer, materialCode: materials[index % materials.count], finishCodes: [],
                traceContext: nil, at: now)
            var history = [created]
            history += try order.attachModel(hash: piece.modelHash, filename: piece.modelFilename, by: customer, at: now)
            if state == .submitted { history.append(try order.submit(by: customer, at: now, promise: StallPolicy().promise)) }
            built.append((order, history))
        }
        let orders = built
        try await store.write { tx in
            for (order, history) in orders {
                try await tx.insert(order: order)
                try await tx.append(history: history)
                if order.status == .submitted { try await tx.enqueue(PricingJob(orderID: order.id), at: now, maxAttempts: 8) }
            }
        }
        return orders.map(\.0.id)
    }
}

/// A pricing instance: `atelier serve --role pricing` in its own process.
struct PricingInstance {
    let process: Process

    static func start(databaseURL: String, concurrency: Int) async throws -> PricingInstance {
        let process = Process()
        guard let executable = Bundle.main.executablePath else { throw BenchFailure("cannot find the atelier executable") }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--role", "pricing", "--port", "0"]
        var environment = ProcessInfo.processInfo.environment
        environment["ATELIER_DATABASE_URL"] = databaseURL
        environment["ATELIER_OPS_PORT"] = "0"
        environment["ATELIER_LOG_LEVEL"] = "error"
        environment["ATELIER_WORKER_CONCURRENCY"] = String(concurrency)
        environment["ATELIER_DB_POOL_SIZE"] = String(concurrency + 2)
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when it prints where it runs.
        var printed = ""
        let deadline = ContinuousClock.now + .seconds(30)
        while !printed.contains("Atelier is running"), ContinuousClock.now < deadline {
            printed += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        guard printed.contains("Atelier is running") else {
            process.terminate()
            throw BenchFailure("a pricing instance did not start")
        }
        return PricingInstance(process: process)
    }

    /// Resident memory, MB.
    var residentMB: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes / 1024
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
